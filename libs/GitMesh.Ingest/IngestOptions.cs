namespace GitMesh.Ingest;

/// <summary>Bound from "Ingest".</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Ingest";

    /// <summary>Most items one ingest request may carry.</summary>
    public int MaxItemsPerRequest { get; set; } = 1_000;

    public int MaxTitleChars { get; set; } = 1_000;

    /// <summary>Longest accepted body; longer items are rejected with a reason, not truncated silently.</summary>
    public int MaxBodyChars { get; set; } = 200_000;

    public int MaxMetadataEntries { get; set; } = 50;

    /// <summary>
    /// Messages a consumer takes per batch (one transaction per batch). 512 used ~15 % less CPU per signal than 256 in
    /// bench ingest (per-batch queries, index top-up, pages dirtied per commit), but the batch's own texts count in the
    /// document frequencies its duplicate lookups use, so another batch size moves a borderline pair or two (one cluster
    /// in 10,000 bench signals): the default stays where the stored clusters were produced.
    /// </summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>Consumer loops per process.</summary>
    public int Consumers { get; set; } = 1;

    /// <summary>Whether this process consumes the ingest queue (Workers always; the Api in the embedded default).</summary>
    public bool ConsumerEnabled { get; set; } = true;

    public TimeSpan PollWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often queue depth and throughput are logged.</summary>
    public TimeSpan StatsLogInterval { get; set; } = TimeSpan.FromSeconds(30);
}
