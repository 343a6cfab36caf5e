using System.Security.Cryptography;
using System.Text.Json;
using GitMesh.Connectors;
using GitMesh.Connectors.GitHub.Webhooks;
using GitMesh.Connectors.Webhooks;
using GitMesh.Data;
using GitMesh.Domain.Integrations;
using GitMesh.Domain.Messaging;
using GitMesh.Domain.Signals;
using GitMesh.Integrations.Runs;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Integrations.Webhooks;

public enum WebhookOutcome
{
    /// <summary>Signals enqueued (possibly none, for an ignored event).</summary>
    Accepted,
    /// <summary>GitHub's ping, or an event GitMesh does not ingest.</summary>
    Ignored,
    /// <summary>This delivery id was processed before; nothing was enqueued again.</summary>
    Duplicate,
    /// <summary>Missing or wrong signature, a timestamp outside the window, or no integration to verify against.</summary>
    Unauthorized,
    /// <summary>Signed correctly but unusable (malformed JSON, missing headers).</summary>
    Malformed,
}

public sealed record WebhookItemError(int Index, string Error);

public sealed record WebhookResult(WebhookOutcome Outcome, string Message, int Accepted = 0, IReadOnlyList<WebhookItemError>? Rejected = null);

/// <summary>
/// Verifies, deduplicates and enqueues inbound webhooks. Nothing is stored before the signature verified; the delivery
/// id row is written before the enqueue (the unique index decides concurrent redeliveries) and removed again when the
/// enqueue fails, so the sender's retry is processed instead of being taken for a duplicate.
/// </summary>
public sealed class WebhookIntake(GitMeshDbContext db, IntegrationRequests requests, ISignalSink sink, TimeProvider time)
{
    public const string GitHubProvider = "github";
    public const string GenericProvider = "gitmesh";
    public const string GenericDeliveryHeader = "X-GitMesh-Delivery";

    /// <summary>
    /// A GitHub delivery for <paramref name="integrationId"/>, or (when null) for the GitHub integration whose settings
    /// name the payload's repository (or its owner as the org) and whose secret verifies the signature.
    /// </summary>
    public async Task<WebhookResult> ReceiveGitHubAsync(Guid? integrationId, string? eventName, string? deliveryId, string? signature, ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        var candidates = integrationId is { } id
            ? await db.Integrations.IgnoreQueryFilters().AsNoTracking().Where(i => i.Id == id && i.Type == SignalSources.GitHub).ToListAsync(ct)
            : await FindByRepositoryAsync(body, ct);
        var integration = candidates.FirstOrDefault(c => requests.WebhookSecret(c) is { } secret && GitHubWebhookVerifier.Verify(signature, body.Span, secret));
        if (integration is null)
        {
            return new WebhookResult(WebhookOutcome.Unauthorized, "The X-Hub-Signature-256 signature is missing or does not match the integration's webhook secret.");
        }

        if (string.IsNullOrWhiteSpace(eventName) || string.IsNullOrWhiteSpace(deliveryId) || deliveryId.Length > 200)
        {
            return new WebhookResult(WebhookOutcome.Malformed, "X-GitHub-Event and X-GitHub-Delivery headers are required.");
        }

        var includePullRequests = IntegrationRequests.ReadSettings(integration.SettingsJson).GetValueOrDefault("includePullRequests") is "true";
        switch (GitHubWebhookParser.Parse(eventName, body, includePullRequests))
        {
            case GitHubWebhookResult.Invalid invalid:
                return new WebhookResult(WebhookOutcome.Malformed, invalid.Error);
            case GitHubWebhookResult.Ping:
                return new WebhookResult(WebhookOutcome.Ignored, "pong");
            case GitHubWebhookResult.Ignored ignored:
                return new WebhookResult(WebhookOutcome.Ignored, ignored.Reason);
            case GitHubWebhookResult.Accepted accepted:
                return await DeliverAsync(GitHubProvider, deliveryId, eventName, integration, accepted.Signals, [], ct);
            default:
                return new WebhookResult(WebhookOutcome.Malformed, "Unrecognised delivery.");
        }
    }

