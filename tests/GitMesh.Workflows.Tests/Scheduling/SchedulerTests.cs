using System.Collections.Concurrent;
using GitMesh.Data;
using GitMesh.Domain.Workflows;
using GitMesh.Scheduling;
using GitMesh.TestCommon;
using GitMesh.Workflows.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace GitMesh.Workflows.Tests.Scheduling;

/// <summary>Records every execution with the node that ran it and the scheduled fire time.</summary>
public sealed class CountingJob : IJob
{
    public static readonly ConcurrentQueue<(string Instance, DateTimeOffset FireTime)> Fires = new();

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        Fires.Enqueue((context.Scheduler.SchedulerInstanceId, context.ScheduledFireTimeUtc ?? DateTimeOffset.MinValue));
        return ValueTask.CompletedTask;
    }
}

public sealed class SchedulerTests
{
    [Fact]
    public async Task Two_clustered_schedulers_on_one_PostgreSQL_store_fire_each_period_once()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        await using var a = await StartSchedulerAsync(db.Info, "node-a");
        await using var b = await StartSchedulerAsync(db.Info, "node-b");
        var scheduler = await a.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var job = JobBuilder.Create<CountingJob>().WithIdentity("counting", "test").Build();
        var trigger = TriggerBuilder.Create().WithIdentity("counting", "test").StartNow()
            .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromSeconds(1)).RepeatForever()).Build();
        await scheduler.ScheduleJob(job, trigger, new ScheduleJobOptions { Replace = true });

        await Eventually.GetAsync(() => Task.FromResult(CountingJob.Fires.Count), n => n >= 5, "five fires", limitSeconds: 90);

        var fires = CountingJob.Fires.ToList();
        fires.GroupBy(f => f.FireTime).Where(g => g.Count() > 1).ShouldBeEmpty("no period fired on both nodes");
        (await scheduler.GetSchedulerInstanceId()).ShouldBe("node-a");
    }

    [Theory, Providers]
    public async Task A_schedule_row_starts_its_workflow_and_a_fire_missed_while_down_is_caught_up_once(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var now = DateTime.UtcNow;
        await using (var context = db.CreateContext())
        {
            var schedule = new WorkflowSchedule
            {
                Name = "test:every-hour",
                WorkflowType = nameof(ThreeStepWorkflow),
                InputJson = "{\"value\":1}",
                CreatedAt = now,
                UpdatedAt = now,
            };
            schedule.SetTiming(null, 3600);
            // Three periods were missed while no scheduler ran.
            schedule.NextFireAt = now.AddHours(-3);
            context.Add(schedule);
            await context.SaveChangesAsync();
        }

        await using var host = await StartSchedulerAsync(db.Info, "solo");
        var runs = await Eventually.GetAsync(
            () => host.WithDbAsync(d => d.WorkflowRuns.Where(r => r.WorkflowId.StartsWith("schedule:test:every-hour:")).ToListAsync()),
            r => r.Count >= 1, "the catch-up run");
        await host.Services.GetRequiredService<ScheduleSynchronizer>().SyncAsync(CancellationToken.None);

        runs = await host.WithDbAsync(d => d.WorkflowRuns.Where(r => r.WorkflowId.StartsWith("schedule:test:every-hour:")).ToListAsync());
        runs.Count.ShouldBe(1, "one catch-up fire, not one per missed period");
        runs[0].WorkflowType.ShouldBe(nameof(ThreeStepWorkflow));
        var stored = await host.WithDbAsync(d => d.Set<WorkflowSchedule>().SingleAsync(s => s.Name == "test:every-hour"));
        stored.NextFireAt.ShouldNotBeNull();
        stored.NextFireAt!.Value.ShouldBeGreaterThan(now.AddMinutes(59));
        (await host.WithDbAsync(d => d.Set<WorkflowSchedule>().AnyAsync(s => s.Name == "system:prune-workflow-runs"))).ShouldBeTrue();
    }

    private static Task<WorkflowTestHost> StartSchedulerAsync(DatabaseInfo database, string instanceId)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = database.Provider.ToString(),
            ["Database:ConnectionString"] = database.ConnectionString,
            ["Scheduling:InstanceId"] = instanceId,
            ["Scheduling:ClusterCheckinInterval"] = "00:00:01",
        }).Build();
        return WorkflowTestHost.StartAsync(database, TimeProvider.System, worker: false, extra: s =>
        {
            s.AddGitMeshScheduler(configuration);
            s.AddSingleton(sp => sp.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<ScheduleSynchronizer>().Single());
        });
    }
}
