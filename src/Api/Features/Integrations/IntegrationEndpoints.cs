using System.Text.Json;
using GitMesh.Api.Features.Workspaces;
using GitMesh.Api.Http;
using GitMesh.Data;
using GitMesh.Domain.Integrations;
using GitMesh.Domain.Workflows;
using GitMesh.Domain.Workspaces;
using GitMesh.Integrations.Catalog;
using GitMesh.Integrations.Management;
using GitMesh.Integrations.Runs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Features.Integrations;

public sealed record CreateIntegrationRequest(
    string? Type,
    string? Name,
    Dictionary<string, JsonElement>? Settings,
    Dictionary<string, string?>? Credentials,
    int? PollIntervalSeconds,
    string? CronSchedule,
    int? BackfillDays,
    bool? Paused);

/// <param name="Credentials">A patch: a value sets the key, null removes it; keys not mentioned stay as they are.</param>
/// <param name="Settings">Replaces the whole settings object when given.</param>
public sealed record UpdateIntegrationRequest(
    string? Name,
    Dictionary<string, JsonElement>? Settings,
    Dictionary<string, string?>? Credentials,
    int? PollIntervalSeconds,
    string? CronSchedule,
    int? BackfillDays,
    bool? Paused,
    bool? RotateWebhookSecret);

/// <param name="WebhookUrl">Where the provider should deliver (relative to this server), for webhook-capable types.</param>
/// <param name="WebhookSecret">Only in the response that generated it (create, rotation): store it now, it is never shown again.</param>
public sealed record IntegrationResponse(
    Guid Id,
    string Type,
    string Name,
    IReadOnlyDictionary<string, string> Settings,
    bool HasCredentials,
    IReadOnlyList<string> CredentialKeys,
    bool HasWebhookSecret,
    string? WebhookUrl,
    string? WebhookSecret,
    IntegrationStatus Status,
    string? StatusMessage,
    int PollIntervalSeconds,
    string? CronSchedule,
    int BackfillDays,
    DateTime? LastRunAt,
    DateTime? NextRunAt,
    long ItemsFetched,
    string? LastError,
    DateTime CreatedAt,
    DateTime UpdatedAt);

public sealed record IntegrationRunInfo(Guid RunId, string Status, DateTime CreatedAt, DateTime? CompletedAt, string? Error);

public sealed record IntegrationStatusResponse(
    Guid Id,
    IntegrationStatus Status,
    string? StatusMessage,
    DateTime? LastRunAt,
    long ItemsFetched,
    DateTime? NextRunAt,
    string? LastError,
    bool CursorPresent,
    IntegrationRunInfo? LatestRun);

public sealed record ConnectionTestResponse(bool Ok, string Message);

public sealed record RunStartedResponse(Guid RunId, string WorkflowId, bool Created, string Status);

public static class IntegrationEndpoints
{
    public static IEndpointRouteBuilder MapIntegrationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/integration-types", ListTypes).WithTags("Integrations").RequireAuthorization()
            .WithSummary("Integration types with their settings and credential fields.");