    /// <summary>The generic signed webhook: <c>X-GitMesh-Signature</c> (timestamped HMAC), optional <c>X-GitMesh-Delivery</c>.</summary>
    public async Task<WebhookResult> ReceiveGenericAsync(Guid integrationId, string? signature, string? deliveryId, ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        var integration = await db.Integrations.IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(i => i.Id == integrationId && i.Type == SignalSources.Webhook, ct);
        var secret = integration is null ? null : requests.WebhookSecret(integration);
        if (integration is null || secret is null)
        {
            return new WebhookResult(WebhookOutcome.Unauthorized, "The signature cannot be verified for this integration.");
        }

        var status = WebhookSignature.Verify(signature, body.Span, secret, time.GetUtcNow());
        if (status != WebhookSignatureStatus.Valid)
        {
            return new WebhookResult(WebhookOutcome.Unauthorized, status switch
            {
                WebhookSignatureStatus.Missing => $"The {WebhookSignature.HeaderName} header is missing.",
                WebhookSignatureStatus.Malformed => $"The {WebhookSignature.HeaderName} header must be t=<unix seconds>,v1=<hex HMAC-SHA256>.",
                WebhookSignatureStatus.OutsideTolerance => "The signature timestamp is outside the accepted window (replayed or delayed delivery).",
                _ => "The signature does not match the integration's webhook secret.",
            });
        }

        if (deliveryId is { Length: > 150 })
        {
            return new WebhookResult(WebhookOutcome.Malformed, $"{GenericDeliveryHeader} must be at most 150 characters.");
        }

        var parsed = GenericWebhookPayload.Parse(body);
        if (parsed.IsMalformed)
        {
            return new WebhookResult(WebhookOutcome.Malformed, parsed.Error!);
        }

        var rejected = parsed.ItemErrors.Select(e => new WebhookItemError(e.Index, e.Message)).ToList();
        return string.IsNullOrWhiteSpace(deliveryId)
            ? await EnqueueAsync(integration, parsed.Signals, rejected, ct)
            : await DeliverAsync(GenericProvider, $"{integration.Id:N}:{deliveryId.Trim()}", "ingest", integration, parsed.Signals, rejected, ct);
    }

    /// <summary>A new webhook secret: 32 random bytes, URL-safe, prefixed so it is recognisable in a secret scanner.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private async Task<WebhookResult> DeliverAsync(
        string provider, string deliveryId, string eventType, Integration integration, IReadOnlyList<SignalEnvelope> signals, List<WebhookItemError> rejected, CancellationToken ct)
    {
        var delivery = new WebhookDelivery
        {
            Provider = provider,
            DeliveryId = deliveryId,
            WorkspaceId = integration.WorkspaceId,
            IntegrationId = integration.Id,
            EventType = eventType.Length <= 100 ? eventType : eventType[..100],
            Status = "received",
            ReceivedAt = time.GetUtcNow().UtcDateTime,
        };
        if (await db.WebhookDeliveries.AnyAsync(d => d.Provider == provider && d.DeliveryId == deliveryId, ct))
        {
            return new WebhookResult(WebhookOutcome.Duplicate, "already processed");
        }

        db.WebhookDeliveries.Add(delivery);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.Entry(delivery).State = EntityState.Detached;
            return new WebhookResult(WebhookOutcome.Duplicate, "already processed");
        }

        try
        {
            var result = await EnqueueAsync(integration, signals, rejected, ct);
            delivery.Status = "processed";
            await db.SaveChangesAsync(ct);
            return result;
        }
        catch
        {
            // Forget the delivery so the sender's retry is processed rather than answered "already processed".
            await db.WebhookDeliveries.Where(d => d.Id == delivery.Id).ExecuteDeleteAsync(CancellationToken.None);
            throw;
        }
    }

    private async Task<WebhookResult> EnqueueAsync(Integration integration, IReadOnlyList<SignalEnvelope> signals, List<WebhookItemError> rejected, CancellationToken ct)
    {
        await sink.EnqueueAsync(integration.WorkspaceId, integration.Id, signals, ct);
        if (signals.Count > 0)
        {
            var count = signals.Count;
            await db.Integrations.IgnoreQueryFilters().Where(i => i.Id == integration.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.ItemsFetched, i => i.ItemsFetched + count), ct);
        }

        return new WebhookResult(WebhookOutcome.Accepted, "accepted", signals.Count, rejected);
    }

    private async Task<List<Integration>> FindByRepositoryAsync(ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        string? fullName = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("repository", out var repository) && repository.ValueKind == JsonValueKind.Object
                && repository.TryGetProperty("full_name", out var name) && name.ValueKind == JsonValueKind.String)
            {
                fullName = name.GetString();
            }
        }
        catch (JsonException)
        {
            // Unroutable; answered as unauthorized below (no integration to verify the signature with).
        }

        if (fullName is null || fullName.Split('/') is not [var owner, var repo])
        {
            return [];
        }

        var all = await db.Integrations.IgnoreQueryFilters().AsNoTracking()
            .Where(i => i.Type == SignalSources.GitHub && i.EncryptedWebhookSecret != null).ToListAsync(ct);
        return all.Where(i => Matches(IntegrationRequests.ReadSettings(i.SettingsJson), owner, repo)).ToList();
    }

    private static bool Matches(Dictionary<string, string> settings, string owner, string repo)
    {
        static bool Same(string? a, string? b) => a is not null && b is not null && string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);
        var configuredRepo = settings.GetValueOrDefault("repo");
        if (configuredRepo is not null && configuredRepo.Contains('/', StringComparison.Ordinal))
        {
            return Same(configuredRepo, $"{owner}/{repo}");
        }

        return (Same(settings.GetValueOrDefault("owner"), owner) && Same(configuredRepo, repo)) || Same(settings.GetValueOrDefault("org"), owner);
    }
}
