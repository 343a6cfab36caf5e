namespace GitMesh.Connectors.Reddit;

/// <summary>Process-wide Reddit settings (section <c>Connectors:Reddit</c>); per-integration values live in the integration.</summary>
public sealed class RedditOptions
{
    public const string SectionName = "Connectors:Reddit";

    /// <summary>Where <c>/api/v1/access_token</c> lives. Overridable for proxies and test servers.</summary>
    public Uri AuthBaseUrl { get; set; } = new("https://www.reddit.com/");

    /// <summary>OAuth API host; bearer tokens are only accepted here, not on www.reddit.com.</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://oauth.reddit.com/");

    /// <summary>Reddit throttles or blocks generic agents; their rules ask for <c>platform:app:version (by /u/name)</c>.</summary>
    public string UserAgent { get; set; } = "server:gitmesh:1.0 (self-hosted GitMesh)";

    /// <summary>Listing page size; 100 is Reddit's maximum.</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>
    /// How far below the high-water mark a run keeps reading. Listings are sorted by creation, so an edit never
    /// moves an item to the top: re-reading a short tail is the only way to notice recent edits.
    /// </summary>
    public TimeSpan EditLookback { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Safety stop per feed and run; Reddit listings end after about 1000 items anyway.</summary>
    public int MaxPagesPerFeed { get; set; } = 10;

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
