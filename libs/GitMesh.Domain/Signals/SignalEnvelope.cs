namespace GitMesh.Domain.Signals;

/// <summary>
/// The raw signal as a connector, webhook or import emits it onto the ingest queue.
/// The pipeline upserts on (workspace, <see cref="Source"/>, <see cref="ExternalId"/>), so emitting the same
/// item twice is harmless and emitting an edited item updates the stored signal.
/// </summary>
public sealed record SignalEnvelope
{
    public required string Source { get; init; }
    public required string Kind { get; init; }
    public required string ExternalId { get; init; }
    public string? Url { get; init; }
    public string? Title { get; init; }
    public string? Body { get; init; }
    public SignalAuthor? Author { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public string? ParentExternalId { get; init; }
    /// <summary>True when the source reports the item deleted; the pipeline marks the signal deleted.</summary>
    public bool Deleted { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

public sealed record SignalAuthor(string Username, string? DisplayName = null, string? ProfileUrl = null);

/// <summary>Well-known source names. Connectors use these; ingest accepts any lower-case token.</summary>
public static class SignalSources
{
    public const string GitHub = "github";
    public const string Reddit = "reddit";
    public const string X = "x";
    public const string StackOverflow = "stackoverflow";
    public const string Discord = "discord";
    public const string Webhook = "webhook";
    public const string Import = "import";
}

/// <summary>Well-known signal kinds.</summary>
public static class SignalKinds
{
    public const string Issue = "issue";
    public const string Comment = "comment";
    public const string Discussion = "discussion";
    public const string Post = "post";
    public const string Question = "question";
    public const string Answer = "answer";
    public const string Message = "message";
}
