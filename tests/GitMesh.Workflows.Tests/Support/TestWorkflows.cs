using System.Collections.Concurrent;
using GitMesh.Connectors;

namespace GitMesh.Workflows.Tests.Support;

public sealed record StepExecution(Guid RunId, string Step, string IdempotencyKey, int Attempt);

/// <summary>Every real execution of a step body (replays do not appear here).</summary>
public sealed class ExecutionLog
{
    private readonly ConcurrentQueue<StepExecution> _entries = new();

    /// <summary>Per-run instructions for test workflows: how many times a step should still fail, etc.</summary>
    public ConcurrentDictionary<string, int> Failures { get; } = new();

    public void Add(StepContext ctx) => _entries.Enqueue(new StepExecution(ctx.RunId, ctx.StepName, ctx.IdempotencyKey, ctx.Attempt));

    public IReadOnlyList<StepExecution> For(Guid runId) => _entries.Where(e => e.RunId == runId).ToList();

    public int Count(Guid runId, string step) => _entries.Count(e => e.RunId == runId && e.Step == step);
}

public sealed record NumberInput(int Value);

public sealed class ThreeStepWorkflow(ExecutionLog log) : IWorkflow<NumberInput, int>
{
    public async Task<int> RunAsync(WorkflowContext context, NumberInput input)
    {
        var a = await context.StepAsync("add-one", ctx => { log.Add(ctx); return Task.FromResult(input.Value + 1); });
        var b = await context.StepAsync("double", ctx => { log.Add(ctx); return Task.FromResult(a * 2); });
        await context.StepAsync("notify", ctx => { log.Add(ctx); return Task.CompletedTask; });
        return b;
    }
}

public sealed record FlakyInput(int FailTimes, int MaxAttempts, bool NonRetryable = false, int InitialSeconds = 10);

/// <summary>"prepare" succeeds, "call" fails <see cref="FlakyInput.FailTimes"/> times, then succeeds.</summary>
public sealed class FlakyWorkflow(ExecutionLog log) : IWorkflow<FlakyInput, string>
{
    public async Task<string> RunAsync(WorkflowContext context, FlakyInput input)
    {
        await context.StepAsync("prepare", ctx => { log.Add(ctx); return Task.FromResult(1); });
        var retry = new RetryPolicy
        {
            MaxAttempts = input.MaxAttempts,
            InitialInterval = TimeSpan.FromSeconds(input.InitialSeconds),
            BackoffCoefficient = 2,
            Jitter = 0,
            NonRetryableExceptions = [typeof(InvalidDataException)],
        };
        return await context.StepAsync("call", ctx =>
        {
            log.Add(ctx);
            // Counted across retries of the whole run (a manual retry resets the step's attempt number).
            if (log.Count(ctx.RunId, "call") <= input.FailTimes)
            {
                throw input.NonRetryable ? new InvalidDataException("bad data") : new HttpRequestException($"boom {ctx.Attempt}");
            }

            return Task.FromResult($"ok after {ctx.Attempt}");
        }, new StepOptions { Retry = retry });
    }
}

public sealed record SleepInput(int Minutes);

public sealed class SleepyWorkflow(ExecutionLog log) : IWorkflow<SleepInput, string>
{
    public async Task<string> RunAsync(WorkflowContext context, SleepInput input)
    {
        await context.StepAsync("before", ctx => { log.Add(ctx); return Task.FromResult(0); });
        await context.SleepAsync(TimeSpan.FromMinutes(input.Minutes));
        await context.StepAsync("after", ctx => { log.Add(ctx); return Task.FromResult(0); });
        return "woke";
    }
}

public sealed record Approval(string By, bool Approved);

public sealed record SignalInput(int TimeoutMinutes);

public sealed class SignalWorkflow(ExecutionLog log) : IWorkflow<SignalInput, string>
{
    public async Task<string> RunAsync(WorkflowContext context, SignalInput input)
    {
        await context.StepAsync("ask", ctx => { log.Add(ctx); return Task.FromResult(0); });
        try
        {
            var approval = await context.WaitForSignalAsync<Approval>("approval", TimeSpan.FromMinutes(input.TimeoutMinutes));
            return $"{approval.By}:{approval.Approved}";
        }
        catch (TimeoutException)
        {
            return "timed out";
        }
    }
}

public sealed record ChildInput(int Value);

public sealed class ChildWorkflow(ExecutionLog log) : IWorkflow<ChildInput, int>
{
    public Task<int> RunAsync(WorkflowContext context, ChildInput input) =>
        context.StepAsync("square", ctx => { log.Add(ctx); return Task.FromResult(input.Value * input.Value); });
}

public sealed class ParentWorkflow(ExecutionLog log) : IWorkflow<NumberInput, int>
{
    public async Task<int> RunAsync(WorkflowContext context, NumberInput input)
    {
        var squared = await context.ExecuteChildAsync<ChildWorkflow, ChildInput, int>($"{context.WorkflowId}:child", new ChildInput(input.Value));
        return await context.StepAsync("plus-ten", ctx => { log.Add(ctx); return Task.FromResult(squared + 10); });
    }
}

public sealed record RateLimitInput(DateTimeOffset RetryAt);

public sealed class RateLimitedWorkflow(ExecutionLog log) : IWorkflow<RateLimitInput, string>
{
    public Task<string> RunAsync(WorkflowContext context, RateLimitInput input) =>
        context.StepAsync("fetch", ctx =>
        {
            log.Add(ctx);
            if (log.Count(ctx.RunId, "fetch") == 1)
            {
                throw new RateLimitedException("github", input.RetryAt);
            }

            return Task.FromResult($"attempt {ctx.Attempt}");
        }, new StepOptions { Retry = new RetryPolicy { MaxAttempts = 1 } });
}

public sealed record SlowInput(int TimeoutMs);

public sealed class SlowStepWorkflow(ExecutionLog log) : IWorkflow<SlowInput>
{
    public Task RunAsync(WorkflowContext context, SlowInput input) =>
        context.StepAsync("slow", async ctx =>
        {
            log.Add(ctx);
            await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
        }, new StepOptions { Timeout = TimeSpan.FromMilliseconds(input.TimeoutMs), Retry = new RetryPolicy { MaxAttempts = 2, InitialInterval = TimeSpan.Zero, Jitter = 0 } });
}
