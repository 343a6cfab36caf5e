using GitMesh.Api.Features.Auth;
using GitMesh.Api.Features.Workspaces;
using GitMesh.Api.Http;
using GitMesh.Data;
using GitMesh.Domain.Workflows;
using GitMesh.Domain.Workspaces;
using GitMesh.Scheduling;
using GitMesh.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Features.Workflows;

public sealed record ScheduleResponse(
    Guid Id, Guid? WorkspaceId, string Name, string? Description, string WorkflowType, string? Cron, int? IntervalSeconds, bool Enabled,
    DateTime? LastFiredAt, DateTime? NextFireAt, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>
/// Partial update. Giving <paramref name="Cron"/> or <paramref name="IntervalSeconds"/> replaces the timing with exactly what is
/// given (so sending only an interval switches a cron schedule to an interval, and sending both is rejected).
/// </summary>
public sealed record UpdateScheduleRequest(string? Cron, int? IntervalSeconds, bool? Enabled);

public sealed record ScheduleRunResponse(Guid ScheduleId, Guid RunId, string WorkflowId, WorkflowRunStatus Status, bool Created);

/// <summary>
/// Schedules. A schedule with a workspace is managed under /api/v1/workspaces/{workspaceId}/schedules (read: viewer;
/// change and run now: admin; audited). System schedules have no workspace (instance-wide jobs such as retention pruning):
/// they are managed under /api/v1/schedules by users who are owner or admin of at least one workspace (API keys, being
/// bound to one workspace, are refused there); having no workspace, those changes are logged, not audited. Timing and
/// enabled changes reach the scheduler at its next sync (Scheduling:SyncInterval).
/// </summary>
public static partial class ScheduleEndpoints
{
    public static IEndpointRouteBuilder MapScheduleEndpoints(this IEndpointRouteBuilder app)
    {
        var workspace = app.MapGroup("/api/v1/workspaces/{workspaceId:guid}/schedules").WithTags("Schedules").RequireWorkspaceAccess();
        workspace.MapGet("/", (Guid workspaceId, GitMeshDbContext db, CancellationToken ct) => ListAsync(db, workspaceId, ct))
            .WithSummary("The workspace's schedules.");
        workspace.MapPatch("/{scheduleId:guid}", (Guid workspaceId, Guid scheduleId, UpdateScheduleRequest request, HttpContext http, GitMeshDbContext db,
                TimeProvider time, ILoggerFactory logs, CancellationToken ct) => UpdateAsync(db, workspaceId, scheduleId, request, http, time, logs, ct))
            .WithSummary("Change a schedule's cron, interval (seconds) or enabled flag.").WithMinimumRole(WorkspaceRole.Admin);
        workspace.MapPost("/{scheduleId:guid}/run", (Guid workspaceId, Guid scheduleId, HttpContext http, IServiceProvider services, GitMeshDbContext db,
                TimeProvider time, ILoggerFactory logs, CancellationToken ct) => RunNowAsync(db, services, workspaceId, scheduleId, http, time, logs, ct))
            .WithSummary("Start the schedule's workflow now (does not move the next planned fire).").WithMinimumRole(WorkspaceRole.Admin);

        var system = app.MapGroup("/api/v1/schedules").WithTags("Schedules").RequireInstanceAdmin();
        system.MapGet("/", (GitMeshDbContext db, CancellationToken ct) => ListAsync(db, null, ct))
            .WithSummary("System (instance-wide) schedules. Callers must be owner or admin of at least one workspace.");
        system.MapPatch("/{scheduleId:guid}", (Guid scheduleId, UpdateScheduleRequest request, HttpContext http, GitMeshDbContext db, TimeProvider time,
                ILoggerFactory logs, CancellationToken ct) => UpdateAsync(db, null, scheduleId, request, http, time, logs, ct))
            .WithSummary("Change a system schedule's cron, interval (seconds) or enabled flag.");
        system.MapPost("/{scheduleId:guid}/run", (Guid scheduleId, HttpContext http, IServiceProvider services, GitMeshDbContext db, TimeProvider time,
                ILoggerFactory logs, CancellationToken ct) => RunNowAsync(db, services, null, scheduleId, http, time, logs, ct))
            .WithSummary("Start a system schedule's workflow now.");
        return app;
    }

    /// <summary>
    /// Guards instance-wide routes: an authenticated user who is owner or admin of at least one workspace, else 403.
    /// </summary>
    public static RouteGroupBuilder RequireInstanceAdmin(this RouteGroupBuilder group)
    {
        group.RequireAuthorization();
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var caller = Caller.From(http.User);
            var allowed = caller.UserId is { } userId && await http.RequestServices.GetRequiredService<GitMeshDbContext>().Memberships.IgnoreQueryFilters()
                .AnyAsync(m => m.UserId == userId && (m.Role == WorkspaceRole.Admin || m.Role == WorkspaceRole.Owner), http.RequestAborted);
            if (!allowed)
            {
                return TypedResults.Problem("Instance-wide workflows and schedules are for users who are owner or admin of at least one workspace.",
                    statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
            }

            return await next(context);
        });
        return group;
    }

    private static async Task<Ok<IReadOnlyList<ScheduleResponse>>> ListAsync(GitMeshDbContext db, Guid? workspaceId, CancellationToken ct)
    {
        var rows = await db.Set<WorkflowSchedule>().AsNoTracking().Where(s => s.WorkspaceId == workspaceId).OrderBy(s => s.Name).ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<ScheduleResponse>>(rows.Select(ToResponse).ToList());
    }

    private static async Task<Results<Ok<ScheduleResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        GitMeshDbContext db, Guid? workspaceId, Guid scheduleId, UpdateScheduleRequest request, HttpContext http, TimeProvider time, ILoggerFactory logs,
        CancellationToken ct)
    {
        var validation = new Validation();
        var changesTiming = request.Cron is not null || request.IntervalSeconds is not null;
        if (!changesTiming && request.Enabled is null)
        {
            validation.Add("body", "Give at least one of 'cron', 'intervalSeconds', 'enabled'.");
        }

        if (changesTiming && ScheduleTiming.Validate(request.Cron, request.IntervalSeconds) is { } timingError)
        {
            validation.Add(request.Cron is not null && request.IntervalSeconds is null ? "cron" : request.Cron is null ? "intervalSeconds" : "timing", timingError);
        }

        validation.MaxLength("cron", request.Cron, 120);
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var schedule = await db.Set<WorkflowSchedule>().FirstOrDefaultAsync(s => s.Id == scheduleId && s.WorkspaceId == workspaceId, ct);
        if (schedule is null)
        {
            return ScheduleNotFound();
        }

        var before = new { Cron = schedule.CronExpression, schedule.IntervalSeconds, schedule.Enabled };
        if (changesTiming)
        {
            schedule.SetTiming(request.Cron, request.IntervalSeconds);
        }

        if (request.Enabled is { } enabled)
        {
            schedule.Enabled = enabled;
        }

        var now = time.GetUtcNow().UtcDateTime;
        schedule.UpdatedAt = now;
        var after = new { Cron = schedule.CronExpression, schedule.IntervalSeconds, schedule.Enabled };
        Record(db, workspaceId, http, now, "schedule.updated", schedule, before, after, logs);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToResponse(schedule));
    }

    private static async Task<Results<Accepted<ScheduleRunResponse>, ProblemHttpResult>> RunNowAsync(
        GitMeshDbContext db, IServiceProvider services, Guid? workspaceId, Guid scheduleId, HttpContext http, TimeProvider time, ILoggerFactory logs,
        CancellationToken ct)
    {
        var schedule = await db.Set<WorkflowSchedule>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == scheduleId && s.WorkspaceId == workspaceId, ct);
        if (schedule is null)
        {
            return ScheduleNotFound();
        }

        var now = time.GetUtcNow().UtcDateTime;
        // Same start path as a planned fire (idempotent workflow id from the fire time); the next planned fire is kept.
        var handle = await ScheduledWorkflowJob.FireAsync(services, schedule, now, schedule.NextFireAt, ct);
        Record(db, workspaceId, http, now, "schedule.run_now", schedule, null, new { handle.RunId, handle.WorkflowId }, logs);
        await db.SaveChangesAsync(ct);
        var location = workspaceId is { } ws ? $"/api/v1/workspaces/{ws}/workflow-runs/{handle.RunId}" : $"/api/v1/system/workflow-runs/{handle.RunId}";
        return TypedResults.Accepted(location, new ScheduleRunResponse(schedule.Id, handle.RunId, handle.WorkflowId, handle.Status, handle.Created));
    }

    private static void Record(GitMeshDbContext db, Guid? workspaceId, HttpContext http, DateTime now, string action, WorkflowSchedule schedule, object? before,
        object? after, ILoggerFactory logs)
    {
        if (workspaceId is { } ws)
        {
            AuditTrail.Record(db, ws, http.Access().Caller, now, action, "schedule", schedule.Id.ToString(), before, after);
            return;
        }

        var caller = Caller.From(http.User);
        Log.SystemScheduleChanged(logs.CreateLogger(typeof(ScheduleEndpoints).FullName!), action, schedule.Name, caller.UserId);
    }

    private static ScheduleResponse ToResponse(WorkflowSchedule s) =>
        new(s.Id, s.WorkspaceId, s.Name, s.Description, s.WorkflowType, s.CronExpression, s.IntervalSeconds, s.Enabled, s.LastFiredAt, s.NextFireAt,
            s.CreatedAt, s.UpdatedAt);

    private static ProblemHttpResult ScheduleNotFound() =>
        TypedResults.Problem("Schedule not found.", statusCode: StatusCodes.Status404NotFound, title: "Not found");

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "System schedule action {Action} on {ScheduleName} by user {UserId}")]
        public static partial void SystemScheduleChanged(ILogger logger, string action, string scheduleName, Guid? userId);
    }
}
