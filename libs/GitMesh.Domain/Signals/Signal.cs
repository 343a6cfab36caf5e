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
    private string? _contentHash;

    /// <summary>
    /// Hash of the normalized text, equal for exact cross-posts. A new text invalidates the LLM enrichment of the
    /// old one (summary, labels): the signal goes back to the offline model's labels and waits to be enriched again.
    /// EF materializes through the backing field, so loading a row never triggers this.
    /// </summary>
    public string? ContentHash
    {
        get => _contentHash;
        set
        {
            if (_contentHash is not null && !string.Equals(_contentHash, value, StringComparison.Ordinal))
            {
                ResetEnrichment();
            }

            _contentHash = value;
        }
    }

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
    /// <summary>One-sentence summary written by the optional LLM enrichment (null without it).</summary>
    public string? Summary { get; set; }
    /// <summary>Who produced intent and sentiment: <see cref="ClassifiedByValues.Model"/> or <see cref="ClassifiedByValues.Llm"/>.</summary>
    public string ClassifiedBy { get; set; } = ClassifiedByValues.Model;
    /// <summary>Where the signal stands in the optional LLM enrichment: see <see cref="LlmStates"/>.</summary>
    public string LlmState { get; set; } = LlmStates.Pending;
    /// <summary>Failed enrichment attempts of the current text (invalid answers, refused requests).</summary>
    public int LlmAttempts { get; set; }
    /// <summary>Not before this time: a retry's backoff, or another worker's claim on the signal.</summary>
    public DateTime? LlmNextAttemptAt { get; set; }
    /// <summary>The last enrichment error, kept for the status page (never contains the API key).</summary>
    public string? LlmError { get; set; }

    private void ResetEnrichment()
    {
        LlmState = LlmStates.Pending;
        LlmAttempts = 0;
        LlmNextAttemptAt = null;
        LlmError = null;
        Summary = null;
        if (!ClassificationLocked)
        {
            ClassifiedBy = ClassifiedByValues.Model;
        }
    }
}

/// <summary>Values of <see cref="Signal.ClassifiedBy"/>.</summary>
public static class ClassifiedByValues
{
    /// <summary>The offline model of the ingest pipeline.</summary>
    public const string Model = "model";

    /// <summary>The optional LLM endpoint.</summary>
    public const string Llm = "llm";
}

/// <summary>Values of <see cref="Signal.LlmState"/>.</summary>
public static class LlmStates
{
    /// <summary>Not enriched yet (or its text changed since).</summary>
    public const string Pending = "pending";

    /// <summary>Enriched by the LLM: summary written, labels taken from the model's answer.</summary>
    public const string Done = "done";

    /// <summary>Gave up after repeated invalid answers or refusals; the offline labels stay.</summary>
    public const string Failed = "failed";
}
