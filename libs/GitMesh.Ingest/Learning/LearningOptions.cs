namespace GitMesh.Ingest.Learning;

/// <summary>The per-workspace learning loop (section <c>Intelligence</c>).</summary>
public sealed class LearningOptions
{
    public const string SectionName = "Intelligence";

    /// <summary>Run the retraining loop in this process (with the ingest consumer).</summary>
    public bool RetrainEnabled { get; set; } = true;

    /// <summary>How often the loop looks for workspaces whose corrections changed since their model was trained.
    /// Also the debounce: a burst of corrections within one interval is one retraining.</summary>
    public TimeSpan RetrainInterval { get; set; } = TimeSpan.FromSeconds(3);
}
