using GitMesh.Connectors;
using GitMesh.Domain.Workflows;
using GitMesh.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GitMesh.Workflows;

/// <summary>
/// What workflow code awaits: named durable steps, timers, signals and child workflows. Every await first checks for a
/// cancellation request (the run then ends Cancelled). Waiting never blocks a worker slot: the activation ends, the run
/// parks with its wake-up time in the database, and it is replayed from the top when due.
/// </summary>
public sealed class WorkflowContext
{
    private const int MaxErrorLength = 4000;

    private readonly RunSession _session;
    private readonly IServiceProvider _services;
    private readonly HashSet<string> _usedNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _signalCounters = new(StringComparer.Ordinal);
    private readonly List<string> _awaitedSignals = [];
    private readonly List<Guid> _awaitedChildren = [];
    private readonly Lock _suspendLock = new();
    private int _sleepCounter;
    private DateTime? _suspendedUntil;

    internal WorkflowContext(RunSession session, IServiceProvider services, ILogger logger)
    {
        _session = session;
        _services = services;
        Logger = logger;
    }

    public Guid RunId => _session.Run.Id;
    public string WorkflowId => _session.Run.WorkflowId;
    public string WorkflowType => _session.Run.WorkflowType;
    public Guid? WorkspaceId => _session.Run.WorkspaceId;
    public Guid? IntegrationId => _session.Run.IntegrationId;
    public ILogger Logger { get; }

    /// <summary>Cancelled when this worker stops or loses the run's lease (a cancel request surfaces at the next await instead).</summary>
    public CancellationToken CancellationToken => _session.Lease.Token;

    internal DateTime? SuspendedUntil => _suspendedUntil;
    internal IReadOnlyList<string> AwaitedSignals => _awaitedSignals;
    internal IReadOnlyList<Guid> AwaitedChildren => _awaitedChildren;

    /// <summary>
    /// Runs <paramref name="action"/> once per run (at least once: an attempt interrupted by a crash is retried with the
    /// same <see cref="StepContext.IdempotencyKey"/>) and persists its JSON result; replays return the stored result.
    /// Failures retry per <see cref="StepOptions.Retry"/>; a <see cref="RateLimitedException"/> parks the run until its
    /// retry time without using an attempt; a final failure throws <see cref="WorkflowStepFailedException"/>.
    /// </summary>
    public async Task<T> StepAsync<T>(string name, Func<StepContext, Task<T>> action, StepOptions? options = null)
    {
        var json = await RunStepAsync(name, StepKind.Step, async ctx => WorkflowJson.Serialize(await action(ctx)), options);
        return WorkflowJson.Deserialize<T>(json);
    }

    public Task StepAsync(string name, Func<StepContext, Task> action, StepOptions? options = null) =>
        RunStepAsync(name, StepKind.Step, async ctx =>
        {
            await action(ctx);
            return "null";
        }, options);

    /// <summary>A durable timer: the wake-up time is persisted, so it survives restarts. Unnamed timers are numbered in call order.</summary>
    public async Task SleepAsync(TimeSpan duration, string? name = null)
    {
        BeginAwait();
        var stepName = $"timer:{name ?? $"sleep-{Interlocked.Increment(ref _sleepCounter)}"}";
        ClaimName(stepName);
        DateTime wakeAt;
        using (await _session.LockAsync())
        {
            var step = _session.Find(stepName);
            var now = _session.Now;
            if (step is null)
            {
                if (duration <= TimeSpan.Zero)
                {
                    return;
                }

                step = _session.NewStep(stepName, StepKind.Timer);
                step.Status = StepStatus.Waiting;
                step.NextAttemptAt = now + duration;
                await _session.SaveAsync(step);
            }

            EnsureKind(step, StepKind.Timer);
            if (step.Status == StepStatus.Completed)
            {
                return;
            }

            wakeAt = step.NextAttemptAt ?? now;
            if (wakeAt <= now)
            {
                step.Status = StepStatus.Completed;
                step.CompletedAt = now;
                await _session.SaveAsync(step);
                return;
            }
        }

        throw Suspend(wakeAt, $"timer {stepName}");
    }

