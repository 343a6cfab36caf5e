namespace GitMesh.Domain.Workflows;

/// <summary>
/// A recurring start of a workflow (system jobs such as reconciliation, retraining and pruning, or a workspace's own).
/// Exactly one of <see cref="CronExpression"/> and <see cref="IntervalSeconds"/> is set. The scheduler only starts
/// the workflow (idempotently, workflow id = schedule name + fire time); the work happens in the workflow.
/// </summary>
public sealed class WorkflowSchedule
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>Null for system schedules.</summary>
    public Guid? WorkspaceId { get; set; }
    /// <summary>Stable unique name, e.g. "system:prune-workflow-runs".</summary>
    public required string Name { get; set; }
    public string? Description { get; set; }
    public required string WorkflowType { get; set; }
    public string InputJson { get; set; } = "{}";
    /// <summary>Quartz cron (seconds first), e.g. "0 0 3 * * ?".</summary>
    public string? CronExpression { get; private set; }
    public int? IntervalSeconds { get; private set; }
    public bool Enabled { get; set; } = true;
    public DateTime? LastFiredAt { get; set; }
    /// <summary>The next planned fire time as last known; a value in the past at scheduler start means a missed fire.</summary>
    public DateTime? NextFireAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>Sets the timing; exactly one of cron or interval (at least 1 second).</summary>
    public void SetTiming(string? cronExpression, int? intervalSeconds)
    {
        var hasCron = !string.IsNullOrWhiteSpace(cronExpression);
        if (hasCron == intervalSeconds.HasValue)
        {
            throw new ArgumentException("A schedule has either a cron expression or an interval, not both and not neither.");
        }

        if (intervalSeconds is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(intervalSeconds), "The interval must be at least one second.");
        }

        CronExpression = hasCron ? cronExpression!.Trim() : null;
        IntervalSeconds = intervalSeconds;
        NextFireAt = null;
    }
}

/// <summary>One failed (or rate-limited) attempt of a step, kept as history; the step row holds the latest state.</summary>
public sealed class WorkflowStepAttempt
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid RunId { get; set; }
    public Guid StepId { get; set; }
    public int Attempt { get; set; }
    /// <summary>failed, retrying, rate_limited, timed_out.</summary>
    public required string Outcome { get; set; }
    public string? Error { get; set; }
    public string? WorkerId { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime FinishedAt { get; set; }
}
