namespace GitMesh.Domain.Integrations;

public enum IntegrationStatus
{
    Active = 0,
    Paused = 1,
    NeedsReconnect = 2,
    Error = 3,
}

/// <summary>One configured source of a workspace (a GitHub repo, a subreddit set, a Discord bot...).</summary>
public sealed class Integration : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; set; }
    public required string Type { get; set; }
    public required string Name { get; set; }
    /// <summary>Non-secret settings as a JSON object.</summary>
    public string SettingsJson { get; set; } = "{}";
    /// <summary>Secrets as a JSON object, encrypted with Data Protection. Never returned by the API.</summary>
    public string? EncryptedCredentials { get; set; }
    /// <summary>Secret used to verify inbound webhooks for this integration, encrypted.</summary>
    public string? EncryptedWebhookSecret { get; set; }
    public IntegrationStatus Status { get; set; }
    public string? StatusMessage { get; set; }
    /// <summary>Opaque connector cursor, saved only after the page's signals were enqueued.</summary>
    public string? Cursor { get; set; }
    public int PollIntervalSeconds { get; set; } = 900;
    public string? CronSchedule { get; set; }
    public int BackfillDays { get; set; } = 30;
    public DateTime? LastRunAt { get; set; }
    public DateTime? NextRunAt { get; set; }
    public long ItemsFetched { get; set; }
    public string? LastError { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
