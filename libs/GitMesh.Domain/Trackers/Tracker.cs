namespace GitMesh.Domain.Trackers;

/// <summary>A tracker a workspace syncs with: a Jira site/project, a GitHub repository or a Linear team.</summary>
public sealed class TrackerConnection : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; set; }
    public required string Type { get; set; }
    public required string Name { get; set; }
    public string SettingsJson { get; set; } = "{}";
    public string? EncryptedCredentials { get; set; }
    public string? EncryptedWebhookSecret { get; set; }
    public string Status { get; set; } = "active";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>Cluster ↔ external issue. Keeps the last-synced value of every synced field for three-way merges.</summary>
public sealed class TrackerLink : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; set; }
    public Guid ClusterId { get; set; }
    public Guid TrackerConnectionId { get; set; }
    public required string ExternalId { get; set; }
    public string? ExternalKey { get; set; }
    public string? Url { get; set; }
    public string BaseValuesJson { get; set; } = "{}";
    public DateTime? LastSyncedAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>One line of a link's sync log: what was decided, in which direction, and why.</summary>
public sealed class SyncEvent : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; set; }
    public Guid TrackerLinkId { get; set; }
    public required string Direction { get; set; }
    public string? Field { get; set; }
    public required string Decision { get; set; }
    public string? Detail { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class SyncConflict : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; set; }
    public Guid TrackerLinkId { get; set; }
    public required string Field { get; set; }
    public string? BaseValue { get; set; }
    public string? LocalValue { get; set; }
    public string? RemoteValue { get; set; }
    public string Status { get; set; } = "open";
    public DateTime CreatedAt { get; set; }
    public DateTime? ResolvedAt { get; set; }
}
