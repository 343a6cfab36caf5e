namespace GitMesh.Domain.Intelligence;

/// <summary>One area of a workspace's product taxonomy, used by the pipeline to assign Signal.ProductAreas.</summary>
public sealed class WorkspaceProductArea : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; set; }
    /// <summary>The label stored on signals (no commas: Signal.ProductAreas is a comma-separated list).</summary>
    public required string Name { get; set; }
    /// <summary>Comma-separated keywords or phrases.</summary>
    public string? Keywords { get; set; }
    /// <summary>JSON array of example texts.</summary>
    public string ExamplesJson { get; set; } = "[]";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
