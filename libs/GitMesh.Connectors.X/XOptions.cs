namespace GitMesh.Connectors.X;

/// <summary>Process-wide X API settings (section <c>Connectors:X</c>); per-integration values live in the integration.</summary>
public sealed class XOptions
{
    public const string SectionName = "Connectors:X";

    /// <summary>API v2 host (api.twitter.com still answers too). Overridable for proxies and test servers.</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://api.x.com/");

    /// <summary>Where post links point.</summary>
    public Uri WebBaseUrl { get; set; } = new("https://x.com/");

    /// <summary>Recent search allows 10..100 per page; every post read counts against the monthly cap either way.</summary>
    public int MaxResults { get; set; } = 100;

    /// <summary>
    /// Account looked up by "test connection". A user lookup proves the bearer token without reading posts,
    /// which would count against the monthly post cap.
    /// </summary>
    public string TestConnectionUsername { get; set; } = "XDevelopers";

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
