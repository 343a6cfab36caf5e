using GitMesh.Data;
using GitMesh.Domain.Workflows;
using GitMesh.Hosting;
using GitMesh.Workflows.Retention;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace GitMesh.Scheduling;

/// <summary>
/// Keeps Quartz in step with the schedules table: one job + trigger per enabled schedule (cron: misfire "fire once now
/// and proceed"; interval: "fire now, keep the interval"), removed when disabled or deleted. Also seeds the system
/// schedules and the due-integrations sweep. On the in-memory store (SQLite) triggers are rebuilt at every start, so a
/// fire missed while the process was down is caught up once from the schedule's persisted NextFireAt.
/// </summary>
public sealed partial class ScheduleSynchronizer(
    ISchedulerFactory schedulerFactory,
    IServiceScopeFactory scopes,
    TimeProvider time,
    IOptions<SchedulingOptions> options,
    ILogger<ScheduleSynchronizer> logger,
    ReadinessState? readiness = null) : BackgroundService
{
    public const string ComponentName = "scheduler";
    public const string Group = "gitmesh-schedules";
    private static readonly JobKey SweepJob = new("due-integrations", "gitmesh-system");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        readiness?.Register(ComponentName);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SyncAsync(stoppingToken);
                readiness?.SetRunning(ComponentName, true);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogSyncFailed(ex);
            }

            try
            {
                await Task.Delay(options.Value.SyncInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        readiness?.SetRunning(ComponentName, false);
    }

    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
        await SeedSystemSchedulesAsync(db, cancellationToken);

        if (!await scheduler.Exists(SweepJob, cancellationToken))
        {
            var job = JobBuilder.Create<DueIntegrationsJob>().WithIdentity(SweepJob).Build();
            var trigger = TriggerBuilder.Create().WithIdentity(SweepJob.Name, SweepJob.Group).StartNow()
                .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(options.Value.IntegrationSweepInterval).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
                .Build();
            await scheduler.ScheduleJob(job, trigger, new ScheduleJobOptions { Replace = true }, cancellationToken);
        }

        var schedules = await db.Set<WorkflowSchedule>().AsNoTracking().ToListAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var schedule in schedules)
        {
            var key = new TriggerKey(schedule.Id.ToString(), Group);
            var existing = await scheduler.GetTrigger(key, cancellationToken);
            var signature = Signature(schedule);
            if (!schedule.Enabled || ScheduleTiming.Validate(schedule.CronExpression, schedule.IntervalSeconds) is not null)
            {
                if (existing is not null)
                {
                    await scheduler.DeleteJob(new JobKey(schedule.Id.ToString(), Group), cancellationToken);
                }

                continue;
            }

            if (existing is not null && existing.Description == signature)
            {
                continue;
            }

            if (existing is null && schedule.NextFireAt is { } missed && missed < now)
            {
                // Down over a planned fire (in-memory store lost its trigger): fire once now, not once per missed period.
                await ScheduledWorkflowJob.FireAsync(scope.ServiceProvider, schedule, missed, null, cancellationToken);
                LogCaughtUp(schedule.Name, missed);
            }

            var jobDetail = JobBuilder.Create<ScheduledWorkflowJob>().WithIdentity(schedule.Id.ToString(), Group)
                .UsingJobData(ScheduledWorkflowJob.ScheduleIdKey, schedule.Id.ToString()).Build();
            var builder = TriggerBuilder.Create().WithIdentity(key).WithDescription(signature).ForJob(jobDetail);
            IScheduleBuilder timing = schedule.CronExpression is { } cron
                ? CronScheduleBuilder.Create(cron).InTimeZone(TimeZoneInfo.Utc).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)
                : SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromSeconds(schedule.IntervalSeconds!.Value)).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NowWithExistingCount);
            var start = schedule.CronExpression is null ? new DateTimeOffset(now.AddSeconds(schedule.IntervalSeconds!.Value), TimeSpan.Zero) : new DateTimeOffset(now, TimeSpan.Zero);
            var trigger = builder.StartAt(start).WithSchedule(timing).Build();
            await scheduler.ScheduleJob(jobDetail, trigger, new ScheduleJobOptions { Replace = true }, cancellationToken);
            var next = trigger.GetFireTimeAfter(new DateTimeOffset(now, TimeSpan.Zero))?.UtcDateTime;
            var id = schedule.Id;
            await db.Set<WorkflowSchedule>().Where(s => s.Id == id).ExecuteUpdateAsync(s => s.SetProperty(x => x.NextFireAt, next), cancellationToken);
        }
    }

    private async Task SeedSystemSchedulesAsync(GitMeshDbContext db, CancellationToken cancellationToken)
    {
        const string name = "system:prune-workflow-runs";
        if (await db.Set<WorkflowSchedule>().AnyAsync(s => s.Name == name, cancellationToken))
        {
            return;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var schedule = new WorkflowSchedule
        {
            Name = name,
            Description = "Deletes finished workflow runs older than Workflows:Retention.",
            WorkflowType = PruneWorkflowRunsWorkflow.Name,
            InputJson = "{}",
            CreatedAt = now,
            UpdatedAt = now,
        };
        schedule.SetTiming(options.Value.PruneCron, null);
        db.Add(schedule);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another instance seeded it first (unique name).
            db.ChangeTracker.Clear();
        }
    }

    private static string Signature(WorkflowSchedule schedule) =>
        $"{schedule.CronExpression ?? $"every {schedule.IntervalSeconds}s"}";

    [LoggerMessage(Level = LogLevel.Error, Message = "Synchronising schedules with Quartz failed")]
    private partial void LogSyncFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleName} missed its fire at {MissedAt} while down; fired once now")]
    private partial void LogCaughtUp(string scheduleName, DateTime missedAt);
}
