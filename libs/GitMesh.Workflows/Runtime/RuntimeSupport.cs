using GitMesh.Domain.Workflows;

namespace GitMesh.Workflows.Runtime;

/// <summary>Values of <see cref="WorkflowStep.Status"/>.</summary>
internal static class StepStatus
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Retrying = "retrying";
    public const string RateLimited = "rate_limited";
    public const string Waiting = "waiting";
    public const string TimedOut = "timed_out";
}

/// <summary>Values of <see cref="WorkflowStep.Kind"/>.</summary>
internal static class StepKind
{
    public const string Step = "step";
    public const string Timer = "timer";
    public const string Signal = "signal";
    public const string Child = "child";
}

internal static class WorkflowQueries
{
    /// <summary>Far-future wake-up for waits without a deadline (next_run_at is NOT NULL); a signal or child wakes the run earlier.</summary>
    public static readonly DateTime Never = new(9999, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static IQueryable<WorkflowRun> WhereActive(this IQueryable<WorkflowRun> runs) =>
        runs.Where(r => r.Status == WorkflowRunStatus.Pending || r.Status == WorkflowRunStatus.Running || r.Status == WorkflowRunStatus.Waiting);

    public static IQueryable<WorkflowRun> WhereFinished(this IQueryable<WorkflowRun> runs) =>
        runs.Where(r => r.Status == WorkflowRunStatus.Completed || r.Status == WorkflowRunStatus.Failed || r.Status == WorkflowRunStatus.Cancelled);
}

/// <summary>In-process nudge: a start or signal in this process wakes the local worker without waiting for its poll.</summary>
public sealed class WorkflowWakeup
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Nudge()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already nudged: one pending wake-up is enough.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
