using GitMesh.Data;
using GitMesh.Domain.Workflows;
using GitMesh.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace GitMesh.Scheduling;

/// <summary>
/// Fired by a schedule's trigger: starts the schedule's workflow with id "schedule:{name}:{scheduled fire time}" and
/// nothing else. The id makes a fire idempotent (a recovered or duplicate fire finds the run already there).
/// </summary>
[DisallowConcurrentExecution]
public sealed class ScheduledWorkflowJob(IServiceScopeFactory scopes, TimeProvider time) : IJob
{
    public const string ScheduleIdKey = "scheduleId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var scheduleId = Guid.Parse(context.MergedJobDataMap.GetString(ScheduleIdKey)!);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
        var schedule = await db.Set<WorkflowSchedule>().FirstOrDefaultAsync(s => s.Id == scheduleId, cancellationToken);
        if (schedule is null || !schedule.Enabled)
        {
            return;
        }

        var fireTime = context.ScheduledFireTimeUtc?.UtcDateTime ?? time.GetUtcNow().UtcDateTime;
        await FireAsync(scope.ServiceProvider, schedule, fireTime, context.NextFireTimeUtc?.UtcDateTime, cancellationToken);
    }

    /// <summary>Starts the workflow for one fire time and records it on the schedule.</summary>
    public static async Task<WorkflowHandle> FireAsync(IServiceProvider services, WorkflowSchedule schedule, DateTime fireTimeUtc, DateTime? nextFireUtc, CancellationToken cancellationToken)
    {
        var client = services.GetRequiredService<IWorkflowClient>();
        var db = services.GetRequiredService<GitMeshDbContext>();
        var handle = await client.StartAsync(schedule.WorkflowType, $"schedule:{schedule.Name}:{fireTimeUtc:yyyyMMdd'T'HHmmss'Z'}", schedule.InputJson,
            new WorkflowStartOptions { WorkspaceId = schedule.WorkspaceId, IdReusePolicy = WorkflowIdReusePolicy.RejectDuplicate }, cancellationToken);
        var id = schedule.Id;
        await db.Set<WorkflowSchedule>().Where(s => s.Id == id)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.LastFiredAt, fireTimeUtc)
                .SetProperty(x => x.NextFireAt, nextFireUtc), cancellationToken);
        return handle;
    }
}

/// <summary>
/// Starts the connector workflow of every active integration whose NextRunAt has passed (or was never set), then moves
/// NextRunAt to the next cron occurrence or now + PollIntervalSeconds. After downtime a due integration fires once,
/// not once per missed period.
/// </summary>
[DisallowConcurrentExecution]
public sealed class DueIntegrationsJob(IServiceScopeFactory scopes, TimeProvider time, Microsoft.Extensions.Options.IOptions<SchedulingOptions> options) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await SweepAsync(cancellationToken);

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
        var client = scope.ServiceProvider.GetRequiredService<IWorkflowClient>();
        var now = time.GetUtcNow().UtcDateTime;
        var due = await db.Integrations.IgnoreQueryFilters().AsNoTracking()
            .Where(i => i.Status == GitMesh.Domain.Integrations.IntegrationStatus.Active && (i.NextRunAt == null || i.NextRunAt <= now))
            .OrderBy(i => i.NextRunAt).Take(200)
            .Select(i => new { i.Id, i.WorkspaceId, i.CronSchedule, i.PollIntervalSeconds, i.NextRunAt })
            .ToListAsync(cancellationToken);
        foreach (var integration in due)
        {
            await client.StartAsync(options.Value.IntegrationWorkflowType, $"connector:{integration.Id}",
                WorkflowJson.Serialize(new { integrationId = integration.Id, workspaceId = integration.WorkspaceId }),
                new WorkflowStartOptions { WorkspaceId = integration.WorkspaceId, IntegrationId = integration.Id }, cancellationToken);
            var next = ScheduleTiming.Next(integration.CronSchedule, integration.PollIntervalSeconds, now);
            var id = integration.Id;
            var seen = integration.NextRunAt;
            // Guarded by the value we read: a concurrent sweep (or an API edit) wins instead of being overwritten.
            await db.Integrations.IgnoreQueryFilters().Where(i => i.Id == id && i.NextRunAt == seen)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.NextRunAt, next), cancellationToken);
        }

        return due.Count;
    }
}