    /// <summary>
    /// Waits for the next signal named <paramref name="signalName"/> (signals are kept, so one sent before the wait is
    /// received too; each wait consumes one, oldest first). Throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.
    /// </summary>
    public async Task<T> WaitForSignalAsync<T>(string signalName, TimeSpan? timeout = null)
    {
        BeginAwait();
        int n;
        lock (_signalCounters)
        {
            n = _signalCounters[signalName] = _signalCounters.GetValueOrDefault(signalName) + 1;
        }

        var stepName = $"signal:{signalName}:{n}";
        ClaimName(stepName);
        DateTime wakeAt;
        using (await _session.LockAsync())
        {
            var step = _session.Find(stepName);
            if (step is not null)
            {
                EnsureKind(step, StepKind.Signal);
                if (step.Status == StepStatus.Completed)
                {
                    return WorkflowJson.Deserialize<T>(step.ResultJson);
                }

                if (step.Status == StepStatus.TimedOut)
                {
                    throw new TimeoutException($"No signal '{signalName}' arrived before {step.NextAttemptAt:O}.");
                }
            }

            var now = _session.Now;
            string? payload = null;
            var runId = RunId;
            var isNew = step is null;
            step ??= _session.NewStep(stepName, StepKind.Signal);
            await _session.InTransactionAsync(async () =>
            {
                var signal = await _session.Db.WorkflowSignals
                    .Where(s => s.RunId == runId && s.Name == signalName && s.ConsumedAt == null)
                    .OrderBy(s => s.CreatedAt).ThenBy(s => s.Id)
                    .FirstOrDefaultAsync(CancellationToken);
                if (signal is not null)
                {
                    signal.ConsumedAt = now;
                    payload = signal.PayloadJson;
                    step.Status = StepStatus.Completed;
                    step.ResultJson = signal.PayloadJson;
                    step.CompletedAt = now;
                    step.Attempts = 1;
                }
                else if (isNew)
                {
                    step.Status = StepStatus.Waiting;
                    step.NextAttemptAt = timeout is { } t ? now + t : WorkflowQueries.Never;
                }
                else if (step.NextAttemptAt <= now)
                {
                    step.Status = StepStatus.TimedOut;
                    step.CompletedAt = now;
                }

                _session.Track(step);
            });

            if (payload is not null)
            {
                return WorkflowJson.Deserialize<T>(payload);
            }

            if (step.Status == StepStatus.TimedOut)
            {
                throw new TimeoutException($"No signal '{signalName}' arrived before {step.NextAttemptAt:O}.");
            }

            wakeAt = step.NextAttemptAt ?? WorkflowQueries.Never;
            lock (_awaitedSignals)
            {
                _awaitedSignals.Add(signalName);
            }
        }

        throw Suspend(wakeAt, $"signal {signalName}");
    }

    /// <summary>Starts a child run (idempotently, once per run) and returns its run id without waiting for it.</summary>
    public Task<Guid> StartChildAsync<TWorkflow, TInput>(string childWorkflowId, TInput input)
        where TWorkflow : IWorkflow =>
        StartChildAsync(WorkflowNames.Of<TWorkflow>(), childWorkflowId, WorkflowJson.Serialize(input));

    /// <summary>Starts a child run and waits (durably) for its output. A failed or cancelled child throws <see cref="ChildWorkflowFailedException"/>.</summary>
    public async Task<TOutput> ExecuteChildAsync<TWorkflow, TInput, TOutput>(string childWorkflowId, TInput input)
        where TWorkflow : IWorkflow<TInput, TOutput>
    {
        var childRunId = await StartChildAsync<TWorkflow, TInput>(childWorkflowId, input);
        var json = await WaitForChildAsync(childWorkflowId, childRunId);
        return WorkflowJson.Deserialize<TOutput>(json);
    }

    /// <summary>Starts a child run without output and waits for it to complete.</summary>
    public async Task ExecuteChildAsync<TWorkflow, TInput>(string childWorkflowId, TInput input)
        where TWorkflow : IWorkflow<TInput>
    {
        var childRunId = await StartChildAsync<TWorkflow, TInput>(childWorkflowId, input);
        await WaitForChildAsync(childWorkflowId, childRunId);
    }

