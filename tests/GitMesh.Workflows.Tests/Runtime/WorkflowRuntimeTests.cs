using GitMesh.Data;
using GitMesh.Domain.Workflows;
using GitMesh.TestCommon;
using GitMesh.Workflows.Retention;
using GitMesh.Workflows.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Workflows.Tests.Runtime;

public sealed class WorkflowRuntimeTests
{
    [Theory, Providers]
    public async Task Steps_run_once_each_and_the_output_is_kept(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var host = await WorkflowTestHost.StartAsync(db.Info, new FakeTimeProvider());

        var handle = await host.WithClientAsync(c => c.StartAsync<ThreeStepWorkflow, NumberInput>("three:1", new NumberInput(4)));
        var run = await host.WaitForStatusAsync(handle.RunId, WorkflowRunStatus.Completed);

        run.OutputJson.ShouldBe("10");
        var steps = await host.GetStepsAsync(handle.RunId);
        steps.Select(s => (s.Name, s.Status, s.Attempts)).ShouldBe([("add-one", "completed", 1), ("double", "completed", 1), ("notify", "completed", 1)]);
        steps[0].IdempotencyKey.ShouldBe($"{handle.RunId:N}:add-one");
        host.Log.For(handle.RunId).Count.ShouldBe(3);
    }

