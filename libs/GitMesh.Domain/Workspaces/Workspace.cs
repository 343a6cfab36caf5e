namespace GitMesh.Domain.Workspaces;

public sealed class Workspace
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public required string Slug { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>Roles are ordered: each role can do everything the roles below it can.</summary>
public enum WorkspaceRole
{
    Viewer = 0,
    Member = 1,
    Admin = 2,
    Owner = 3,
}

public sealed class Membership : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; set; }
    public Guid UserId { get; set; }
    public WorkspaceRole Role { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A machine credential of one workspace. Only the SHA-256 of the key is stored; the key is shown once.</summary>
public sealed class ApiKey : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; set; }
    public required string Name { get; set; }
    /// <summary>First characters of the key, shown in lists so a person can tell keys apart.</summary>
    public required string Prefix { get; set; }
    public required string KeyHash { get; set; }
    public WorkspaceRole Role { get; set; }
    public Guid? CreatedByUserId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }

    public bool IsActive(DateTime now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}

/// <summary>Small key/value rows for instance-wide facts (e.g. that first-run setup happened).</summary>
public sealed class SystemSetting
{
    public required string Key { get; set; }
    public required string Value { get; set; }
    public DateTime UpdatedAt { get; set; }
}
