namespace GitMesh.Workflows;

/// <summary>Bound from "Workflows".</summary>
public sealed class WorkflowOptions
{
    public const string SectionName = "Workflows";

    /// <summary>Runs one worker executes at once.</summary>
    public int Concurrency { get; set; } = 8;

    /// <summary>How often an idle worker looks for runnable runs (a local start or signal wakes it earlier).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a claim lasts without a heartbeat; a dead worker's runs are taken over after this.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a worker renews its leases and picks up cancellation requests.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Default retry policy of steps that do not set one.</summary>
    public RetryPolicy DefaultRetry { get; set; } = RetryPolicy.Default;

    /// <summary>Default per-attempt step timeout; null = none.</summary>
    public TimeSpan? DefaultStepTimeout { get; set; }

    /// <summary>Fallback re-check of a parent waiting for a child (a finishing child also wakes its parent directly).</summary>
    public TimeSpan ChildPollInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Finished runs (completed, failed, cancelled) older than this are deleted by the pruning workflow.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long shutdown waits for in-flight runs before abandoning them (their leases then expire).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Identifies this worker in leases; default host:pid:random.</summary>
    public string? WorkerId { get; set; }
}