    [Theory, Providers]
    public async Task Starting_an_active_workflow_id_again_returns_the_same_run(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var host = await WorkflowTestHost.StartAsync(db.Info, new FakeTimeProvider(), worker: false);

        var handles = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            host.WithClientAsync(c => c.StartAsync<ThreeStepWorkflow, NumberInput>("same-id", new NumberInput(i)))));

        handles.Select(h => h.RunId).Distinct().Count().ShouldBe(1);
        handles.Count(h => h.Created).ShouldBe(1);
        (await host.WithDbAsync(d => d.WorkflowRuns.CountAsync(r => r.WorkflowId == "same-id"))).ShouldBe(1);
    }

    [Theory, Providers]
    public async Task A_failing_step_is_retried_with_exponential_backoff_and_then_succeeds(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider();
        await using var host = await WorkflowTestHost.StartAsync(db.Info, clock);
        var handle = await host.WithClientAsync(c => c.StartAsync<FlakyWorkflow, FlakyInput>("flaky:1", new FlakyInput(FailTimes: 2, MaxAttempts: 5)));

        var parked = await host.WaitParkedAsync(handle.RunId);
        parked.NextRunAt.ShouldBe(clock.GetUtcNow().UtcDateTime.AddSeconds(10));
        clock.Advance(TimeSpan.FromSeconds(10));
        host.Nudge();

        await Eventually.GetAsync(() => host.GetStepsAsync(handle.RunId), s => s.Single(x => x.Name == "call").Attempts == 2 && s.Single(x => x.Name == "call").Status == "retrying", "second attempt");
        parked = await host.WaitParkedAsync(handle.RunId);
        parked.NextRunAt.ShouldBe(clock.GetUtcNow().UtcDateTime.AddSeconds(20), "the second delay doubles");
        clock.Advance(TimeSpan.FromSeconds(20));
        host.Nudge();

        var run = await host.WaitForStatusAsync(handle.RunId, WorkflowRunStatus.Completed);
        run.OutputJson.ShouldBe("\"ok after 3\"");
        host.Log.Count(handle.RunId, "prepare").ShouldBe(1, "a completed step is never executed again on replay");
        host.Log.Count(handle.RunId, "call").ShouldBe(3);
        var attempts = await host.WithDbAsync(d => d.Set<WorkflowStepAttempt>().Where(a => a.RunId == handle.RunId).OrderBy(a => a.Attempt).ToListAsync());
        attempts.Select(a => (a.Attempt, a.Outcome)).ShouldBe([(1, "retrying"), (2, "retrying")]);
        attempts[0].Error!.ShouldContain("boom 1");
    }

    [Theory, Providers]
    public async Task A_permanently_failing_step_fails_the_run_and_keeps_the_error(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider();
        await using var host = await WorkflowTestHost.StartAsync(db.Info, clock);
        var handle = await host.WithClientAsync(c => c.StartAsync<FlakyWorkflow, FlakyInput>("flaky:2", new FlakyInput(FailTimes: 99, MaxAttempts: 2, InitialSeconds: 0)));

        var run = await host.WaitForStatusAsync(handle.RunId, WorkflowRunStatus.Failed);

        run.Error!.ShouldContain("Step 'call' failed after 2 attempt(s)");
        run.Error!.ShouldContain("boom 2");
        var call = (await host.GetStepsAsync(handle.RunId)).Single(s => s.Name == "call");
        call.Status.ShouldBe("failed");
        call.Error!.ShouldContain("HttpRequestException: boom 2");
        (await host.WithDbAsync(d => d.Set<WorkflowStepAttempt>().CountAsync(a => a.RunId == handle.RunId))).ShouldBe(2);
    }

    [Theory, Providers]
    public async Task A_non_retryable_exception_fails_the_step_at_the_first_attempt(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var host = await WorkflowTestHost.StartAsync(db.Info, new FakeTimeProvider());
        var handle = await host.WithClientAsync(c => c.StartAsync<FlakyWorkflow, FlakyInput>("flaky:3", new FlakyInput(FailTimes: 99, MaxAttempts: 5, NonRetryable: true)));

        var run = await host.WaitForStatusAsync(handle.RunId, WorkflowRunStatus.Failed);

        run.Error!.ShouldContain("InvalidDataException: bad data");
        host.Log.Count(handle.RunId, "call").ShouldBe(1);
    }

    [Theory, Providers]
    public async Task A_rate_limited_step_parks_the_run_until_the_reset_time_without_using_an_attempt(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider();
        await using var host = await WorkflowTestHost.StartAsync(db.Info, clock);
        var retryAt = clock.GetUtcNow().AddMinutes(15);
        var handle = await host.WithClientAsync(c => c.StartAsync<RateLimitedWorkflow, RateLimitInput>("limited:1", new RateLimitInput(retryAt)));

        var parked = await host.WaitParkedAsync(handle.RunId);
        parked.NextRunAt.ShouldBe(retryAt.UtcDateTime);
        var step = (await host.GetStepsAsync(handle.RunId)).Single();
        (step.Status, step.Attempts).ShouldBe(("rate_limited", 0));

        clock.Advance(TimeSpan.FromMinutes(15));
        host.Nudge();
        var run = await host.WaitForStatusAsync(handle.RunId, WorkflowRunStatus.Completed);
        run.OutputJson.ShouldBe("\"attempt 1\"", "with MaxAttempts = 1 the step still ran after the rate limit: parking used no attempt");
    }

    [Theory, Providers]
    public async Task A_step_that_exceeds_its_timeout_is_retried_then_fails(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var host = await WorkflowTestHost.StartAsync(db.Info, new FakeTimeProvider());
        var handle = await host.WithClientAsync(c => c.StartAsync<SlowStepWorkflow, SlowInput>("slow:1", new SlowInput(50)));

        var run = await host.WaitForStatusAsync(handle.RunId, WorkflowRunStatus.Failed);

        run.Error!.ShouldContain("TimeoutException");
        host.Log.Count(handle.RunId, "slow").ShouldBe(2);
    }

    [Theory, Providers]
    public async Task A_durable_timer_survives_a_worker_restart(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider();
        Guid runId;
        ExecutionLog firstLog;
        await using (var first = await WorkflowTestHost.StartAsync(db.Info, clock))
        {
            runId = (await first.WithClientAsync(c => c.StartAsync<SleepyWorkflow, SleepInput>("sleepy:1", new SleepInput(60)))).RunId;
            var parked = await first.WaitParkedAsync(runId);
            parked.NextRunAt.ShouldBe(clock.GetUtcNow().UtcDateTime.AddHours(1));
            firstLog = first.Log;
        }

        clock.Advance(TimeSpan.FromMinutes(59));
        await using var second = await WorkflowTestHost.StartAsync(db.Info, clock);
        (await second.GetRunAsync(runId))!.Status.ShouldBe(WorkflowRunStatus.Waiting);
        clock.Advance(TimeSpan.FromMinutes(1));
        second.Nudge();

        var run = await second.WaitForStatusAsync(runId, WorkflowRunStatus.Completed);
        run.OutputJson.ShouldBe("\"woke\"");
        firstLog.Count(runId, "before").ShouldBe(1);
        second.Log.Count(runId, "before").ShouldBe(0, "the step before the timer is not re-executed after the restart");
        second.Log.Count(runId, "after").ShouldBe(1);
    }

    [Theory, Providers]
    public async Task A_signal_sent_before_the_wait_begins_is_received(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var client = await WorkflowTestHost.StartAsync(db.Info, new FakeTimeProvider(), worker: false);
        var handle = await client.WithClientAsync(c => c.StartAsync<SignalWorkflow, SignalInput>("approve:1", new SignalInput(60)));
        (await client.WithClientAsync(c => c.SignalAsync("approve:1", "approval", new Approval("ana", true)))).ShouldBeTrue();

        await using var worker = await WorkflowTestHost.StartAsync(db.Info, new FakeTimeProvider());
        var run = await worker.WaitForStatusAsync(handle.RunId, WorkflowRunStatus.Completed);

        run.OutputJson.ShouldBe("\"ana:True\"");
    }

    [Theory, Providers]
    public async Task A_signal_sent_after_the_wait_begins_wakes_the_run(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var host = await WorkflowTestHost.StartAsync(db.Info, new FakeTimeProvider());
        var handle = await host.WithClientAsync(c => c.StartAsync<SignalWorkflow, SignalInput>("approve:2", new SignalInput(60)));
        await host.WaitParkedAsync(handle.RunId);

        (await host.WithClientAsync(c => c.SignalAsync(handle.RunId, "approval", new Approval("bo", false)))).ShouldBeTrue();
        var run = await host.WaitForStatusAsync(handle.RunId, WorkflowRunStatus.Completed);

        run.OutputJson.ShouldBe("\"bo:False\"");
        host.Log.Count(handle.RunId, "ask").ShouldBe(1);
        (await host.WithDbAsync(d => d.WorkflowSignals.SingleAsync(s => s.RunId == handle.RunId))).ConsumedAt.ShouldNotBeNull();
    }

    [Theory, Providers]
    public async Task A_signal_wait_times_out_on_the_durable_clock(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider();
        await using var host = await WorkflowTestHost.StartAsync(db.Info, clock);
        var handle = await host.WithClientAsync(c => c.StartAsync<SignalWorkflow, SignalInput>("approve:3", new SignalInput(30)));
        await host.WaitParkedAsync(handle.RunId);

        clock.Advance(TimeSpan.FromMinutes(30));
        host.Nudge();

        (await host.WaitForStatusAsync(handle.RunId, WorkflowRunStatus.Completed)).OutputJson.ShouldBe("\"timed out\"");
    }

    [Theory, Providers]
    public async Task Cancelling_a_waiting_run_ends_it_cancelled(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var host = await WorkflowTestHost.StartAsync(db.Info, new FakeTimeProvider());
        var handle = await host.WithClientAsync(c => c.StartAsync<SleepyWorkflow, SleepInput>("sleepy:2", new SleepInput(600)));
        await host.WaitParkedAsync(handle.RunId);

        (await host.WithClientAsync(c => c.CancelAsync(handle.RunId))).ShouldBeTrue();
        var run = await host.WaitForStatusAsync(handle.RunId, WorkflowRunStatus.Cancelled);

        run.CompletedAt.ShouldNotBeNull();
        host.Log.Count(handle.RunId, "after").ShouldBe(0);
        (await host.WithClientAsync(c => c.CancelAsync(handle.RunId))).ShouldBeFalse("a finished run cannot be cancelled");
    }

    [Theory, Providers]
    public async Task A_parent_waits_for_its_child_workflow_and_uses_its_output(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var host = await WorkflowTestHost.StartAsync(db.Info, new FakeTimeProvider());
        var handle = await host.WithClientAsync(c => c.StartAsync<ParentWorkflow, NumberInput>("parent:1", new NumberInput(7)));

        var run = await host.WaitForStatusAsync(handle.RunId, WorkflowRunStatus.Completed);

        run.OutputJson.ShouldBe("59");
        var child = await host.WithDbAsync(d => d.WorkflowRuns.SingleAsync(r => r.ParentRunId == handle.RunId));
        (child.WorkflowId, child.Status, child.OutputJson).ShouldBe(("parent:1:child", WorkflowRunStatus.Completed, "49"));
    }

    [Theory, Providers]
    public async Task Retrying_a_failed_run_keeps_completed_steps_and_gives_failed_steps_new_attempts(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var host = await WorkflowTestHost.StartAsync(db.Info, new FakeTimeProvider());
        var handle = await host.WithClientAsync(c => c.StartAsync<FlakyWorkflow, FlakyInput>("flaky:4", new FlakyInput(FailTimes: 1, MaxAttempts: 1)));
        await host.WaitForStatusAsync(handle.RunId, WorkflowRunStatus.Failed);

        (await host.WithClientAsync(c => c.RetryAsync(handle.RunId))).ShouldBe(RetryRunOutcome.Retried);
        var run = await host.WaitForStatusAsync(handle.RunId, WorkflowRunStatus.Completed);

        run.OutputJson.ShouldBe("\"ok after 1\"", "the attempt counter restarted for the retried step");
        host.Log.Count(handle.RunId, "prepare").ShouldBe(1);
        (await host.WithClientAsync(c => c.RetryAsync(handle.RunId))).ShouldBe(RetryRunOutcome.NotFailed);
    }

    [Theory, Providers]
    public async Task Pruning_deletes_finished_runs_older_than_the_retention(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider();
        await using var host = await WorkflowTestHost.StartAsync(db.Info, clock, configure: o => o.Retention = TimeSpan.FromDays(7));
        var old = await host.WithClientAsync(c => c.StartAsync<ThreeStepWorkflow, NumberInput>("old", new NumberInput(1)));
        await host.WaitForStatusAsync(old.RunId, WorkflowRunStatus.Completed);
        var waiting = await host.WithClientAsync(c => c.StartAsync<SleepyWorkflow, SleepInput>("still-waiting", new SleepInput(100_000)));
        await host.WaitParkedAsync(waiting.RunId);
        clock.Advance(TimeSpan.FromDays(8));
        var recent = await host.WithClientAsync(c => c.StartAsync<ThreeStepWorkflow, NumberInput>("recent", new NumberInput(1)));
        await host.WaitForStatusAsync(recent.RunId, WorkflowRunStatus.Completed);

        var prune = await host.WithClientAsync(c => c.StartAsync<PruneWorkflowRunsWorkflow, PruneWorkflowRunsInput>("prune", new PruneWorkflowRunsInput()));
        var run = await host.WaitForStatusAsync(prune.RunId, WorkflowRunStatus.Completed);

        run.OutputJson.ShouldBe("1");
        (await host.GetRunAsync(old.RunId)).ShouldBeNull();
        (await host.GetStepsAsync(old.RunId)).ShouldBeEmpty();
        (await host.GetRunAsync(waiting.RunId)).ShouldNotBeNull();
        (await host.GetRunAsync(recent.RunId)).ShouldNotBeNull();
    }
}
