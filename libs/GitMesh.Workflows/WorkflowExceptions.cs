namespace GitMesh.Workflows;

/// <summary>Thrown by a step to fail it at once, without retries.</summary>
public class NonRetryableStepException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Thrown to the workflow code when a step failed for good (attempts exhausted or non-retryable). Uncaught, it fails
/// the run with this message; caught, the workflow may compensate. Replays throw it again without re-running the step.
/// </summary>
public sealed class WorkflowStepFailedException(string stepName, int attempts, string error)
    : Exception($"Step '{stepName}' failed after {attempts} attempt(s): {error}")
{
    public string StepName { get; } = stepName;
    public int Attempts { get; } = attempts;
    public string Error { get; } = error;
}

/// <summary>A child workflow ended failed or cancelled.</summary>
public sealed class ChildWorkflowFailedException(string workflowId, Guid runId, string status, string? error)
    : Exception($"Child workflow '{workflowId}' ({runId}) ended {status}: {error}")
{
    public string WorkflowId { get; } = workflowId;
    public Guid RunId { get; } = runId;
}

/// <summary>
/// Thrown inside the runtime to end the current activation: the run parks until <see cref="WakeAt"/> (a timer, a backoff,
/// a rate limit, a signal or child wait). Workflow code must let it propagate.
/// </summary>
public sealed class WorkflowSuspendedException : Exception
{
    internal WorkflowSuspendedException(DateTime wakeAt, string reason)
        : base($"Workflow suspended until {wakeAt:O}: {reason}")
    {
        WakeAt = wakeAt;
        Reason = reason;
    }

    public DateTime WakeAt { get; }
    public string Reason { get; }
}

/// <summary>Thrown at the next workflow await after cancellation was requested; the run ends Cancelled.</summary>
public sealed class WorkflowCancelledException() : OperationCanceledException("The workflow run was cancelled.");

/// <summary>This worker no longer holds the run's lease (it expired and another worker took the run).</summary>
public sealed class WorkflowLeaseLostException(Guid runId) : Exception($"Lease on workflow run {runId} was lost.");
