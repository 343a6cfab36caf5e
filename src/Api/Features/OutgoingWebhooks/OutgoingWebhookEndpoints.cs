using GitMesh.Api.Features.Workspaces;
using GitMesh.Api.Http;
using GitMesh.Data;
using GitMesh.Domain.Webhooks;
using GitMesh.Domain.Workspaces;
using GitMesh.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace GitMesh.Api.Features.OutgoingWebhooks;

public sealed record OutgoingWebhookRequest(string? Url, IReadOnlyList<string>? Events, bool? Enabled);

public sealed record OutgoingWebhookResponse(Guid Id, string Url, IReadOnlyList<string> Events, bool Enabled, DateTime CreatedAt, DateTime UpdatedAt);

/// <param name="Secret">The signing secret. Returned by this response only; store it now.</param>
public sealed record CreatedOutgoingWebhookResponse(Guid Id, string Url, IReadOnlyList<string> Events, bool Enabled, DateTime CreatedAt, DateTime UpdatedAt, string Secret);

public sealed record OutgoingWebhookDeliveryResponse(
    Guid Id, long Sequence, string EventType, string Status, int Attempts, int? LastStatusCode, string? LastError,
    DateTime CreatedAt, DateTime? LastAttemptAt, DateTime? NextAttemptAt, DateTime? CompletedAt);

