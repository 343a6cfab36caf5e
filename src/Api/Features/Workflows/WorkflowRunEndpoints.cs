using System.Globalization;
using System.Text.Json;
using System.Text;
using GitMesh.Api.Features.Signals;
using GitMesh.Api.Features.Workspaces;
using GitMesh.Api.Http;
using GitMesh.Data;
using GitMesh.Domain.Workflows;
using GitMesh.Domain.Workspaces;
using GitMesh.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;

namespace GitMesh.Api.Features.Workflows;

public sealed record WorkflowRunSummary(
    Guid Id, string WorkflowType, string WorkflowId, WorkflowRunStatus Status, Guid? WorkspaceId, Guid? IntegrationId, Guid? ParentRunId,
    string? Error, bool CancelRequested, DateTime CreatedAt, DateTime? StartedAt, DateTime? CompletedAt, DateTime NextRunAt);

public sealed record WorkflowRunPage(IReadOnlyList<WorkflowRunSummary> Items, string? NextCursor);

public sealed record WorkflowStepAttemptResponse(int Attempt, string Outcome, string? Error, string? WorkerId, DateTime StartedAt, DateTime FinishedAt);

public sealed record WorkflowStepResponse(
    Guid Id, string Name, int Sequence, string Kind, string Status, int Attempts, string? Error, JsonElement? Result,
    DateTime StartedAt, DateTime? CompletedAt, DateTime? NextAttemptAt, IReadOnlyList<WorkflowStepAttemptResponse> AttemptHistory);

public sealed record WorkflowSignalResponse(Guid Id, string Name, DateTime CreatedAt, DateTime? ConsumedAt);

public sealed record WorkflowRunDetail(
    WorkflowRunSummary Run, JsonElement? Input, JsonElement? Output, IReadOnlyList<WorkflowStepResponse> Steps, IReadOnlyList<WorkflowSignalResponse> Signals);

public sealed record WorkflowRunActionResponse(Guid RunId, WorkflowRunStatus Status, bool CancelRequested);

/// <summary>
/// Durable workflow runs of a workspace: list, detail with step history, and the operator actions (cancel, retry,
/// signal). Runs without a workspace (system jobs) are listed under /api/v1/system/workflow-runs for instance admins.
/// </summary>
public static class WorkflowRunEndpoints
{
    public const int MaxSignalNameLength = 200;

    /// <summary>Workflow runs and schedules (workspace-scoped and instance-wide).</summary>
    private static readonly QueryParameter[] RunListQuery =
    [
        new("type", "Workflow type, e.g. connector-run."),
        new("status", "Run status.", Values: ["pending", "running", "waiting", "completed", "failed", "cancelled"]),
        new("integrationId", "Only runs of this integration.", Format: "uuid"),
        .. CommonQuery.Page(50, SignalEndpoints.MaxLimit),
    ];

    public static IEndpointRouteBuilder MapWorkflowEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/workspaces/{workspaceId:guid}/workflow-runs").WithTags("Workflows").RequireWorkspaceAccess();
        group.MapGet("/", ListAsync)
            .WithSummary("Workflow runs of the workspace, newest first; filter by type, status, integrationId; keyset paging with limit and cursor.")
            .WithQueryParameters(RunListQuery);
        group.MapGet("/{runId:guid}", GetAsync).WithSummary("One run with input, output, error, timings, steps (with failed-attempt history) and signals.");
        group.MapPost("/{runId:guid}/cancel", CancelAsync).WithSummary("Request cancellation of an active run.").WithMinimumRole(WorkspaceRole.Admin);
        group.MapPost("/{runId:guid}/retry", RetryAsync)
            .WithSummary("Re-run a failed run: completed steps keep their results, failed steps get fresh attempts. 409 unless the run failed.")
            .WithMinimumRole(WorkspaceRole.Admin);
        group.MapPost("/{runId:guid}/signals/{name}", SignalAsync)
            .WithSummary("Deliver a named signal to an active run; the JSON body (optional) is the payload.").WithMinimumRole(WorkspaceRole.Admin);

        var system = app.MapGroup("/api/v1/system/workflow-runs").WithTags("Workflows").RequireInstanceAdmin();
        system.MapGet("/", (HttpContext http, GitMeshDbContext db, CancellationToken ct) => ListCoreAsync(http, db, null, ct))
            .WithSummary("Runs without a workspace (system jobs), newest first. Callers must be owner or admin of at least one workspace.")
            .WithQueryParameters(RunListQuery);
        system.MapGet("/{runId:guid}", (Guid runId, GitMeshDbContext db, CancellationToken ct) => GetCoreAsync(db, null, runId, ct))
            .WithSummary("One system run with its steps. Callers must be owner or admin of at least one workspace.");

