namespace GitMesh.Domain.Workflows;

public enum WorkflowRunStatus
{
    Pending = 0,
    Running = 1,
    Waiting = 2,
    Completed = 3,
    Failed = 4,
    Cancelled = 5,
}

/// <summary>A durable workflow run: its input, status, lease and schedule of next activation.</summary>
public sealed class WorkflowRun
{
    /// <summary>Statuses in which a run is active: at most one active run per <see cref="WorkflowId"/>.</summary>
    public static readonly IReadOnlyList<WorkflowRunStatus> ActiveStatuses = [WorkflowRunStatus.Pending, WorkflowRunStatus.Running, WorkflowRunStatus.Waiting];

    public bool IsFinished => Status is WorkflowRunStatus.Completed or WorkflowRunStatus.Failed or WorkflowRunStatus.Cancelled;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid? WorkspaceId { get; set; }
    /// <summary>The integration the run works for (connector runs, syncs), for filtering.</summary>
    public Guid? IntegrationId { get; set; }
    public required string WorkflowType { get; set; }
    /// <summary>Business id (e.g. "connector:{integrationId}"): at most one active run per id.</summary>
    public required string WorkflowId { get; set; }
    public WorkflowRunStatus Status { get; set; }
    public string InputJson { get; set; } = "null";
    public string? OutputJson { get; set; }
    public string? Error { get; set; }
    public Guid? ParentRunId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    /// <summary>When the run is next runnable (timers, backoff, rate-limit parking).</summary>
    public DateTime NextRunAt { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTime? LeaseExpiresAt { get; set; }
    public bool CancelRequested { get; set; }
    public int Version { get; set; }
}

/// <summary>One named step of a run with its persisted result: a resumed run skips completed steps.</summary>
public sealed class WorkflowStep
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid RunId { get; set; }
    public required string Name { get; set; }
    public int Sequence { get; set; }
    /// <summary>running, completed, failed, retrying, rate_limited, waiting (timer/signal/child), timed_out.</summary>
    public string Status { get; set; } = "running";
    /// <summary>step, timer, signal, child.</summary>
    public string Kind { get; set; } = "step";
    public string? ResultJson { get; set; }
    public string? Error { get; set; }
    public int Attempts { get; set; }
    public required string IdempotencyKey { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public DateTime? NextAttemptAt { get; set; }
}

/// <summary>An external signal sent to a run (by API or webhook handler); kept until the run consumes it.</summary>
public sealed class WorkflowSignal
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid RunId { get; set; }
    public required string Name { get; set; }
    public string PayloadJson { get; set; } = "null";
    public DateTime CreatedAt { get; set; }
    public DateTime? ConsumedAt { get; set; }
}
