namespace GitMesh.Connectors.GitHub.Api;

/// <summary>
/// How GitMesh authenticates to GitHub for one integration. Subclasses override <see cref="ToString"/> so a credential
/// that ends up in a log line or exception message never prints its secret.
/// </summary>
public abstract class GitHubCredentials
{
    private protected GitHubCredentials()
    {
    }

    /// <summary>
    /// Reads the integration's decrypted credentials: <c>token</c> (personal access or installation token), or
    /// <c>appId</c> + <c>privateKey</c> (PEM) + <c>installationId</c> for a GitHub App.
    /// </summary>
    /// <exception cref="ConnectorAuthException">Neither set is complete.</exception>
    public static GitHubCredentials FromDictionary(IReadOnlyDictionary<string, string> credentials)
    {
        if (credentials.TryGetValue("token", out var token) && !string.IsNullOrWhiteSpace(token))
        {
            return new GitHubTokenCredentials(token.Trim());
        }

        credentials.TryGetValue("appId", out var appId);
        credentials.TryGetValue("privateKey", out var privateKey);
        credentials.TryGetValue("installationId", out var installationId);
        if (!string.IsNullOrWhiteSpace(appId) && !string.IsNullOrWhiteSpace(privateKey) && !string.IsNullOrWhiteSpace(installationId))
        {
            if (!long.TryParse(installationId, out var installation))
            {
                throw new ConnectorAuthException("github", "installationId must be a number");
            }

            return new GitHubAppCredentials(appId.Trim(), privateKey, installation);
        }

        throw new ConnectorAuthException("github", "no credentials configured: set 'token', or 'appId', 'privateKey' and 'installationId' for a GitHub App");
    }
}

public sealed class GitHubTokenCredentials(string token) : GitHubCredentials
{
    public string Token { get; } = token;

    public override string ToString() => "GitHub token (redacted)";
}

/// <param name="AppId">The App's id (or client id; GitHub accepts either as the JWT issuer).</param>
public sealed class GitHubAppCredentials(string appId, string privateKeyPem, long installationId) : GitHubCredentials
{
    public string AppId { get; } = appId;
    public string PrivateKeyPem { get; } = privateKeyPem;
    public long InstallationId { get; } = installationId;

    public override string ToString() => $"GitHub App {AppId} installation {InstallationId} (key redacted)";
}

/// <summary>Where and as whom to call: the REST root (github.com or an Enterprise Server) and the credentials.</summary>
public sealed record GitHubTarget(Uri BaseUrl, GitHubCredentials Credentials)
{
    /// <summary>GraphQL endpoint: <c>https://api.github.com/graphql</c>, or <c>https://host/api/graphql</c> for Enterprise Server's <c>/api/v3/</c> root.</summary>
    public Uri GraphQlUrl
    {
        get
        {
            var path = BaseUrl.AbsolutePath;
            return path.EndsWith("/api/v3/", StringComparison.OrdinalIgnoreCase)
                ? new Uri(BaseUrl, path[..^"v3/".Length] + "graphql")
                : new Uri(BaseUrl, "graphql");
        }
    }
}
