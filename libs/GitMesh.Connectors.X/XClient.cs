using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitMesh.Connectors.X;

/// <summary>
/// Typed client for X API v2 with an app-only bearer token: recent search with <c>next_token</c> paging and
/// author expansion, rate-limit headers, and the problem bodies mapped to connector exceptions.
/// </summary>
public sealed partial class XClient(HttpClient httpClient, IOptions<XOptions> options, TimeProvider timeProvider, ILogger<XClient> logger)
{
    private const string Provider = "x";

    /// <summary>Fields we map; <c>edit_history_tweet_ids</c> and <c>note_tweet</c> give edits a stable id and long posts their full text.</summary>
    public const string PostFields = "created_at,author_id,conversation_id,referenced_tweets,lang,public_metrics,edit_history_tweet_ids,note_tweet";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    public async Task<XSearchPage> SearchRecentAsync(string bearerToken, XSearchQuery query, CancellationToken cancellationToken)
    {
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("query", query.Query),
            new("max_results", options.Value.MaxResults.ToString(CultureInfo.InvariantCulture)),
            new("tweet.fields", PostFields),
            new("expansions", "author_id"),
            new("user.fields", "username,name"),
        };
        if (query.SinceId is not null)
        {
            parameters.Add(new("since_id", query.SinceId));
        }

        if (query.StartTime is { } start)
        {
            parameters.Add(new("start_time", start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
        }

        if (query.NextToken is not null)
        {
            parameters.Add(new("next_token", query.NextToken));
        }

        using var response = await GetAsync(bearerToken, "2/tweets/search/recent", parameters, cancellationToken);
        var body = await ReadJsonAsync<XSearchResponse>(response, cancellationToken);
        var users = new Dictionary<string, XUser>(StringComparer.Ordinal);
        foreach (var user in body.Includes?.Users ?? [])
        {
            if (user.Id is not null)
            {
                users[user.Id] = user;
            }
        }

        var posts = (body.Data ?? []).Where(p => !string.IsNullOrEmpty(p.Id)).ToList();
        LogPageFetched(logger, posts.Count, body.Meta?.NextToken is not null);
        return new XSearchPage(posts, users, body.Meta?.NewestId, body.Meta?.NextToken, ReadRateLimit(response));
    }

    /// <summary>Cheap authenticated call: a user lookup by username.</summary>
    public async Task<XUser?> GetUserByUsernameAsync(string bearerToken, string username, CancellationToken cancellationToken)
    {
        var parameters = new List<KeyValuePair<string, string>> { new("user.fields", "username,name") };
        using var response = await GetAsync(bearerToken, $"2/users/by/username/{Uri.EscapeDataString(username)}", parameters, cancellationToken);
        return (await ReadJsonAsync<XUserResponse>(response, cancellationToken)).Data;
    }

    private async Task<HttpResponseMessage> GetAsync(
        string bearerToken, string path, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        var baseUrl = options.Value.ApiBaseUrl.AbsoluteUri.TrimEnd('/') + "/";
        var queryString = string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(baseUrl), $"{path}?{queryString}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        HttpResponseMessage response;
        try
        {
            response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidDataException)
        {
            throw new TransientConnectorException($"x: GET /{path} failed: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransientConnectorException($"x: GET /{path} timed out", ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ErrorForStatusAsync(response, path, cancellationToken);
        }
    }

    private async Task<Exception> ErrorForStatusAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var problem = await ReadProblemAsync(response, cancellationToken);
        var message = Describe(problem) ?? $"{status} {response.ReasonPhrase}".Trim();
        return status switch
        {
            401 or 403 => new ConnectorAuthException(Provider, message),
            // The monthly post cap does not reset with the 15-minute window: retrying only burns requests.
            429 when IsUsageCap(problem) => new QuotaExhaustedException(Provider, message),
            429 => new RateLimitedException(
                Provider,
                ReadRateLimit(response).ResetAt
                    ?? EpochHeader(response, "x-app-limit-24hour-reset")
                    ?? EpochHeader(response, "x-user-limit-24hour-reset")
                    ?? timeProvider.GetUtcNow().AddMinutes(15),
                message),
            400 when problem?.Errors?.Any(e => MentionsParameter(e, "since_id")) == true => new XSinceIdRejectedException(message),
            408 or >= 500 => new TransientConnectorException($"x: {status} from /{path}: {message}"),
            // 400 for a malformed query and 404: retrying cannot help, the settings must change.
            _ => new InvalidOperationException($"x: {status} from /{path}: {message}"),
        };
    }

    private static bool IsUsageCap(XProblem? problem) =>
        problem is not null
        && ((problem.Type?.Contains("usage-capped", StringComparison.OrdinalIgnoreCase) ?? false)
            || string.Equals(problem.Title, "UsageCapExceeded", StringComparison.OrdinalIgnoreCase)
            || (problem.Detail?.Contains("Usage cap exceeded", StringComparison.OrdinalIgnoreCase) ?? false));

    private static bool MentionsParameter(XApiError error, string parameter) =>
        (error.Parameters is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(parameter, out _))
        || (error.Message?.Contains(parameter, StringComparison.Ordinal) ?? false);

    private static string? Describe(XProblem? problem)
    {
        if (problem is null)
        {
            return null;
        }

        var details = (problem.Errors ?? []).Select(e => e.Message ?? e.Detail).Where(m => !string.IsNullOrWhiteSpace(m));
        var parts = new[] { problem.Title, problem.Detail, problem.Reason }.Concat(details)
            .Where(p => !string.IsNullOrWhiteSpace(p))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        return parts.Length == 0 ? null : string.Join(": ", parts);
    }

    private static async Task<XProblem?> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return string.IsNullOrWhiteSpace(text) || text.TrimStart()[0] != '{' ? null : JsonSerializer.Deserialize<XProblem>(text, Json);
        }
        catch (Exception ex) when (ex is JsonException or HttpRequestException or IOException or InvalidDataException)
        {
            return null;
        }
    }

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await JsonSerializer.DeserializeAsync<T>(stream, Json, cancellationToken) ?? throw new JsonException("empty JSON document");
        }
        catch (JsonException ex)
        {
            throw new TransientConnectorException($"x: malformed JSON from {response.RequestMessage?.RequestUri?.AbsolutePath}", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidDataException)
        {
            throw new TransientConnectorException($"x: reading the body of {response.RequestMessage?.RequestUri?.AbsolutePath} failed", ex);
        }
    }

    private static XRateLimit ReadRateLimit(HttpResponseMessage response) =>
        new(response.Headers.TryGetValues("x-rate-limit-remaining", out var values)
            && int.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var remaining)
                ? remaining
                : null,
            EpochHeader(response, "x-rate-limit-reset"));

    private static DateTimeOffset? EpochHeader(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch)
            ? DateTimeOffset.FromUnixTimeSeconds(epoch)
            : null;

    [LoggerMessage(Level = LogLevel.Debug, Message = "X recent search page: {Count} posts, more pages: {HasNext}")]
    private static partial void LogPageFetched(ILogger logger, int count, bool hasNext);
}
