namespace GitMesh.Domain.Intelligence;

/// <summary>
/// A workspace's learned correction model (serialized <c>CorrectionModel</c>), retrained from its
/// signal_corrections by the learning loop. One row per workspace.
/// </summary>
public sealed class WorkspaceModel : IWorkspaceOwned
{
    public Guid WorkspaceId { get; set; }
    public string CorrectionModelJson { get; set; } = "";
    /// <summary>Examples in the model (after keeping each signal's latest correction per field).</summary>
    public int Examples { get; set; }
    /// <summary>Leave-one-out accuracy per field (JSON array of {field, examples, baseAccuracy, correctedAccuracy}).</summary>
    public string? AccuracyJson { get; set; }
    /// <summary>Newest correction (created_at) the model was trained on.</summary>
    public DateTime? TrainedThrough { get; set; }
    /// <summary>Number of correction rows seen by the last training; a different count means new or removed rows.</summary>
    public int CorrectionsSeen { get; set; }
    public DateTime UpdatedAt { get; set; }
}
