namespace GitMesh.Connectors.GitHub;

/// <summary>Process-wide GitHub settings (<c>Connectors:GitHub</c>). Per-integration values (repo, credentials, an Enterprise Server URL) live in the integration's settings.</summary>
public sealed class GitHubConnectorOptions
{
    public const string SectionName = "Connectors:GitHub";

    /// <summary>REST root; an integration's <c>baseUrl</c> setting overrides it (GitHub Enterprise Server: <c>https://host/api/v3/</c>).</summary>
    public Uri BaseUrl { get; set; } = new("https://api.github.com/");

    /// <summary>Per-request timeout. A timeout surfaces as <see cref="TransientConnectorException"/> and the run retries.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>REST <c>per_page</c>; GitHub caps it at 100.</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Discussions per GraphQL page. Each carries its first comment page, so large values cost more query points.</summary>
    public int DiscussionPageSize { get; set; } = 50;

    /// <summary>GitHub rejects requests without a User-Agent.</summary>
    public string UserAgent { get; set; } = "GitMesh-Connector";

    internal bool IsValid(out string? error)
    {
        error = !BaseUrl.IsAbsoluteUri ? "BaseUrl must be absolute"
            : Timeout <= TimeSpan.Zero ? "Timeout must be positive"
            : PageSize is < 1 or > 100 ? "PageSize must be between 1 and 100"
            : DiscussionPageSize is < 1 or > 100 ? "DiscussionPageSize must be between 1 and 100"
            : string.IsNullOrWhiteSpace(UserAgent) ? "UserAgent is required"
            : null;
        return error is null;
    }
}
