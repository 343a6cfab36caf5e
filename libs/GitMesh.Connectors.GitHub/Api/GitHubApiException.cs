namespace GitMesh.Connectors.GitHub.Api;

/// <summary>GitHub refused a request for a reason retrying will not fix and that is not about credentials (e.g. 422 validation).</summary>
public sealed class GitHubApiException(int statusCode, string message) : Exception($"GitHub API error {statusCode}: {message}")
{
    public int StatusCode { get; } = statusCode;
    public string GitHubMessage { get; } = message;
}
