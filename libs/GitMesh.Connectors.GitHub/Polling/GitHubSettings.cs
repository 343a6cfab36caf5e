namespace GitMesh.Connectors.GitHub.Polling;

/// <summary>
/// An integration's non-secret settings: <c>owner</c> + <c>repo</c> (or <c>repo</c> as <c>owner/name</c>), or <c>org</c>
/// for every repository of an organization; <c>includeDiscussions</c> (default true), <c>includePullRequests</c>
/// (default false), <c>baseUrl</c> for GitHub Enterprise Server (<c>https://host/api/v3/</c>).
/// </summary>
internal sealed record GitHubSettings(string? Owner, string? Repo, string? Org, bool IncludeDiscussions, bool IncludePullRequests, Uri? BaseUrl)
{
    public string? RepositoryFullName => Owner is null || Repo is null ? null : $"{Owner}/{Repo}";

    /// <exception cref="ConnectorAuthException">The settings cannot identify what to read; the integration needs fixing.</exception>
    public static GitHubSettings Parse(IReadOnlyDictionary<string, string> settings)
    {
        var owner = Get(settings, "owner");
        var repo = Get(settings, "repo");
        var org = Get(settings, "org");
        if (repo is not null && repo.Contains('/', StringComparison.Ordinal))
        {
            var parts = repo.Split('/', 2, StringSplitOptions.TrimEntries);
            (owner, repo) = (parts[0], parts[1]);
        }

        if (org is null && (string.IsNullOrEmpty(owner) || string.IsNullOrEmpty(repo)))
        {
            throw new ConnectorAuthException("github", "settings need 'owner' and 'repo' (or 'repo' as owner/name), or 'org'");
        }

        Uri? baseUrl = null;
        if (Get(settings, "baseUrl") is { } rawBaseUrl)
        {
            if (!Uri.TryCreate(rawBaseUrl.EndsWith('/') ? rawBaseUrl : rawBaseUrl + "/", UriKind.Absolute, out baseUrl) ||
                (baseUrl.Scheme != Uri.UriSchemeHttps && baseUrl.Scheme != Uri.UriSchemeHttp))
            {
                throw new ConnectorAuthException("github", $"settings.baseUrl '{rawBaseUrl}' is not an absolute http(s) URL");
            }
        }

        return new GitHubSettings(
            org is null ? owner : null,
            org is null ? repo : null,
            org,
            GetBool(settings, "includeDiscussions", true),
            GetBool(settings, "includePullRequests", false),
            baseUrl);
    }

    private static string? Get(IReadOnlyDictionary<string, string> settings, string key) =>
        settings.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static bool GetBool(IReadOnlyDictionary<string, string> settings, string key, bool defaultValue) =>
        Get(settings, key) is { } value ? value.Equals("true", StringComparison.OrdinalIgnoreCase) || value == "1" : defaultValue;
}
