using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitMesh.Connectors.Reddit;

/// <summary>
/// Typed client for Reddit's OAuth API with application-only credentials. Obtains and caches the bearer token,
/// refreshes it once on a 401, reads listings with <c>after</c> paging and maps protocol failures to connector exceptions.
/// </summary>
public sealed partial class RedditClient(
    HttpClient httpClient,
    RedditTokenCache tokenCache,
    IOptions<RedditOptions> options,
    TimeProvider timeProvider,
    ILogger<RedditClient> logger)
{
    private const string Provider = "reddit";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    /// <summary>One page of a newest-first listing; pass the returned <see cref="RedditPage.After"/> to read older items.</summary>
    public async Task<RedditPage> GetFeedPageAsync(
        RedditCredentials credentials, RedditFeed feed, string? after, CancellationToken cancellationToken, int? limit = null)
    {
        var query = new List<KeyValuePair<string, string>>();
        string path;
        switch (feed.Kind)
        {
            case RedditFeedKind.NewPosts:
                path = $"r/{feed.Value}/new";
                break;
            case RedditFeedKind.Comments:
                path = $"r/{feed.Value}/comments";
                break;
            default:
                path = "search";
                query.Add(new("q", feed.Value));
                query.Add(new("sort", "new"));
                query.Add(new("type", "link"));
                break;
        }

        query.Add(new("limit", (limit ?? options.Value.PageSize).ToString(CultureInfo.InvariantCulture)));
        query.Add(new("raw_json", "1"));
        if (after is not null)
        {
            query.Add(new("after", after));
        }

        var uri = BuildUri(options.Value.ApiBaseUrl, path, query);
        using var response = await SendAuthorizedAsync(credentials, uri, cancellationToken);
        var rateLimit = ReadRateLimit(response);
        await EnsureSuccessAsync(response, rateLimit, cancellationToken);
        var listing = await ReadJsonAsync<RedditListing>(response, cancellationToken);
        var children = listing.Data?.Children ?? [];
        LogPageFetched(logger, feed.Key, children.Count, listing.Data?.After is not null);
        return new RedditPage(children, listing.Data?.After, rateLimit);
    }

    /// <summary>Obtains (or reuses) an app-only token; a refused client id/secret surfaces as <see cref="ConnectorAuthException"/>.</summary>
    public async Task<string> GetAccessTokenAsync(RedditCredentials credentials, CancellationToken cancellationToken)
    {
        if (tokenCache.TryGet(credentials, out var cached))
        {
            return cached;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(WithSlash(options.Value.AuthBaseUrl), "api/v1/access_token"))
        {
            Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.ClientId}:{credentials.ClientSecret}")));
        using var response = await SendAsync(request, cancellationToken);
        var rateLimit = ReadRateLimit(response);
        await EnsureSuccessAsync(response, rateLimit, cancellationToken);
        var token = await ReadJsonAsync<RedditTokenResponse>(response, cancellationToken);
        if (token.Error is { ValueKind: not JsonValueKind.Null } || string.IsNullOrEmpty(token.AccessToken))
        {
            var message = token.Error is { } e && e.ValueKind == JsonValueKind.String ? e.GetString() : token.Message;
            throw new ConnectorAuthException(Provider, message ?? "the token endpoint returned no access_token");
        }

        tokenCache.Store(credentials, token.AccessToken, TimeSpan.FromSeconds(token.ExpiresIn is > 0 ? token.ExpiresIn.Value : 3600));
        LogTokenObtained(logger, credentials.ClientId);
        return token.AccessToken;
    }

    private async Task<HttpResponseMessage> SendAuthorizedAsync(RedditCredentials credentials, Uri uri, CancellationToken cancellationToken)
    {
        var token = await GetAccessTokenAsync(credentials, cancellationToken);
        var response = await SendBearerAsync(uri, token, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        // Tokens can be revoked or expire early (clock skew, secret rotation): one fresh token, then give up.
        response.Dispose();
        tokenCache.Invalidate(credentials);
        LogTokenRefused(logger, credentials.ClientId);
        token = await GetAccessTokenAsync(credentials, cancellationToken);
        return await SendBearerAsync(uri, token, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendBearerAsync(Uri uri, string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("bearer", token);
        return await SendAsync(request, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.TryAddWithoutValidation("User-Agent", options.Value.UserAgent);
        try
        {
            return await httpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidDataException)
        {
            throw new TransientConnectorException($"reddit: {request.Method} {request.RequestUri?.AbsolutePath} failed: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransientConnectorException($"reddit: {request.Method} {request.RequestUri?.AbsolutePath} timed out", ex);
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, RedditRateLimit rateLimit, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = (int)response.StatusCode;
        var path = response.RequestMessage?.RequestUri?.AbsolutePath;
        var message = await ReadErrorMessageAsync(response, cancellationToken);
        switch (status)
        {
            case 401 or 403:
                throw new ConnectorAuthException(Provider, message);
            case 429:
                var retryAt = rateLimit.ResetAt ?? RetryAfter(response) ?? timeProvider.GetUtcNow().AddMinutes(1);
                throw new RateLimitedException(Provider, retryAt, message);
            case 408 or >= 500:
                throw new TransientConnectorException($"reddit: {status} from {path}: {message}");
            default:
                // 404 (banned or unknown subreddit), 400 (bad query): retrying cannot help, the settings must change.
                throw new InvalidOperationException($"reddit: {status} from {path}: {message}");
        }
    }

    private static async Task<string> ReadErrorMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var fallback = $"{(int)response.StatusCode} {response.ReasonPhrase}".Trim();
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (string.IsNullOrWhiteSpace(text) || text.TrimStart()[0] != '{')
            {
                return fallback;
            }

            var body = JsonSerializer.Deserialize<RedditErrorBody>(text, Json);
            var parts = new[] { body?.Message, body?.Reason, body?.Explanation }
                .Where(p => !string.IsNullOrWhiteSpace(p))
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToArray();
            if (parts.Length == 0 && body?.Error is { ValueKind: JsonValueKind.String } e)
            {
                return e.GetString() ?? fallback;
            }

            return parts.Length == 0 ? fallback : string.Join(": ", parts);
        }
        catch (Exception ex) when (ex is JsonException or HttpRequestException or IOException or InvalidDataException)
        {
            return fallback;
        }
    }

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await JsonSerializer.DeserializeAsync<T>(stream, Json, cancellationToken)
                ?? throw new JsonException("empty JSON document");
        }
        catch (JsonException ex)
        {
            // A proxy's HTML error page or a truncated body: worth a retry, not a crash.
            throw new TransientConnectorException($"reddit: malformed JSON from {response.RequestMessage?.RequestUri?.AbsolutePath}", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidDataException)
        {
            throw new TransientConnectorException($"reddit: reading the body of {response.RequestMessage?.RequestUri?.AbsolutePath} failed", ex);
        }
    }

    private RedditRateLimit ReadRateLimit(HttpResponseMessage response)
    {
        var remaining = HeaderNumber(response, "x-ratelimit-remaining");
        var reset = HeaderNumber(response, "x-ratelimit-reset");
        return new RedditRateLimit(remaining, reset is { } seconds ? timeProvider.GetUtcNow().AddSeconds(Math.Max(seconds, 1)) : null);
    }

    private DateTimeOffset? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => timeProvider.GetUtcNow() + delta,
        { Date: { } date } => date,
        _ => null,
    };

    private static double? HeaderNumber(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values)
        && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    private static Uri BuildUri(Uri baseUrl, string path, IEnumerable<KeyValuePair<string, string>> query)
    {
        var queryString = string.Join('&', query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        return new Uri(WithSlash(baseUrl), $"{path}?{queryString}");
    }

    private static Uri WithSlash(Uri baseUrl) =>
        baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reddit feed {FeedKey}: {Count} items, more pages: {HasAfter}")]
    private static partial void LogPageFetched(ILogger logger, string feedKey, int count, bool hasAfter);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reddit app-only token obtained for client {ClientId}")]
    private static partial void LogTokenObtained(ILogger logger, string clientId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reddit refused the cached token for client {ClientId}; requesting a new one")]
    private static partial void LogTokenRefused(ILogger logger, string clientId);
}
