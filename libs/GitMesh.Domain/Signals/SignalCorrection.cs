namespace GitMesh.Domain.Signals;

/// <summary>
/// A person's correction of a classification field (intent, sentiment, product areas), kept as training
/// feedback for the learning loop. Append-only: one row per changed field per edit.
/// </summary>
public sealed class SignalCorrection : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; set; }
    public Guid SignalId { get; set; }
    /// <summary><c>intent</c>, <c>sentiment</c> or <c>product_areas</c>.</summary>
    public required string Field { get; set; }
    public string? OldValue { get; set; }
    public string? NewValue { get; set; }
    public Guid? CorrectedByUserId { get; set; }
    public Guid? CorrectedByApiKeyId { get; set; }
    public DateTime CreatedAt { get; set; }
}