    private async Task<Guid> StartChildAsync(string workflowType, string childWorkflowId, string inputJson)
    {
        var json = await RunStepAsync($"child:{childWorkflowId}", StepKind.Child, async _ =>
        {
            // Own scope: the client saves through its own DbContext, apart from this session's tracked steps.
            await using var scope = _services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
            var client = scope.ServiceProvider.GetRequiredService<IWorkflowClient>();
            var handle = await client.StartAsync(workflowType, childWorkflowId, inputJson,
                new WorkflowStartOptions { ParentRunId = RunId, WorkspaceId = WorkspaceId, IntegrationId = IntegrationId }, CancellationToken);
            return WorkflowJson.Serialize(handle.RunId);
        }, null);
        return WorkflowJson.Deserialize<Guid>(json);
    }

    private async Task<string?> WaitForChildAsync(string childWorkflowId, Guid childRunId)
    {
        BeginAwait();
        var stepName = $"child-result:{childWorkflowId}";
        ClaimName(stepName);
        DateTime wakeAt;
        using (await _session.LockAsync())
        {
            var step = _session.Find(stepName);
            if (step is not null && step.Status == StepStatus.Completed)
            {
                return step.ResultJson;
            }

            if (step is not null && step.Status == StepStatus.Failed)
            {
                throw new ChildWorkflowFailedException(childWorkflowId, childRunId, "failed", step.Error);
            }

            var child = await _session.Db.WorkflowRuns.AsNoTracking().Where(r => r.Id == childRunId)
                .Select(r => new { r.Status, r.OutputJson, r.Error }).FirstOrDefaultAsync(CancellationToken);
            var now = _session.Now;
            step ??= _session.NewStep(stepName, StepKind.Child);
            EnsureKind(step, StepKind.Child);
            if (child is null || child.Status is WorkflowRunStatus.Failed or WorkflowRunStatus.Cancelled)
            {
                step.Status = StepStatus.Failed;
                step.Error = child is null ? "The child run no longer exists." : $"{child.Status}: {child.Error}";
                step.CompletedAt = now;
                await _session.SaveAsync(step);
                throw new ChildWorkflowFailedException(childWorkflowId, childRunId, child?.Status.ToString() ?? "missing", child?.Error);
            }

            if (child.Status == WorkflowRunStatus.Completed)
            {
                step.Status = StepStatus.Completed;
                step.ResultJson = child.OutputJson ?? "null";
                step.CompletedAt = now;
                await _session.SaveAsync(step);
                return step.ResultJson;
            }

            if (step.Status != StepStatus.Waiting)
            {
                step.Status = StepStatus.Waiting;
                await _session.SaveAsync(step);
            }

            wakeAt = now + _session.Options.ChildPollInterval;
            lock (_awaitedChildren)
            {
                _awaitedChildren.Add(childRunId);
            }
        }

        throw Suspend(wakeAt, $"child {childWorkflowId}");
    }

    private async Task<string> RunStepAsync(string name, string kind, Func<StepContext, Task<string>> action, StepOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        BeginAwait();
        ClaimName(name);
        var retry = options?.Retry ?? _session.Options.DefaultRetry;
        var timeout = options?.Timeout ?? _session.Options.DefaultStepTimeout;
        WorkflowStep step;
        using (await _session.LockAsync())
        {
            step = _session.Find(name) ?? _session.NewStep(name, kind);
            EnsureKind(step, kind);
            switch (step.Status)
            {
                case StepStatus.Completed:
                    return step.ResultJson ?? "null";
                case StepStatus.Failed:
                    throw new WorkflowStepFailedException(name, step.Attempts, step.Error ?? "unknown error");
                case StepStatus.Retrying or StepStatus.RateLimited when step.NextAttemptAt > _session.Now:
                    throw Suspend(step.NextAttemptAt.Value, $"step {name} {step.Status}");
            }

            step.Status = StepStatus.Running;
            step.Attempts++;
            step.StartedAt = _session.Now;
            step.NextAttemptAt = null;
            await _session.SaveAsync(step);
        }

        var attemptStarted = step.StartedAt;
        var stepContextToken = CancellationToken;
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(stepContextToken);
        if (timeout is { } limit)
        {
            timeoutSource.CancelAfter(limit);
        }

        string result;
        try
        {
            var context = new StepContext(RunId, name, step.IdempotencyKey, step.Attempts, timeoutSource.Token);
            var task = action(context);
            result = timeout is { } t
                ? await task.WaitAsync(t, stepContextToken)
                : await task;
        }
        catch (Exception ex) when (ex is not WorkflowLeaseLostException && !stepContextToken.IsCancellationRequested)
        {
            var error = ex is OperationCanceledException && timeoutSource.IsCancellationRequested
                ? new TimeoutException($"Step '{name}' exceeded its timeout of {timeout}.", ex)
                : ex;
            throw await RecordFailureAsync(step, error, retry, attemptStarted);
        }

        // Outside the catch above: a failure to record the result is the runtime's, not the step's, and must not
        // burn an attempt; the activation fails and the step re-runs with the same idempotency key.
        using (await _session.LockAsync())
        {
            step.Status = StepStatus.Completed;
            step.ResultJson = result;
            step.Error = null;
            step.CompletedAt = _session.Now;
            await _session.SaveAsync(step);
        }

        return result;
    }