        app.MapScheduleEndpoints();
        return app;
    }

    private static Task<Results<Ok<WorkflowRunPage>, ValidationProblem>> ListAsync(Guid workspaceId, HttpContext http, GitMeshDbContext db, CancellationToken ct) =>
        ListCoreAsync(http, db, workspaceId, ct);

    private static async Task<Results<Ok<WorkflowRunPage>, ValidationProblem>> ListCoreAsync(HttpContext http, GitMeshDbContext db, Guid? workspaceId, CancellationToken ct)
    {
        var query = http.Request.Query;
        var validation = new Validation();
        var limit = SignalEndpoints.ParseLimit(query["limit"], 50, SignalEndpoints.MaxLimit, validation);
        var runs = db.WorkflowRuns.AsNoTracking().Where(r => r.WorkspaceId == workspaceId);
        if (query["type"].ToString() is { Length: > 0 } type)
        {
            runs = runs.Where(r => r.WorkflowType == type);
        }

        if (query["status"].ToString() is { Length: > 0 } rawStatus)
        {
            if (Enum.TryParse<WorkflowRunStatus>(rawStatus, ignoreCase: true, out var status) && Enum.IsDefined(status) && !int.TryParse(rawStatus, out _))
            {
                runs = runs.Where(r => r.Status == status);
            }
            else
            {
                validation.Add("status", "'status' must be one of pending, running, waiting, completed, failed, cancelled.");
            }
        }

        if (query["integrationId"].ToString() is { Length: > 0 } rawIntegration)
        {
            if (Guid.TryParse(rawIntegration, out var integrationId))
            {
                runs = runs.Where(r => r.IntegrationId == integrationId);
            }
            else
            {
                validation.Add("integrationId", "'integrationId' must be a GUID.");
            }
        }

        if (query["cursor"].ToString() is { Length: > 0 } cursor)
        {
            if (TimeIdCursor.TryDecode(cursor, out var at, out var id))
            {
                runs = runs.Where(r => r.CreatedAt < at || (r.CreatedAt == at && r.Id.CompareTo(id) < 0));
            }
            else
            {
                validation.Add("cursor", "The cursor is invalid.");
            }
        }

        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var rows = await runs.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(limit + 1).ToListAsync(ct);
        string? next = null;
        if (rows.Count > limit)
        {
            rows.RemoveAt(limit);
            next = TimeIdCursor.Encode(rows[^1].CreatedAt, rows[^1].Id);
        }

        return TypedResults.Ok(new WorkflowRunPage(rows.Select(Summarize).ToList(), next));
    }

    private static Task<Results<Ok<WorkflowRunDetail>, ProblemHttpResult>> GetAsync(Guid workspaceId, Guid runId, GitMeshDbContext db, CancellationToken ct) =>
        GetCoreAsync(db, workspaceId, runId, ct);

    private static async Task<Results<Ok<WorkflowRunDetail>, ProblemHttpResult>> GetCoreAsync(GitMeshDbContext db, Guid? workspaceId, Guid runId, CancellationToken ct)
    {
        var run = await FindAsync(db, workspaceId, runId, ct);
        if (run is null)
        {
            return RunNotFound();
        }

        var steps = await db.WorkflowSteps.AsNoTracking().Where(s => s.RunId == runId).OrderBy(s => s.Sequence).ToListAsync(ct);
        var attempts = (await db.Set<WorkflowStepAttempt>().AsNoTracking().Where(a => a.RunId == runId).ToListAsync(ct))
            .OrderBy(a => a.Attempt).ThenBy(a => a.StartedAt).ToLookup(a => a.StepId);
        var signals = (await db.WorkflowSignals.AsNoTracking().Where(s => s.RunId == runId).ToListAsync(ct)).OrderBy(s => s.CreatedAt).ToList();
        return TypedResults.Ok(new WorkflowRunDetail(
            Summarize(run),
            ParseJson(run.InputJson),
            ParseJson(run.OutputJson),
            steps.Select(s => new WorkflowStepResponse(s.Id, s.Name, s.Sequence, s.Kind, s.Status, s.Attempts, s.Error, ParseJson(s.ResultJson),
                s.StartedAt, s.CompletedAt, s.NextAttemptAt,
                attempts[s.Id].Select(a => new WorkflowStepAttemptResponse(a.Attempt, a.Outcome, a.Error, a.WorkerId, a.StartedAt, a.FinishedAt)).ToList())).ToList(),
            signals.Select(s => new WorkflowSignalResponse(s.Id, s.Name, s.CreatedAt, s.ConsumedAt)).ToList()));
    }

    private static async Task<Results<Accepted<WorkflowRunActionResponse>, ProblemHttpResult>> CancelAsync(
        Guid workspaceId, Guid runId, HttpContext http, GitMeshDbContext db, IWorkflowClient client, TimeProvider time, CancellationToken ct)
    {
        var run = await FindAsync(db, workspaceId, runId, ct);
        if (run is null)
        {
            return RunNotFound();
        }

        if (run.IsFinished || !await client.CancelAsync(runId, ct))
        {
            return TypedResults.Problem($"The run is not active (it is {StatusName(run.Status)}); only active runs can be cancelled.",
                statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        AuditTrail.Record(db, workspaceId, http.Access().Caller, time.GetUtcNow().UtcDateTime, "workflow_run.cancel_requested", "workflow_run", runId.ToString(),
            new { Status = run.Status.ToString() }, null);
        await db.SaveChangesAsync(ct);
        var after = await FindAsync(db, workspaceId, runId, ct);
        return TypedResults.Accepted($"/api/v1/workspaces/{workspaceId}/workflow-runs/{runId}",
            new WorkflowRunActionResponse(runId, after?.Status ?? run.Status, after?.CancelRequested ?? true));
    }

    private static async Task<Results<Accepted<WorkflowRunActionResponse>, ProblemHttpResult>> RetryAsync(
        Guid workspaceId, Guid runId, HttpContext http, GitMeshDbContext db, IWorkflowClient client, TimeProvider time, CancellationToken ct)
    {
        var run = await FindAsync(db, workspaceId, runId, ct);
        if (run is null)
        {
            return RunNotFound();
        }

        switch (await client.RetryAsync(runId, ct))
        {
            case RetryRunOutcome.NotFound:
                return RunNotFound();
            case RetryRunOutcome.NotFailed:
                return TypedResults.Problem($"Only failed runs can be retried; this run is {StatusName(run.Status)}.",
                    statusCode: StatusCodes.Status409Conflict, title: "Conflict");
            case RetryRunOutcome.ActiveRunExists:
                return TypedResults.Problem($"Another run of workflow id '{run.WorkflowId}' is active; wait for it or cancel it first.",
                    statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        AuditTrail.Record(db, workspaceId, http.Access().Caller, time.GetUtcNow().UtcDateTime, "workflow_run.retried", "workflow_run", runId.ToString(),
            new { Status = run.Status.ToString(), run.Error }, new { Status = nameof(WorkflowRunStatus.Pending) });
        await db.SaveChangesAsync(ct);
        var after = await FindAsync(db, workspaceId, runId, ct);
        return TypedResults.Accepted($"/api/v1/workspaces/{workspaceId}/workflow-runs/{runId}",
            new WorkflowRunActionResponse(runId, after?.Status ?? WorkflowRunStatus.Pending, after?.CancelRequested ?? false));
    }

    private static async Task<Results<Accepted<WorkflowSignalResponse>, ValidationProblem, ProblemHttpResult>> SignalAsync(
        Guid workspaceId, Guid runId, string name, HttpContext http, GitMeshDbContext db, IWorkflowClient client, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation().Required("name", name).MaxLength("name", name, MaxSignalNameLength);
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        // The body is optional (a bare signal has payload null), so it is read here rather than bound: a bound body
        // would make a request without Content-Type miss the route. Malformed JSON surfaces as a 400 problem.
        JsonElement? payload = null;
        if (http.Request.ContentLength is > 0 || (http.Request.ContentLength is null && http.Request.Headers.TransferEncoding.Count > 0))
        {
            if (!http.Request.HasJsonContentType())
            {
                return TypedResults.Problem("The signal payload must be JSON (Content-Type: application/json).",
                    statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");
            }

            payload = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body, cancellationToken: ct);
        }

        var run = await FindAsync(db, workspaceId, runId, ct);
        if (run is null)
        {
            return RunNotFound();
        }

        var value = payload ?? default;
        var delivered = !run.IsFinished && (payload is null
            ? await client.SignalAsync<object?>(runId, name, null, ct)
            : await client.SignalAsync(runId, name, value, ct));
        if (!delivered)
        {
            return TypedResults.Problem($"The run is not active (it is {StatusName(run.Status)}); signals go to active runs only.",
                statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        var signal = await db.WorkflowSignals.AsNoTracking().Where(s => s.RunId == runId && s.Name == name)
            .OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id).FirstAsync(ct);
        AuditTrail.Record(db, workspaceId, http.Access().Caller, time.GetUtcNow().UtcDateTime, "workflow_run.signal_sent", "workflow_run", runId.ToString(),
            null, new { Signal = name, SignalId = signal.Id });
        await db.SaveChangesAsync(ct);
        return TypedResults.Accepted($"/api/v1/workspaces/{workspaceId}/workflow-runs/{runId}",
            new WorkflowSignalResponse(signal.Id, signal.Name, signal.CreatedAt, signal.ConsumedAt));
    }

    /// <summary>The run only when it belongs to <paramref name="workspaceId"/> (null: system runs), so other tenants' ids are 404.</summary>
    private static Task<WorkflowRun?> FindAsync(GitMeshDbContext db, Guid? workspaceId, Guid runId, CancellationToken ct) =>
        db.WorkflowRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId && r.WorkspaceId == workspaceId, ct);

    private static ProblemHttpResult RunNotFound() =>
        TypedResults.Problem("Workflow run not found.", statusCode: StatusCodes.Status404NotFound, title: "Not found");

    private static string StatusName(WorkflowRunStatus status) => status.ToString().ToLowerInvariant();

    internal static WorkflowRunSummary Summarize(WorkflowRun r) =>
        new(r.Id, r.WorkflowType, r.WorkflowId, r.Status, r.WorkspaceId, r.IntegrationId, r.ParentRunId, r.Error, r.CancelRequested,
            r.CreatedAt, r.StartedAt, r.CompletedAt, r.NextRunAt);

    private static JsonElement? ParseJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(json);
        }
    }
}
