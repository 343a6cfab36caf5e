namespace GitMesh.Integrations;

/// <summary>Bound from "Integrations".</summary>
public sealed class IntegrationsOptions
{
    public const string SectionName = "Integrations";

    /// <summary>
    /// Pages one connector run reads before it ends and leaves the rest to the next scheduled run (the cursor is saved
    /// after every page). Bounds the step history of one run during a long backfill.
    /// </summary>
    public int MaxPagesPerRun { get; set; } = 500;

    /// <summary>Largest webhook body accepted; GitHub caps payloads at 25 MB, but issue and comment events are small.</summary>
    public long WebhookMaxBodyBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>Envelopes per enqueue of a file import.</summary>
    public int ImportBatchSize { get; set; } = 500;

    /// <summary>An <c>importProgress</c> event is published after this many batches (and once at the end).</summary>
    public int ImportProgressEveryBatches { get; set; } = 5;

    /// <summary>Rejected lines listed in an import result; the count is always complete.</summary>
    public int ImportMaxReportedErrors { get; set; } = 1000;

    /// <summary>How often the Discord supervisor re-reads the integrations (new, changed, paused, deleted bots).</summary>
    public TimeSpan DiscordRescanInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Pause before a listener that could not get (or lost) its bot lease tries again: another instance may own it.</summary>
    public TimeSpan DiscordLeaseRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    internal bool IsValid() =>
        MaxPagesPerRun > 0 && WebhookMaxBodyBytes > 0 && ImportBatchSize is > 0 and <= 10_000 && ImportProgressEveryBatches > 0
        && ImportMaxReportedErrors >= 0 && DiscordRescanInterval > TimeSpan.Zero && DiscordLeaseRetryDelay > TimeSpan.Zero;
}