    private async Task<Exception> RecordFailureAsync(WorkflowStep step, Exception error, RetryPolicy retry, DateTime attemptStarted)
    {
        using var _ = await _session.LockAsync();
        var now = _session.Now;
        var message = Describe(error);
        var attempt = new WorkflowStepAttempt
        {
            RunId = RunId,
            StepId = step.Id,
            Attempt = step.Attempts,
            Error = message,
            WorkerId = _session.WorkerId,
            StartedAt = attemptStarted,
            FinishedAt = now,
            Outcome = StepStatus.Failed,
        };
        step.Error = message;
        if (error is RateLimitedException limited)
        {
            // Not the step's fault: the attempt is given back and the run parks until the provider's reset time.
            attempt.Outcome = StepStatus.RateLimited;
            step.Attempts--;
            step.Status = StepStatus.RateLimited;
            var retryAt = limited.RetryAt.UtcDateTime;
            step.NextAttemptAt = retryAt > now ? retryAt : now;
            await _session.SaveAsync(step, attempt);
            return Suspend(step.NextAttemptAt.Value, $"step {step.Name} rate limited by {limited.Provider}");
        }

        if (retry.IsRetryable(error) && step.Attempts < retry.MaxAttempts)
        {
            attempt.Outcome = error is TimeoutException ? StepStatus.TimedOut : StepStatus.Retrying;
            step.Status = StepStatus.Retrying;
            step.NextAttemptAt = now + retry.DelayBeforeAttempt(step.Attempts + 1, Random.Shared.NextDouble());
            await _session.SaveAsync(step, attempt);
            return Suspend(step.NextAttemptAt.Value, $"step {step.Name} backoff");
        }

        step.Status = StepStatus.Failed;
        step.CompletedAt = now;
        await _session.SaveAsync(step, attempt);
        return new WorkflowStepFailedException(step.Name, step.Attempts, message);
    }

    private void BeginAwait()
    {
        if (_session.Lease.CancelRequested)
        {
            throw new WorkflowCancelledException();
        }

        if (_suspendedUntil is { } until)
        {
            throw new WorkflowSuspendedException(until, "already suspended");
        }

        CancellationToken.ThrowIfCancellationRequested();
    }

    private void ClaimName(string name)
    {
        lock (_usedNames)
        {
            if (!_usedNames.Add(name))
            {
                throw new InvalidOperationException($"Step name '{name}' is used twice in run {RunId}; step names must be unique within a run.");
            }
        }
    }

    private static void EnsureKind(WorkflowStep step, string kind)
    {
        if (!string.Equals(step.Kind, kind, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Step '{step.Name}' was recorded as a {step.Kind} but replayed as a {kind}: the workflow code is not deterministic.");
        }
    }

    private WorkflowSuspendedException Suspend(DateTime wakeAt, string reason)
    {
        lock (_suspendLock)
        {
            _suspendedUntil = _suspendedUntil is { } existing && existing < wakeAt ? existing : wakeAt;
        }

        return new WorkflowSuspendedException(wakeAt, reason);
    }

    internal static string Describe(Exception exception)
    {
        var text = $"{exception.GetType().Name}: {exception.Message}";
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            text += $" --> {inner.GetType().Name}: {inner.Message}";
        }

        return text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];
    }
}
