namespace GitMesh.Domain.Views;

/// <summary>A named filter + sort, personal (owner set, not shared) or shared with the workspace.</summary>
public sealed class SavedView : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; set; }
    public Guid? OwnerUserId { get; set; }
    public required string Name { get; set; }
    public string FilterJson { get; set; } = "{}";
    public string? Sort { get; set; }
    public bool Shared { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
