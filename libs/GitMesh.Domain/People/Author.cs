namespace GitMesh.Domain.People;

/// <summary>A person across platforms: several <see cref="Author"/> identities can point at one person.</summary>
public sealed class Person : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; set; }
    public required string DisplayName { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>One platform identity (a GitHub login, a Reddit user...), unique per workspace and source.</summary>
public sealed class Author : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; set; }
    public Guid? PersonId { get; set; }
    public required string Source { get; set; }
    public required string Username { get; set; }
    public string? DisplayName { get; set; }
    public string? ProfileUrl { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
