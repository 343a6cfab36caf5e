using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitMesh.Connectors.GitHub.Api;

/// <summary>
/// Typed client for the slice of GitHub's REST and GraphQL APIs GitMesh reads. Every call names its
/// <see cref="GitHubTarget"/> (base URL + credentials) because one client serves many integrations.
/// Failures are mapped to the connector contract: <see cref="RateLimitedException"/>, <see cref="ConnectorAuthException"/>,
/// <see cref="TransientConnectorException"/>; anything else non-2xx is a <see cref="GitHubApiException"/>.
/// </summary>
public sealed partial class GitHubClient(
    HttpClient httpClient,
    GitHubAppTokenCache appTokens,
    IOptions<GitHubConnectorOptions> options,
    TimeProvider timeProvider,
    ILogger<GitHubClient> logger)
{
    public const string Provider = "github";
    public const string ApiVersion = "2022-11-28";

    /// <summary>Wait this long after a secondary rate limit that names no reset (GitHub: "wait at least one minute").</summary>
    private static readonly TimeSpan SecondaryLimitBackoff = TimeSpan.FromMinutes(1);

    private static readonly JsonSerializerOptions RestJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private static readonly JsonSerializerOptions GraphQlJson = new(JsonSerializerDefaults.Web);

    private int PageSize => options.Value.PageSize;

    // ---- URLs -------------------------------------------------------------------------------------------------

    /// <summary>First page of a repository's issues (and pull requests) updated at or after <paramref name="since"/>, oldest update first.</summary>
    public Uri IssuesUrl(GitHubTarget target, string owner, string repo, DateTimeOffset since) =>
        new(target.BaseUrl, $"repos/{Escape(owner)}/{Escape(repo)}/issues?state=all&sort=updated&direction=asc&since={FormatSince(since)}&per_page={PageSize}");

    /// <summary>First page of every issue/PR comment of a repository updated at or after <paramref name="since"/>, oldest update first.</summary>
    public Uri IssueCommentsUrl(GitHubTarget target, string owner, string repo, DateTimeOffset since) =>
        new(target.BaseUrl, $"repos/{Escape(owner)}/{Escape(repo)}/issues/comments?sort=updated&direction=asc&since={FormatSince(since)}&per_page={PageSize}");

    public Uri OrganizationRepositoriesUrl(GitHubTarget target, string org) =>
        new(target.BaseUrl, $"orgs/{Escape(org)}/repos?type=all&sort=full_name&per_page={PageSize}");

    // ---- REST -------------------------------------------------------------------------------------------------

    public Task<GitHubPage<GitHubIssue>> GetIssuesPageAsync(GitHubTarget target, Uri pageUrl, CancellationToken cancellationToken) =>
        GetPageAsync<GitHubIssue>(target, pageUrl, cancellationToken);

    public Task<GitHubPage<GitHubIssueComment>> GetIssueCommentsPageAsync(GitHubTarget target, Uri pageUrl, CancellationToken cancellationToken) =>
        GetPageAsync<GitHubIssueComment>(target, pageUrl, cancellationToken);

    public Task<GitHubPage<GitHubRepository>> GetRepositoriesPageAsync(GitHubTarget target, Uri pageUrl, CancellationToken cancellationToken) =>
        GetPageAsync<GitHubRepository>(target, pageUrl, cancellationToken);

    /// <summary>Every issue updated since <paramref name="since"/>, following <c>Link: rel="next"</c> to the end.</summary>
    public IAsyncEnumerable<GitHubIssue> ListIssuesAsync(GitHubTarget target, string owner, string repo, DateTimeOffset since, CancellationToken cancellationToken) =>
        ListAllAsync<GitHubIssue>(target, IssuesUrl(target, owner, repo, since), cancellationToken);

    public IAsyncEnumerable<GitHubIssueComment> ListIssueCommentsAsync(GitHubTarget target, string owner, string repo, DateTimeOffset since, CancellationToken cancellationToken) =>
        ListAllAsync<GitHubIssueComment>(target, IssueCommentsUrl(target, owner, repo, since), cancellationToken);

    public IAsyncEnumerable<GitHubRepository> ListOrganizationRepositoriesAsync(GitHubTarget target, string org, CancellationToken cancellationToken) =>
        ListAllAsync<GitHubRepository>(target, OrganizationRepositoriesUrl(target, org), cancellationToken);

    /// <summary>Follows <c>Link: rel="next"</c> from <paramref name="firstPage"/> to the last page.</summary>
    public async IAsyncEnumerable<T> ListAllAsync<T>(GitHubTarget target, Uri firstPage, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (Uri? next = firstPage; next is not null;)
        {
            var page = await GetPageAsync<T>(target, next, cancellationToken);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            next = page.Next;
        }
    }

    public async Task<GitHubPage<T>> GetPageAsync<T>(GitHubTarget target, Uri pageUrl, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(target, HttpMethod.Get, pageUrl, content: null, cancellationToken);
        var items = await ReadJsonAsync<List<T>>(response, RestJson, cancellationToken);
        var next = response.Headers.TryGetValues("Link", out var links) ? GitHubLinkHeader.FindNext(links, pageUrl) : null;
        return new GitHubPage<T>(items, next);
    }

    public async Task<GitHubRepository> GetRepositoryAsync(GitHubTarget target, string owner, string repo, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(target, HttpMethod.Get, new Uri(target.BaseUrl, $"repos/{Escape(owner)}/{Escape(repo)}"), null, cancellationToken);
        return await ReadJsonAsync<GitHubRepository>(response, RestJson, cancellationToken);
    }

    public async Task<GitHubOrganization> GetOrganizationAsync(GitHubTarget target, string org, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(target, HttpMethod.Get, new Uri(target.BaseUrl, $"orgs/{Escape(org)}"), null, cancellationToken);
        return await ReadJsonAsync<GitHubOrganization>(response, RestJson, cancellationToken);
    }

    // ---- GraphQL ----------------------------------------------------------------------------------------------

    private const string DiscussionFields = """
        id databaseId number title body url createdAt updatedAt closed answerChosenAt
        author { login avatarUrl url }
        category { name }
        labels(first: 20) { nodes { name } }
        """;

    private const string CommentFields = "id databaseId body url createdAt updatedAt isAnswer author { login avatarUrl url }";

    private const string DiscussionsQuery = $$"""
        query($owner: String!, $name: String!, $first: Int!, $after: String, $commentsFirst: Int!) {
          repository(owner: $owner, name: $name) {
            nameWithOwner
            discussions(first: $first, after: $after, orderBy: {field: UPDATED_AT, direction: DESC}) {
              pageInfo { hasNextPage endCursor }
              nodes {
                {{DiscussionFields}}
                comments(first: $commentsFirst) { pageInfo { hasNextPage endCursor } nodes { {{CommentFields}} } }
              }
            }
          }
        }
        """;

    private const string DiscussionCommentsQuery = $$"""
        query($id: ID!, $first: Int!, $after: String) {
          node(id: $id) {
            ... on Discussion {
              comments(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { {{CommentFields}} } }
            }
          }
        }
        """;

    /// <summary>
    /// One page of a repository's discussions, most recently updated first, each with its first page of comments.
    /// Newest-first because the API has no "updated since" filter: an incremental pass stops at the first discussion
    /// older than its high-water mark, and a discussion updated mid-pass moves to the front (already read, so seen next
    /// pass) instead of shifting an unread one past the cursor.
    /// </summary>
    public async Task<GitHubDiscussionPage> GetDiscussionsPageAsync(GitHubTarget target, string owner, string repo, string? after, CancellationToken cancellationToken)
    {
        var data = await GraphQlAsync(target, DiscussionsQuery, new Dictionary<string, object?>
        {
            ["owner"] = owner,
            ["name"] = repo,
            ["first"] = options.Value.DiscussionPageSize,
            ["after"] = after,
            ["commentsFirst"] = 50,
        }, cancellationToken);

        if (!data.TryGetProperty("repository", out var repository) || repository.ValueKind != JsonValueKind.Object)
        {
            throw new ConnectorAuthException(Provider, $"repository {owner}/{repo} was not found or is not visible to these credentials");
        }

        var connection = Deserialize<DiscussionConnection>(repository.GetProperty("discussions"));
        return new GitHubDiscussionPage(repository.GetProperty("nameWithOwner").GetString() ?? $"{owner}/{repo}", connection.Nodes, connection.PageInfo);
    }

    /// <summary>Further comment pages of one discussion (the discussions query carries only the first).</summary>
    public async Task<GitHubDiscussionCommentConnection> GetDiscussionCommentsPageAsync(GitHubTarget target, string discussionNodeId, string? after, CancellationToken cancellationToken)
    {
        var data = await GraphQlAsync(target, DiscussionCommentsQuery, new Dictionary<string, object?>
        {
            ["id"] = discussionNodeId,
            ["first"] = 100,
            ["after"] = after,
        }, cancellationToken);

        if (!data.TryGetProperty("node", out var node) || node.ValueKind != JsonValueKind.Object || !node.TryGetProperty("comments", out var comments))
        {
            return new GitHubDiscussionCommentConnection(new GitHubGraphQlPageInfo(false, null), []);
        }

        return Deserialize<GitHubDiscussionCommentConnection>(comments);
    }

    private sealed record DiscussionConnection(GitHubGraphQlPageInfo PageInfo, IReadOnlyList<GitHubDiscussion> Nodes);

    private async Task<JsonElement> GraphQlAsync(GitHubTarget target, string query, Dictionary<string, object?> variables, CancellationToken cancellationToken)
    {
        using var content = JsonContent.Create(new { query, variables });
        using var response = await SendAsync(target, HttpMethod.Post, target.GraphQlUrl, content, cancellationToken);
        var document = await ReadJsonAsync<JsonDocument>(response, GraphQlJson, cancellationToken);
        using (document)
        {
            var root = document.RootElement;
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                ThrowForGraphQlErrors(errors, response, root);
            }

            if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            {
                throw new TransientConnectorException("GitHub GraphQL response has no data");
            }

            return data.Clone();
        }
    }

    private void ThrowForGraphQlErrors(JsonElement errors, HttpResponseMessage response, JsonElement root)
    {
        var messages = new List<string>();
        string? type = null;
        foreach (var error in errors.EnumerateArray())
        {
            type ??= error.TryGetProperty("type", out var t) ? t.GetString() : null;
            if (error.TryGetProperty("message", out var m) && m.GetString() is { } message)
            {
                messages.Add(message);
            }
        }

        var detail = string.Join("; ", messages);
        switch (type)
        {
            case "RATE_LIMITED":
                throw new RateLimitedException(Provider, RateLimitReset(response) ?? timeProvider.GetUtcNow() + SecondaryLimitBackoff, detail);
            case "NOT_FOUND" or "FORBIDDEN":
                throw new ConnectorAuthException(Provider, detail);
        }

        // Partial data with errors (e.g. one inaccessible field) is still usable; total failure is not.
        if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object)
        {
            LogGraphQlPartialErrors(logger, detail);
            return;
        }

        throw new GitHubApiException(200, detail.Length > 0 ? detail : "GraphQL request failed");
    }

    // ---- transport and error mapping ---------------------------------------------------------------------------

    private async Task<HttpResponseMessage> SendAsync(GitHubTarget target, HttpMethod method, Uri uri, HttpContent? content, CancellationToken cancellationToken)
    {
        EnsureSameOrigin(target.BaseUrl, uri);
        var token = target.Credentials switch
        {
            GitHubTokenCredentials t => t.Token,
            GitHubAppCredentials app => await appTokens.GetTokenAsync(target.BaseUrl, app, (jwt, ct) => ExchangeInstallationTokenAsync(target.BaseUrl, app, jwt, ct), cancellationToken),
            _ => throw new InvalidOperationException("Unknown GitHub credential type."),
        };

        var response = await SendRawAsync(method, uri, content, token, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var failure = await MapFailureAsync(response, cancellationToken);
            if (failure is ConnectorAuthException && target.Credentials is GitHubAppCredentials appCredentials)
            {
                appTokens.Evict(target.BaseUrl, appCredentials);
            }

            throw failure;
        }
    }

    private async Task<GitHubInstallationToken> ExchangeInstallationTokenAsync(Uri baseUrl, GitHubAppCredentials app, string jwt, CancellationToken cancellationToken)
    {
        var uri = new Uri(baseUrl, $"app/installations/{app.InstallationId.ToString(CultureInfo.InvariantCulture)}/access_tokens");
        using var response = await SendRawAsync(HttpMethod.Post, uri, content: null, jwt, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await MapFailureAsync(response, cancellationToken);
        }

        LogInstallationTokenIssued(logger, app.AppId, app.InstallationId);
        return await ReadJsonAsync<GitHubInstallationToken>(response, RestJson, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, Uri uri, HttpContent? content, string bearerToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        request.Headers.Accept.ParseAdd("application/vnd.github+json");
        request.Headers.TryAddWithoutValidation("X-GitHub-Api-Version", ApiVersion);
        request.Headers.UserAgent.ParseAdd(options.Value.UserAgent);

        try
        {
            var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            LogResponse(logger, method.Method, uri.AbsolutePath, (int)response.StatusCode);
            return response;
        }
        catch (HttpRequestException ex)
        {
            throw new TransientConnectorException($"GitHub request {method} {uri.AbsolutePath} failed: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransientConnectorException($"GitHub request {method} {uri.AbsolutePath} timed out", ex);
        }
    }

    private async Task<Exception> MapFailureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var message = await ReadErrorMessageAsync(response, cancellationToken);

        if (status is 403 or 429)
        {
            if (response.Headers.RetryAfter is { } retryAfter)
            {
                var at = retryAfter.Date ?? timeProvider.GetUtcNow() + (retryAfter.Delta ?? SecondaryLimitBackoff);
                return new RateLimitedException(Provider, at, message);
            }

            if (Header(response, "x-ratelimit-remaining") == "0" && RateLimitReset(response) is { } reset)
            {
                return new RateLimitedException(Provider, reset, message);
            }

            if (status == 429 || message.Contains("rate limit", StringComparison.OrdinalIgnoreCase))
            {
                return new RateLimitedException(Provider, timeProvider.GetUtcNow() + SecondaryLimitBackoff, message);
            }
        }

        return status switch
        {
            401 or 403 => new ConnectorAuthException(Provider, message),
            404 => new ConnectorAuthException(Provider, $"{message} (the repository or organization does not exist, or these credentials cannot see it)"),
            408 or >= 500 => new TransientConnectorException($"GitHub returned {status}: {message}"),
            _ => new GitHubApiException(status, message),
        };
    }

    private static async Task<string> ReadErrorMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadFromJsonAsync<GitHubErrorBody>(RestJson, cancellationToken);
            if (!string.IsNullOrWhiteSpace(body?.Message))
            {
                return body.Message;
            }
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or HttpRequestException)
        {
            // Proxies answer with HTML; fall back to the status text.
        }

        return response.ReasonPhrase ?? response.StatusCode.ToString();
    }

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, JsonSerializerOptions jsonOptions, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await JsonSerializer.DeserializeAsync<T>(stream, jsonOptions, cancellationToken)
                ?? throw new TransientConnectorException($"GitHub returned an empty JSON body for {response.RequestMessage?.RequestUri?.AbsolutePath}");
        }
        catch (JsonException ex)
        {
            throw new TransientConnectorException($"GitHub returned malformed JSON for {response.RequestMessage?.RequestUri?.AbsolutePath}: {ex.Message}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new TransientConnectorException($"GitHub response body could not be read: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransientConnectorException("GitHub response body timed out", ex);
        }
    }

    private static T Deserialize<T>(JsonElement element)
    {
        try
        {
            return element.Deserialize<T>(GraphQlJson) ?? throw new TransientConnectorException($"GitHub GraphQL returned null for {typeof(T).Name}");
        }
        catch (JsonException ex)
        {
            throw new TransientConnectorException($"GitHub GraphQL returned an unexpected shape: {ex.Message}", ex);
        }
    }

    /// <summary><c>x-ratelimit-reset</c> is epoch seconds; some proxies and recorded fixtures carry milliseconds.</summary>
    private static DateTimeOffset? RateLimitReset(HttpResponseMessage response)
    {
        if (!long.TryParse(Header(response, "x-ratelimit-reset"), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }

        return value > 100_000_000_000 ? DateTimeOffset.FromUnixTimeMilliseconds(value) : DateTimeOffset.FromUnixTimeSeconds(value);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()?.Trim() : null;

    /// <summary>Next-page links come from the server; never send a token to a host other than the configured one.</summary>
    private static void EnsureSameOrigin(Uri baseUrl, Uri uri)
    {
        if (Uri.Compare(baseUrl, uri, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
        {
            throw new GitHubApiException(0, $"refusing to call {uri.GetLeftPart(UriPartial.Authority)}: it is not the configured GitHub host {baseUrl.GetLeftPart(UriPartial.Authority)}");
        }
    }

    private static string FormatSince(DateTimeOffset since) =>
        Uri.EscapeDataString(since.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    [LoggerMessage(Level = LogLevel.Debug, Message = "GitHub {Method} {Path} -> {StatusCode}")]
    private static partial void LogResponse(ILogger logger, string method, string path, int statusCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Minted an installation token for GitHub App {AppId} installation {InstallationId}")]
    private static partial void LogInstallationTokenIssued(ILogger logger, string appId, long installationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub GraphQL returned partial data with errors: {Errors}")]
    private static partial void LogGraphQlPartialErrors(ILogger logger, string errors);
}
