namespace GitMesh.Domain.Clusters;

/// <summary>A group of near-duplicate signals: one piece of feedback, however many places it was said.</summary>
public sealed class Cluster : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; set; }
    public required string Title { get; set; }
    public int Size { get; set; }
    /// <summary>Sources present in the cluster, comma-separated.</summary>
    public string? Platforms { get; set; }
    public DateTime FirstSeenAt { get; set; }
    public DateTime LastSeenAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>Set when merged into another cluster; kept so merges are reversible.</summary>
    public Guid? MergedIntoId { get; set; }
    public int Version { get; set; }
}

/// <summary>One LSH band hash of a signal's MinHash signature; equal (band, hash) means candidate duplicate.</summary>
public sealed class SignalLshBand : IWorkspaceOwned
{
    public Guid WorkspaceId { get; set; }
    public int Band { get; set; }
    public long Hash { get; set; }
    public Guid SignalId { get; set; }
}

public enum DuplicateDecisionKind
{
    Suggested = 0,
    Confirmed = 1,
    NotDuplicate = 2,
}

/// <summary>A pair decision. "Not a duplicate" is remembered and never suggested again.</summary>
public sealed class DuplicateDecision : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; set; }
    /// <summary>The smaller of the two ids, so a pair has one row whichever way round it is decided.</summary>
    public Guid SignalAId { get; set; }
    public Guid SignalBId { get; set; }
    public DuplicateDecisionKind Decision { get; set; }
    public double Score { get; set; }
    public Guid? DecidedByUserId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
