using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitMesh.Connectors.StackExchange;

/// <summary>
/// Typed client for the Stack Exchange API 2.3: questions by tag or search, answers of up to 100 questions, the common
/// wrapper (<c>has_more</c>, <c>backoff</c>, quota) and its error fields mapped to connector exceptions.
/// Responses are always compressed; the primary handler decompresses them.
/// </summary>
public sealed partial class StackExchangeClient(
    HttpClient httpClient,
    IOptions<StackExchangeOptions> options,
    TimeProvider timeProvider,
    ILogger<StackExchangeClient> logger)
{
    public const string QuestionsMethod = "questions";
    public const string SearchMethod = "search/advanced";
    public const string AnswersMethod = "questions/{ids}/answers";
    public const int MaxIdsPerRequest = 100;
    private const string Provider = "stackoverflow";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    /// <summary>
    /// Questions of a feed with activity at or after <paramref name="minActivity"/>, oldest activity first.
    /// <c>min</c> (not <c>fromdate</c>, which filters on creation) bounds the sort field, so edits and new answers
    /// on old questions are seen.
    /// </summary>
    public Task<StackExchangePage<StackExchangeQuestion>> GetQuestionsAsync(
        StackExchangeAccess access, string site, StackExchangeFeed feed, long minActivity, int page, CancellationToken cancellationToken)
    {
        var parameters = new List<KeyValuePair<string, string>>();
        if (feed.Kind == StackExchangeFeedKind.Tag)
        {
            parameters.Add(new("tagged", feed.Value));
        }
        else
        {
            parameters.Add(new("q", feed.Value));
        }

        parameters.AddRange(Sorted(minActivity, page));
        return GetAsync<StackExchangeQuestion>(access, site, feed.Method, feed.Kind == StackExchangeFeedKind.Tag ? "questions" : "search/advanced", parameters, cancellationToken);
    }

    /// <summary>Answers of up to <see cref="MaxIdsPerRequest"/> questions with activity at or after <paramref name="minActivity"/>.</summary>
    public Task<StackExchangePage<StackExchangeAnswer>> GetAnswersAsync(
        StackExchangeAccess access, string site, IReadOnlyCollection<long> questionIds, long minActivity, int page, CancellationToken cancellationToken)
    {
        if (questionIds.Count is 0 or > MaxIdsPerRequest)
        {
            throw new ArgumentOutOfRangeException(nameof(questionIds), questionIds.Count, $"1..{MaxIdsPerRequest} question ids per request");
        }

        var ids = string.Join(';', questionIds.Select(i => i.ToString(CultureInfo.InvariantCulture)));
        return GetAsync<StackExchangeAnswer>(access, site, AnswersMethod, $"questions/{ids}/answers", Sorted(minActivity, page), cancellationToken);
    }

    /// <summary>Cheap call for "test connection": one question of the site, which also validates the site and key.</summary>
    public Task<StackExchangePage<StackExchangeQuestion>> ProbeAsync(StackExchangeAccess access, string site, CancellationToken cancellationToken) =>
        GetAsync<StackExchangeQuestion>(access, site, QuestionsMethod, "questions", [new("pagesize", "1")], cancellationToken);

    private IEnumerable<KeyValuePair<string, string>> Sorted(long minActivity, int page) =>
    [
        new("sort", "activity"),
        new("order", "asc"),
        new("min", minActivity.ToString(CultureInfo.InvariantCulture)),
        new("page", page.ToString(CultureInfo.InvariantCulture)),
        new("pagesize", options.Value.PageSize.ToString(CultureInfo.InvariantCulture)),
        new("filter", options.Value.Filter),
    ];

    private async Task<StackExchangePage<T>> GetAsync<T>(
        StackExchangeAccess access,
        string site,
        string method,
        string path,
        IEnumerable<KeyValuePair<string, string>> parameters,
        CancellationToken cancellationToken)
    {
        var all = new List<KeyValuePair<string, string>>(parameters) { new("site", site) };
        var key = access.Key ?? options.Value.AppKey;
        if (!string.IsNullOrEmpty(key))
        {
            all.Add(new("key", key));
        }

        if (!string.IsNullOrEmpty(access.AccessToken))
        {
            all.Add(new("access_token", access.AccessToken));
        }

        var baseUrl = new Uri(options.Value.ApiBaseUrl.AbsoluteUri.TrimEnd('/') + "/");
        var queryString = string.Join('&', all.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, $"{path}?{queryString}"));
        HttpResponseMessage response;
        try
        {
            response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidDataException)
        {
            throw new TransientConnectorException($"stackoverflow: GET /{method} failed: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransientConnectorException($"stackoverflow: GET /{method} timed out", ex);
        }

        using (response)
        {
            string text;
            try
            {
                text = await response.Content.ReadAsStringAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidDataException)
            {
                throw new TransientConnectorException($"stackoverflow: reading the body of /{method} failed", ex);
            }

            StackExchangeWrapper<T>? wrapper = null;
            JsonException? parseError = null;
            try
            {
                wrapper = JsonSerializer.Deserialize<StackExchangeWrapper<T>>(text, Json);
            }
            catch (JsonException ex)
            {
                parseError = ex;
            }

            // Errors arrive as HTTP 400 with the wrapper's error fields (or 200 for JSONP), so the body decides.
            if (wrapper?.ErrorId is { } errorId)
            {
                throw ErrorFor(errorId, wrapper.ErrorName, wrapper.ErrorMessage, method);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw ErrorForStatus(response, method);
            }

            if (wrapper is null)
            {
                throw new TransientConnectorException($"stackoverflow: malformed JSON from /{method}", parseError);
            }

            if (wrapper.Backoff is > 0)
            {
                LogBackoff(logger, method, wrapper.Backoff.Value);
            }

            var items = wrapper.Items ?? [];
            LogPageFetched(logger, method, items.Count, wrapper.HasMore == true, wrapper.QuotaRemaining);
            return new StackExchangePage<T>(items, wrapper.HasMore == true, method, wrapper.Backoff, wrapper.QuotaRemaining, wrapper.QuotaMax);
        }
    }

    private Exception ErrorFor(int errorId, string? errorName, string? errorMessage, string method)
    {
        var message = $"{errorName ?? "error"} ({errorId}): {errorMessage}".TrimEnd(' ', ':');
        return errorId switch
        {
            502 => new RateLimitedException(Provider, ThrottleRetryAt(errorMessage), message),
            401 or 402 or 403 or 405 or 406 => new ConnectorAuthException(Provider, message),
            // An unknown or revoked key is reported as a bad "key" parameter.
            400 when MentionsCredential(errorMessage) => new ConnectorAuthException(Provider, message),
            500 or 503 or 504 => new TransientConnectorException($"stackoverflow: /{method} failed: {message}"),
            _ => new InvalidOperationException($"stackoverflow: /{method} failed: {message}"),
        };
    }

    private Exception ErrorForStatus(HttpResponseMessage response, string method)
    {
        var status = (int)response.StatusCode;
        var message = $"{status} {response.ReasonPhrase}".Trim();
        return status switch
        {
            401 or 403 => new ConnectorAuthException(Provider, message),
            429 => new RateLimitedException(
                Provider,
                response.Headers.RetryAfter?.Delta is { } delta ? timeProvider.GetUtcNow() + delta : timeProvider.GetUtcNow().AddMinutes(1),
                message),
            408 or >= 500 => new TransientConnectorException($"stackoverflow: /{method} returned {message}"),
            _ => new InvalidOperationException($"stackoverflow: /{method} returned {message}"),
        };
    }

    /// <summary>"too many requests from this IP, more requests available in 79636 seconds".</summary>
    private DateTimeOffset ThrottleRetryAt(string? message)
    {
        var match = message is null ? null : AvailableIn().Match(message);
        return match is { Success: true } && long.TryParse(match.Groups[1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            ? timeProvider.GetUtcNow().AddSeconds(seconds)
            // Backoff violations carry no delay; a minute is longer than any backoff seen in practice.
            : timeProvider.GetUtcNow().AddMinutes(1);
    }

    private static bool MentionsCredential(string? message) =>
        message is not null
        && (message.Contains("access_token", StringComparison.OrdinalIgnoreCase) || KeyParameter().IsMatch(message));

    [GeneratedRegex(@"available in (\d+) seconds", RegexOptions.IgnoreCase)]
    private static partial Regex AvailableIn();

    [GeneratedRegex(@"\bkey\b", RegexOptions.IgnoreCase)]
    private static partial Regex KeyParameter();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stack Exchange /{Method}: {Count} items, has_more {HasMore}, quota remaining {QuotaRemaining}")]
    private static partial void LogPageFetched(ILogger logger, string method, int count, bool hasMore, int? quotaRemaining);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stack Exchange asked to back off /{Method} for {Seconds} s")]
    private static partial void LogBackoff(ILogger logger, string method, int seconds);
}