public static class OutgoingWebhookEndpoints
{
    /// <summary>Event types a webhook may subscribe to; <c>*</c> is every event.</summary>
    public static readonly IReadOnlySet<string> EventTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "*", "signalCreated", "signalUpdated", "clusterUpdated", "integrationStatus", "importProgress",
    };

    private const int MaxWebhooksPerWorkspace = 50;

    public static IEndpointRouteBuilder MapOutgoingWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/workspaces/{workspaceId:guid}/outgoing-webhooks").WithTags("Outgoing webhooks")
            .RequireWorkspaceAccess().WithMinimumRole(WorkspaceRole.Admin);
        group.MapGet("/", ListAsync).WithSummary("Outgoing webhooks of the workspace (never the secret).");
        group.MapPost("/", CreateAsync).WithSummary("Subscribe a URL to events; the signing secret is shown once.");
        group.MapGet("/{webhookId:guid}", GetAsync).WithSummary("One outgoing webhook.");
        group.MapPatch("/{webhookId:guid}", UpdateAsync).WithSummary("Change the URL, events or enabled flag of an outgoing webhook.");
        group.MapDelete("/{webhookId:guid}", DeleteAsync).WithSummary("Delete an outgoing webhook and its delivery log.");
        group.MapGet("/{webhookId:guid}/deliveries", DeliveriesAsync).WithSummary("The delivery log of an outgoing webhook, newest first.")
            .WithQueryParameters(new QueryParameter("limit", "Page size, 1–200.", JsonSchemaType.Integer, Minimum: 1, Maximum: 200, Default: "50"));
        return app;
    }

    private static async Task<Ok<IReadOnlyList<OutgoingWebhookResponse>>> ListAsync(GitMeshDbContext db, CancellationToken ct)
    {
        var hooks = await db.Set<OutgoingWebhook>().AsNoTracking().OrderBy(h => h.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<OutgoingWebhookResponse>>(hooks.Select(ToResponse).ToList());
    }

    private static async Task<Results<Ok<OutgoingWebhookResponse>, NotFound>> GetAsync(Guid webhookId, GitMeshDbContext db, CancellationToken ct) =>
        await db.Set<OutgoingWebhook>().AsNoTracking().FirstOrDefaultAsync(h => h.Id == webhookId, ct) is { } hook
            ? TypedResults.Ok(ToResponse(hook))
            : TypedResults.NotFound();

    private static async Task<Results<Created<CreatedOutgoingWebhookResponse>, ValidationProblem>> CreateAsync(
        Guid workspaceId, OutgoingWebhookRequest request, HttpContext http, GitMeshDbContext db, ISecretProtector protector,
        IOptions<OutgoingWebhookOptions> options, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        if (await WebhookTargetGuard.ValidateAsync(request.Url, options.Value.AllowPrivateTargets, ct) is { } urlError)
        {
            validation.Add("url", urlError);
        }

        var events = ValidateEvents(request.Events, validation, required: true);
        if (await db.Set<OutgoingWebhook>().CountAsync(ct) >= MaxWebhooksPerWorkspace)
        {
            validation.Add("url", $"A workspace can have at most {MaxWebhooksPerWorkspace} outgoing webhooks.");
        }

        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var access = http.Access();
        var now = time.GetUtcNow().UtcDateTime;
        var secret = WebhookSignature.NewSecret();
        var hook = new OutgoingWebhook
        {
            WorkspaceId = workspaceId,
            Url = request.Url!.Trim(),
            Events = string.Join(',', events!),
            Enabled = request.Enabled ?? true,
            SecretProtected = protector.Protect(secret),
            CreatedByUserId = access.Caller.UserId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Add(hook);
        AuditTrail.Record(db, workspaceId, access.Caller, now, "outgoing_webhook.created", "outgoing_webhook", hook.Id.ToString(), null, AuditView(hook));
        await db.SaveChangesAsync(ct);
        var r = ToResponse(hook);
        return TypedResults.Created($"/api/v1/workspaces/{workspaceId}/outgoing-webhooks/{hook.Id}",
            new CreatedOutgoingWebhookResponse(r.Id, r.Url, r.Events, r.Enabled, r.CreatedAt, r.UpdatedAt, secret));
    }

    private static async Task<Results<Ok<OutgoingWebhookResponse>, NotFound, ValidationProblem>> UpdateAsync(
        Guid workspaceId, Guid webhookId, OutgoingWebhookRequest request, HttpContext http, GitMeshDbContext db,
        IOptions<OutgoingWebhookOptions> options, TimeProvider time, CancellationToken ct)
    {
        var hook = await db.Set<OutgoingWebhook>().FirstOrDefaultAsync(h => h.Id == webhookId, ct);
        if (hook is null)
        {
            return TypedResults.NotFound();
        }

        var validation = new Validation();
        if (request.Url is not null && await WebhookTargetGuard.ValidateAsync(request.Url, options.Value.AllowPrivateTargets, ct) is { } urlError)
        {
            validation.Add("url", urlError);
        }

        var events = ValidateEvents(request.Events, validation, required: false);
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var before = AuditView(hook);
        hook.Url = request.Url?.Trim() ?? hook.Url;
        hook.Events = events is null ? hook.Events : string.Join(',', events);
        hook.Enabled = request.Enabled ?? hook.Enabled;
        var now = time.GetUtcNow().UtcDateTime;
        hook.UpdatedAt = now;
        AuditTrail.Record(db, workspaceId, http.Access().Caller, now, "outgoing_webhook.updated", "outgoing_webhook", hook.Id.ToString(), before, AuditView(hook));
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToResponse(hook));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(
        Guid workspaceId, Guid webhookId, HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var hook = await db.Set<OutgoingWebhook>().FirstOrDefaultAsync(h => h.Id == webhookId, ct);
        if (hook is null)
        {
            return TypedResults.NotFound();
        }

        db.Remove(hook);
        AuditTrail.Record(db, workspaceId, http.Access().Caller, time.GetUtcNow().UtcDateTime, "outgoing_webhook.deleted", "outgoing_webhook", hook.Id.ToString(), AuditView(hook), null);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<IReadOnlyList<OutgoingWebhookDeliveryResponse>>, NotFound, ValidationProblem>> DeliveriesAsync(
        Guid webhookId, HttpContext http, GitMeshDbContext db, CancellationToken ct)
    {
        var validation = new Validation();
        var limit = Signals.SignalEndpoints.ParseLimit(http.Request.Query["limit"], 50, 200, validation);
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        if (!await db.Set<OutgoingWebhook>().AnyAsync(h => h.Id == webhookId, ct))
        {
            return TypedResults.NotFound();
        }

        var rows = await db.Set<OutgoingWebhookDelivery>().AsNoTracking().Where(d => d.WebhookId == webhookId)
            .OrderByDescending(d => d.OutboxEventId).ThenByDescending(d => d.Id).Take(limit).ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<OutgoingWebhookDeliveryResponse>>(rows.Select(d => new OutgoingWebhookDeliveryResponse(
            d.Id, d.OutboxEventId, d.EventType, d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.CreatedAt, d.LastAttemptAt,
            d.Status == OutgoingWebhookDelivery.Pending ? d.NextAttemptAt : null, d.CompletedAt)).ToList());
    }

    private static List<string>? ValidateEvents(IReadOnlyList<string>? events, Validation validation, bool required)
    {
        if (events is null)
        {
            if (required)
            {
                validation.Add("events", "'events' is required: event types, or [\"*\"] for all.");
            }

            return null;
        }

        var list = events.Select(e => e?.Trim() ?? "").Distinct(StringComparer.Ordinal).ToList();
        if (list.Count == 0)
        {
            validation.Add("events", "'events' needs at least one event type.");
        }

        foreach (var unknown in list.Where(e => !EventTypes.Contains(e)))
        {
            validation.Add("events", $"Unknown event type '{unknown}'; use {string.Join(", ", EventTypes)}.");
        }

        return list;
    }

    private static object AuditView(OutgoingWebhook h) => new { h.Url, Events = h.Events, h.Enabled };

    private static OutgoingWebhookResponse ToResponse(OutgoingWebhook h) =>
        new(h.Id, h.Url, h.Events.Split(',', StringSplitOptions.RemoveEmptyEntries), h.Enabled, h.CreatedAt, h.UpdatedAt);

    public static IServiceCollection AddOutgoingWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OutgoingWebhookOptions>().BindConfiguration(OutgoingWebhookOptions.SectionName);
        services.AddHttpClient(OutgoingWebhookDispatcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => OutgoingWebhookDispatcher.CreateHandler(sp.GetRequiredService<IOptions<OutgoingWebhookOptions>>().Value));
        if (configuration.GetValue($"{OutgoingWebhookOptions.SectionName}:{nameof(OutgoingWebhookOptions.DispatcherEnabled)}", true))
        {
            services.AddHostedService<OutgoingWebhookDispatcher>();
        }

        return services;
    }
}