        var group = app.MapGroup("/api/v1/workspaces/{workspaceId:guid}/integrations").WithTags("Integrations").RequireWorkspaceAccess();
        group.MapGet("/", ListAsync).WithSummary("Integrations of the workspace (credentials are never returned).");
        group.MapGet("/{integrationId:guid}", GetAsync).WithSummary("One integration.");
        group.MapPost("/", CreateAsync).WithMinimumRole(WorkspaceRole.Admin)
            .WithSummary("Create an integration; credentials are encrypted; a webhook secret is generated for github and webhook and shown once.");
        group.MapPatch("/{integrationId:guid}", UpdateAsync).WithMinimumRole(WorkspaceRole.Admin)
            .WithSummary("Change name, settings, credentials (patch), schedule, pause/resume, or rotate the webhook secret.");
        group.MapDelete("/{integrationId:guid}", DeleteAsync).WithMinimumRole(WorkspaceRole.Admin).WithSummary("Delete an integration.");
        group.MapPost("/{integrationId:guid}/test", TestAsync).WithMinimumRole(WorkspaceRole.Admin)
            .WithSummary("Check the connection with the stored settings and credentials.");
        group.MapPost("/{integrationId:guid}/run", RunAsync).WithMinimumRole(WorkspaceRole.Member)
            .WithSummary("Run now: start the connector run, or return the one already running.");
        group.MapGet("/{integrationId:guid}/status", StatusAsync).WithSummary("Status, last and next run, items fetched, last error.");
        return app;
    }

    private static Ok<IReadOnlyList<IntegrationType>> ListTypes() => TypedResults.Ok(IntegrationTypeCatalog.All);

    private static async Task<Ok<IReadOnlyList<IntegrationResponse>>> ListAsync(GitMeshDbContext db, IntegrationManager manager, CancellationToken ct)
    {
        var integrations = await db.Integrations.OrderBy(i => i.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<IntegrationResponse>>(integrations.Select(i => ToResponse(manager.View(i), null)).ToList());
    }

    private static async Task<Results<Ok<IntegrationResponse>, NotFound>> GetAsync(Guid integrationId, GitMeshDbContext db, IntegrationManager manager, CancellationToken ct)
    {
        var integration = await db.Integrations.FirstOrDefaultAsync(i => i.Id == integrationId, ct);
        return integration is null ? TypedResults.NotFound() : TypedResults.Ok(ToResponse(manager.View(integration), null));
    }

    private static async Task<Results<Created<IntegrationResponse>, ValidationProblem>> CreateAsync(
        Guid workspaceId, CreateIntegrationRequest request, HttpContext http, GitMeshDbContext db, IntegrationManager manager, TimeProvider time, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        var change = manager.Create(workspaceId, request.Type,
            new IntegrationInput(request.Name, request.Settings, request.Credentials, request.PollIntervalSeconds, request.CronSchedule, request.BackfillDays, request.Paused), errors);
        if (change is null)
        {
            return ToProblem(errors);
        }

        var integration = change.Integration;
        db.Integrations.Add(integration);
        var view = manager.View(integration);
        var now = time.GetUtcNow().UtcDateTime;
        AuditTrail.Record(db, workspaceId, http.Access().Caller, now, "integration.created", "integration", integration.Id.ToString(), null, AuditView(view));
        IntegrationStatusEvents.Add(db, integration, now);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/workspaces/{workspaceId}/integrations/{integration.Id}", ToResponse(view, change.WebhookSecret));
    }

    private static async Task<Results<Ok<IntegrationResponse>, NotFound, ValidationProblem>> UpdateAsync(
        Guid workspaceId, Guid integrationId, UpdateIntegrationRequest request, HttpContext http, GitMeshDbContext db, IntegrationManager manager, TimeProvider time, CancellationToken ct)
    {
        var integration = await db.Integrations.FirstOrDefaultAsync(i => i.Id == integrationId, ct);
        if (integration is null)
        {
            return TypedResults.NotFound();
        }

        var before = manager.View(integration);
        var errors = new List<FieldError>();
        var input = new IntegrationInput(request.Name, request.Settings, request.Credentials, request.PollIntervalSeconds, request.CronSchedule, request.BackfillDays, request.Paused);
        if (!manager.Update(integration, input, request.RotateWebhookSecret is true, errors, out var newSecret))
        {
            return ToProblem(errors);
        }

        var after = manager.View(integration);
        var now = time.GetUtcNow().UtcDateTime;
        var audit = AuditView(after) with { CredentialsChanged = request.Credentials is not null, WebhookSecretRotated = newSecret is not null };
        AuditTrail.Record(db, workspaceId, http.Access().Caller, now, "integration.updated", "integration", integration.Id.ToString(), AuditView(before), audit);
        if (before.Status != after.Status)
        {
            IntegrationStatusEvents.Add(db, integration, now);
        }

        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToResponse(after, newSecret));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(
        Guid workspaceId, Guid integrationId, HttpContext http, GitMeshDbContext db, IntegrationManager manager, TimeProvider time, CancellationToken ct)
    {
        var integration = await db.Integrations.FirstOrDefaultAsync(i => i.Id == integrationId, ct);
        if (integration is null)
        {
            return TypedResults.NotFound();
        }

        db.Integrations.Remove(integration);
        AuditTrail.Record(db, workspaceId, http.Access().Caller, time.GetUtcNow().UtcDateTime, "integration.deleted", "integration", integration.Id.ToString(),
            AuditView(manager.View(integration)), null);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ConnectionTestResponse>, NotFound>> TestAsync(Guid integrationId, GitMeshDbContext db, IntegrationManager manager, CancellationToken ct)
    {
        var integration = await db.Integrations.AsNoTracking().FirstOrDefaultAsync(i => i.Id == integrationId, ct);
        if (integration is null)
        {
            return TypedResults.NotFound();
        }

        var result = await manager.TestAsync(integration, ct);
        return TypedResults.Ok(new ConnectionTestResponse(result.Ok, result.Message));
    }

    private static async Task<Results<Accepted<RunStartedResponse>, NotFound, ProblemHttpResult>> RunAsync(
        Guid workspaceId, Guid integrationId, GitMeshDbContext db, IntegrationManager manager, CancellationToken ct)
    {
        var integration = await db.Integrations.AsNoTracking().FirstOrDefaultAsync(i => i.Id == integrationId, ct);
        if (integration is null)
        {
            return TypedResults.NotFound();
        }

        if (!IntegrationManager.Polls(integration))
        {
            return TypedResults.Problem($"{integration.Type} integrations are not polled; they receive data through webhooks or imports.",
                statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        if (integration.Status != IntegrationStatus.Active)
        {
            return TypedResults.Problem($"The integration is {IntegrationStatusEvents.StatusName(integration.Status)}; fix or resume it first. {integration.StatusMessage}".Trim(),
                statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        var handle = await manager.RunNowAsync(integration, ct);
        return TypedResults.Accepted($"/api/v1/workspaces/{workspaceId}/integrations/{integrationId}/status",
            new RunStartedResponse(handle.RunId, handle.WorkflowId, handle.Created, handle.Status.ToString().ToLowerInvariant()));
    }

    private static async Task<Results<Ok<IntegrationStatusResponse>, NotFound>> StatusAsync(Guid workspaceId, Guid integrationId, GitMeshDbContext db, CancellationToken ct)
    {
        var integration = await db.Integrations.AsNoTracking().FirstOrDefaultAsync(i => i.Id == integrationId, ct);
        if (integration is null)
        {
            return TypedResults.NotFound();
        }

        var workflowId = ConnectorRunWorkflow.WorkflowIdFor(integrationId);
        var run = await db.WorkflowRuns.IgnoreQueryFilters().AsNoTracking()
            .Where(r => r.WorkflowId == workflowId && r.WorkspaceId == workspaceId)
            .OrderByDescending(r => r.CreatedAt)
            .Select(r => new { r.Id, r.Status, r.CreatedAt, r.CompletedAt, r.Error })
            .FirstOrDefaultAsync(ct);
        return TypedResults.Ok(new IntegrationStatusResponse(
            integration.Id, integration.Status, integration.StatusMessage, integration.LastRunAt, integration.ItemsFetched, integration.NextRunAt,
            integration.LastError, integration.Cursor is not null,
            run is null ? null : new IntegrationRunInfo(run.Id, RunStatusName(run.Status), run.CreatedAt, run.CompletedAt, run.Error)));
    }

    private static string RunStatusName(WorkflowRunStatus status) => status.ToString().ToLowerInvariant();

    private static IntegrationResponse ToResponse(IntegrationView v, string? webhookSecret) => new(
        v.Id, v.Type, v.Name, v.Settings, v.HasCredentials, v.CredentialKeys, v.HasWebhookSecret, WebhookUrl(v), webhookSecret, v.Status, v.StatusMessage,
        v.PollIntervalSeconds, v.CronSchedule, v.BackfillDays, v.LastRunAt, v.NextRunAt, v.ItemsFetched, v.LastError, v.CreatedAt, v.UpdatedAt);

    private static string? WebhookUrl(IntegrationView v) => v.Type switch
    {
        GitMesh.Domain.Signals.SignalSources.GitHub => $"/webhooks/github?integration={v.Id}",
        GitMesh.Domain.Signals.SignalSources.Webhook => $"/webhooks/ingest/{v.Id}",
        _ => null,
    };

    /// <summary>What the audit log keeps: configuration and which credential keys exist, never a secret value.</summary>
    private static IntegrationAudit AuditView(IntegrationView v) =>
        new(v.Type, v.Name, v.Settings, v.CredentialKeys, v.HasWebhookSecret, IntegrationStatusEvents.StatusName(v.Status), v.PollIntervalSeconds, v.CronSchedule, v.BackfillDays);

    private sealed record IntegrationAudit(
        string Type,
        string Name,
        IReadOnlyDictionary<string, string> Settings,
        IReadOnlyList<string> CredentialKeys,
        bool HasWebhookSecret,
        string Status,
        int PollIntervalSeconds,
        string? CronSchedule,
        int BackfillDays)
    {
        public bool CredentialsChanged { get; init; }
        public bool WebhookSecretRotated { get; init; }
    }

    private static ValidationProblem ToProblem(List<FieldError> errors)
    {
        var validation = new Validation();
        foreach (var error in errors)
        {
            validation.Add(error.Field, error.Message);
        }

        return validation.ToProblem();
    }
}
