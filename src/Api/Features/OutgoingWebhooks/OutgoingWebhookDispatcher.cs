using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitMesh.Data;
using GitMesh.Domain.Messaging;
using GitMesh.Domain.Webhooks;
using GitMesh.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GitMesh.Api.Features.OutgoingWebhooks;

/// <summary>
/// Delivers outbox events to outgoing webhooks. Like the realtime relay it tails the outbox by id from the newest event
/// at start; each matching (webhook, event) becomes a delivery row (unique, so several instances never create one twice).
/// Due deliveries are claimed by bumping their attempt count (a compare-and-swap), POSTed with a signature, and either
/// completed, rescheduled with exponential backoff (5xx, 408, 429, timeouts, network errors) or failed with the reason
/// (other statuses, a target that resolves to a forbidden address, or the last attempt used up).
/// </summary>
internal sealed partial class OutgoingWebhookDispatcher(
    IServiceScopeFactory scopes,
    IHttpClientFactory httpClients,
    IOptions<OutgoingWebhookOptions> options,
    TimeProvider time,
    ILogger<OutgoingWebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "outgoing-webhooks";
    private const int BatchSize = 500;
    private const int MaxErrorLength = 2000;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private OutgoingWebhookOptions Options => options.Value;

    /// <summary>No redirects (a redirect could lead anywhere) and, unless private targets are allowed, a connect that re-checks every resolved address.</summary>
    internal static SocketsHttpHandler CreateHandler(OutgoingWebhookOptions options)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) };
        if (!options.AllowPrivateTargets)
        {
            handler.ConnectCallback = async (context, ct) =>
            {
                var addresses = await WebhookTargetGuard.ResolveAsync(context.DnsEndPoint.Host, ct);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return handler;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long lastId;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
            lastId = await db.OutboxEvents.IgnoreQueryFilters().MaxAsync(e => (long?)e.Id, stoppingToken) ?? 0;
        }

        var poll = TimeSpan.FromMilliseconds(Math.Max(10, Options.PollIntervalMilliseconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                lastId = await EnqueueAsync(lastId, stoppingToken);
                await DeliverDueAsync(stoppingToken);
                await Task.Delay(poll, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogIterationFailed(ex);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }
    }

    /// <summary>Turns outbox events after <paramref name="afterId"/> into delivery rows for the webhooks subscribed to them.</summary>
    private async Task<long> EnqueueAsync(long afterId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
        while (true)
        {
            var events = await db.OutboxEvents.IgnoreQueryFilters().AsNoTracking()
                .Where(e => e.Id > afterId).OrderBy(e => e.Id).Take(BatchSize).ToListAsync(ct);
            if (events.Count == 0)
            {
                return afterId;
            }

            var workspaceIds = events.Select(e => e.WorkspaceId).Distinct().ToList();
            var hooks = await db.Set<OutgoingWebhook>().IgnoreQueryFilters().AsNoTracking()
                .Where(h => h.Enabled && workspaceIds.Contains(h.WorkspaceId)).ToListAsync(ct);
            var now = time.GetUtcNow().UtcDateTime;
            var deliveries = (
                from e in events
                from h in hooks
                where h.WorkspaceId == e.WorkspaceId && Subscribed(h, e.Type)
                select NewDelivery(h, e, now)).ToList();
            if (deliveries.Count > 0)
            {
                await InsertNewAsync(db, deliveries, ct);
            }

            afterId = events[^1].Id;
            if (events.Count < BatchSize)
            {
                return afterId;
            }
        }
    }

    private static bool Subscribed(OutgoingWebhook hook, string type) =>
        hook.Events.Split(',', StringSplitOptions.RemoveEmptyEntries).Any(e => e == "*" || e == type);

    private static OutgoingWebhookDelivery NewDelivery(OutgoingWebhook hook, OutboxEvent e, DateTime now)
    {
        var id = Guid.CreateVersion7();
        var body = new JsonObject
        {
            ["id"] = id,
            ["type"] = e.Type,
            ["sequence"] = e.Id,
            ["workspaceId"] = e.WorkspaceId,
            ["createdAt"] = e.CreatedAt,
            ["data"] = JsonNode.Parse(e.PayloadJson),
        };
        return new OutgoingWebhookDelivery
        {
            Id = id,
            WorkspaceId = hook.WorkspaceId,
            WebhookId = hook.Id,
            OutboxEventId = e.Id,
            EventType = e.Type,
            PayloadJson = body.ToJsonString(Json),
            NextAttemptAt = now,
            CreatedAt = now,
        };
    }

    /// <summary>Inserts the deliveries another instance has not created already.</summary>
    private static async Task InsertNewAsync(GitMeshDbContext db, List<OutgoingWebhookDelivery> deliveries, CancellationToken ct)
    {
        var eventIds = deliveries.Select(d => d.OutboxEventId).Distinct().ToList();
        var existing = (await db.Set<OutgoingWebhookDelivery>().IgnoreQueryFilters().AsNoTracking()
                .Where(d => eventIds.Contains(d.OutboxEventId)).Select(d => new { d.WebhookId, d.OutboxEventId }).ToListAsync(ct))
            .Select(d => (d.WebhookId, d.OutboxEventId)).ToHashSet();
        var fresh = deliveries.Where(d => !existing.Contains((d.WebhookId, d.OutboxEventId))).ToList();
        db.AddRange(fresh);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another instance inserted some of them meanwhile: add one at a time, skipping the duplicates.
            db.ChangeTracker.Clear();
            foreach (var delivery in fresh)
            {
                db.Add(delivery);
                try
                {
                    await db.SaveChangesAsync(ct);
                }
                catch (DbUpdateException)
                {
                }

                db.ChangeTracker.Clear();
            }
        }

        db.ChangeTracker.Clear();
    }

    private async Task DeliverDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
        var protector = scope.ServiceProvider.GetRequiredService<ISecretProtector>();
        var now = time.GetUtcNow().UtcDateTime;
        var due = await db.Set<OutgoingWebhookDelivery>().IgnoreQueryFilters().AsNoTracking()
            .Where(d => d.Status == OutgoingWebhookDelivery.Pending && d.NextAttemptAt <= now)
            .OrderBy(d => d.NextAttemptAt).Take(50).ToListAsync(ct);
        foreach (var delivery in due)
        {
            await DeliverAsync(db, protector, delivery, ct);
        }
    }

    private async Task DeliverAsync(GitMeshDbContext db, ISecretProtector protector, OutgoingWebhookDelivery delivery, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var timeout = TimeSpan.FromSeconds(Options.TimeoutSeconds);
        // Claim: the attempt count is the version. The lease keeps other instances off it while this attempt runs.
        var attempt = delivery.Attempts + 1;
        var lease = now + timeout + TimeSpan.FromSeconds(30);
        var claimed = await db.Set<OutgoingWebhookDelivery>().IgnoreQueryFilters()
            .Where(d => d.Id == delivery.Id && d.Status == OutgoingWebhookDelivery.Pending && d.Attempts == delivery.Attempts)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Attempts, attempt).SetProperty(d => d.NextAttemptAt, lease).SetProperty(d => d.LastAttemptAt, now), ct);
        if (claimed == 0)
        {
            return;
        }

        var hook = await db.Set<OutgoingWebhook>().IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(h => h.Id == delivery.WebhookId, ct);
        (bool Success, bool Retry, int? Status, string? Error) outcome;
        if (hook is null || !hook.Enabled)
        {
            outcome = (false, false, null, "The webhook was disabled before the event could be delivered.");
        }
        else
        {
            outcome = await SendAsync(hook, protector, delivery, timeout, ct);
        }

        var finished = time.GetUtcNow().UtcDateTime;
        var status = outcome.Success
            ? OutgoingWebhookDelivery.Succeeded
            : outcome.Retry && attempt < Options.MaxAttempts ? OutgoingWebhookDelivery.Pending : OutgoingWebhookDelivery.Failed;
        var error = outcome.Error;
        if (status == OutgoingWebhookDelivery.Failed && outcome.Retry)
        {
            error = $"Gave up after {attempt} attempts; last: {error}";
        }

        if (error is { Length: > MaxErrorLength })
        {
            error = error[..MaxErrorLength];
        }

        var backoff = Math.Min(Options.MaxBackoffSeconds, Options.InitialBackoffSeconds * Math.Pow(2, attempt - 1));
        var next = status == OutgoingWebhookDelivery.Pending ? finished.AddSeconds(backoff) : finished;
        DateTime? completed = status == OutgoingWebhookDelivery.Pending ? null : finished;
        await db.Set<OutgoingWebhookDelivery>().IgnoreQueryFilters()
            .Where(d => d.Id == delivery.Id && d.Attempts == attempt)
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, status)
                .SetProperty(d => d.NextAttemptAt, next)
                .SetProperty(d => d.LastStatusCode, outcome.Status)
                .SetProperty(d => d.LastError, error)
                .SetProperty(d => d.CompletedAt, completed), ct);
        if (!outcome.Success)
        {
            LogDeliveryFailed(delivery.Id, hook?.Id, attempt, status, error);
        }
    }

    private async Task<(bool Success, bool Retry, int? Status, string? Error)> SendAsync(
        OutgoingWebhook hook, ISecretProtector protector, OutgoingWebhookDelivery delivery, TimeSpan timeout, CancellationToken ct)
    {
        string secret;
        try
        {
            secret = protector.Unprotect(hook.SecretProtected);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return (false, false, null, "The webhook's secret cannot be decrypted with this installation's keys; recreate the webhook.");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url)
        {
            Content = new StringContent(delivery.PayloadJson, Encoding.UTF8, "application/json"),
        };
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.Compute(secret, timestamp, delivery.PayloadJson));
        request.Headers.TryAddWithoutValidation("X-GitMesh-Event", delivery.EventType);
        request.Headers.TryAddWithoutValidation("X-GitMesh-Delivery", delivery.Id.ToString());
        request.Headers.UserAgent.ParseAdd("GitMesh-Webhooks/1");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var client = httpClients.CreateClient(HttpClientName);
            client.Timeout = Timeout.InfiniteTimeSpan;
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            var code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return (true, false, code, null);
            }

            var retry = code >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
            return (false, retry, code, $"HTTP {code} {response.ReasonPhrase}".TrimEnd());
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (false, true, null, $"Timed out after {timeout.TotalSeconds:0.#} seconds.");
        }
        catch (HttpRequestException ex) when (ex.InnerException is WebhookTargetRejectedException rejected)
        {
            return (false, false, null, rejected.Message);
        }
        catch (HttpRequestException ex)
        {
            return (false, true, null, "Request failed: " + ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outgoing webhook dispatcher iteration failed; retrying")]
    private partial void LogIterationFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outgoing webhook delivery {DeliveryId} to {WebhookId}, attempt {Attempt}: {Status} ({Error})")]
    private partial void LogDeliveryFailed(Guid deliveryId, Guid? webhookId, int attempt, string status, string? error);
}
