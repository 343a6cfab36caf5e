namespace GitMesh.Domain.Signals;

public enum TriageStatus
{
    New = 0,
    Triaged = 1,
    Linked = 2,
    Dismissed = 3,
    Spam = 4,
}

/// <summary>One piece of feedback from one source, normalized, classified and assigned to a cluster.</summary>
public sealed class Signal : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; set; }
    public Guid? IntegrationId { get; set; }
    public required string Source { get; set; }
    public required string Kind { get; set; }
    public required string ExternalId { get; set; }
    public string? Url { get; set; }
    public string? Title { get; set; }
    /// <summary>Body as received (markdown/HTML).</summary>
    public string? Body { get; set; }
    /// <summary>Normalized plain text, used for search, dedup and classification.</summary>
    public string? BodyText { get; set; }
    /// <summary>Code blocks and stack traces, kept apart from prose.</summary>
    public string? CodeText { get; set; }
    public Guid? AuthorId { get; set; }
    public string? ParentExternalId { get; set; }
    public DateTime? SourceCreatedAt { get; set; }
    public DateTime? SourceUpdatedAt { get; set; }
    public DateTime IngestedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>Hash of the normalized text, equal for exact cross-posts.</summary>
    public string? ContentHash { get; set; }
    public string? Intent { get; set; }
    public double? IntentConfidence { get; set; }
    public string? Sentiment { get; set; }
    public double? SentimentScore { get; set; }
    public string? Urgency { get; set; }
    /// <summary>Product area names, comma-separated.</summary>
    public string? ProductAreas { get; set; }
    /// <summary>True once a person corrected the classification: the model no longer overwrites it.</summary>
    public bool ClassificationLocked { get; set; }
    public Guid? ClusterId { get; set; }
    public TriageStatus TriageStatus { get; set; }
    public Guid? AssigneeUserId { get; set; }
    /// <summary>Tags, comma-separated.</summary>
    public string? Tags { get; set; }
    public bool IsDeleted { get; set; }
    public string? MetadataJson { get; set; }
    /// <summary>Incremented on every change; optimistic concurrency and event ordering.</summary>
    public int Version { get; set; }
}
