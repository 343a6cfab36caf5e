using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using GitMesh.Connectors.Discord.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitMesh.Connectors.Discord.Rest;

/// <summary>
/// Typed client for the few Discord REST endpoints we read. The bot token is passed per call because one process
/// serves many bots (one per integration). Paging and rate limits are handled here, not by callers.
/// </summary>
public sealed partial class DiscordRestClient(
    HttpClient httpClient,
    DiscordRateLimitGate rateLimitGate,
    IOptions<DiscordOptions> options,
    TimeProvider timeProvider,
    ILogger<DiscordRestClient> logger)
{
    public const int MaxPageSize = 100;

    private const string Provider = "discord";

    public Task<DiscordGatewayBot> GetGatewayBotAsync(string token, CancellationToken cancellationToken) =>
        GetRequiredAsync<DiscordGatewayBot>(token, "gateway/bot", cancellationToken);

    public Task<DiscordUser> GetCurrentUserAsync(string token, CancellationToken cancellationToken) =>
        GetRequiredAsync<DiscordUser>(token, "users/@me", cancellationToken);

    /// <summary><c>GET /channels/{id}</c>; null when the channel does not exist or the bot cannot see it (404/403).</summary>
    public async Task<DiscordChannel?> GetChannelAsync(string token, string channelId, CancellationToken cancellationToken)
    {
        var path = $"channels/{Uri.EscapeDataString(channelId)}";
        return await SendAsync<DiscordChannel>(token, path, path, nullOnMissing: true, cancellationToken);
    }

    /// <summary>Active (non-archived) threads of a guild the bot can see.</summary>
    public async Task<IReadOnlyList<DiscordChannel>> ListActiveThreadsAsync(string token, string guildId, CancellationToken cancellationToken)
    {
        var list = await GetRequiredAsync<DiscordThreadList>(token, $"guilds/{Uri.EscapeDataString(guildId)}/threads/active", cancellationToken);
        return list.Threads;
    }

    /// <summary>
    /// One page of up to <paramref name="limit"/> messages created after <paramref name="afterId"/>, oldest first.
    /// Discord returns the page newest-first, so it is re-sorted by id.
    /// </summary>
    public async Task<IReadOnlyList<DiscordMessage>> GetMessagesAfterAsync(
        string token, string channelId, string afterId, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxPageSize);
        var route = $"channels/{Uri.EscapeDataString(channelId)}/messages";
        var path = $"{route}?after={Uri.EscapeDataString(afterId)}&limit={limit.ToString(CultureInfo.InvariantCulture)}";
        var page = await SendAsync<List<DiscordMessage>>(token, route, path, nullOnMissing: false, cancellationToken)
            ?? throw new TransientConnectorException("Discord returned an empty body for a message list.");
        page.Sort((a, b) => DiscordSnowflake.Compare(a.Id, b.Id));
        return page;
    }

    /// <summary>All messages after <paramref name="afterId"/>, page by page (oldest first), until a page comes back short.</summary>
    public async IAsyncEnumerable<IReadOnlyList<DiscordMessage>> ListMessagesAfterAsync(
        string token, string channelId, string afterId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var after = afterId;
        while (true)
        {
            var page = await GetMessagesAfterAsync(token, channelId, after, MaxPageSize, cancellationToken);
            if (page.Count > 0) yield return page;
            if (page.Count < MaxPageSize) yield break;
            after = page[^1].Id;
        }
    }

    private async Task<T> GetRequiredAsync<T>(string token, string path, CancellationToken cancellationToken) where T : class =>
        await SendAsync<T>(token, path, path, nullOnMissing: false, cancellationToken)
        ?? throw new TransientConnectorException($"Discord returned an empty body for {path}.");

    private async Task<T?> SendAsync<T>(string token, string route, string path, bool nullOnMissing, CancellationToken cancellationToken)
        where T : class
    {
        var settings = options.Value;
        for (var attempt = 0; ; attempt++)
        {
            var wait = rateLimitGate.DelayFor(token, route);
            if (wait > TimeSpan.Zero)
            {
                if (wait > settings.MaxInlineRateLimitWait)
                {
                    throw new RateLimitedException(Provider, timeProvider.GetUtcNow() + wait, $"bucket {route} exhausted");
                }

                await Task.Delay(wait, timeProvider, cancellationToken);
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bot", token);
            HttpResponseMessage response;
            try
            {
                response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                throw new TransientConnectorException($"Discord request {route} failed: {ex.Message}", ex);
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TransientConnectorException($"Discord request {route} timed out.", ex);
            }

            using (response)
            {
                rateLimitGate.Observe(token, route, response.Headers);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);

                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    var error = TryParseError(body);
                    var retryAfter = RetryAfter(response, error);
                    var global = error?.Global == true
                        || (response.Headers.TryGetValues("X-RateLimit-Global", out var g) && g.Contains("true", StringComparer.OrdinalIgnoreCase));
                    rateLimitGate.Block(token, route, retryAfter, global);
                    LogRateLimited(logger, route, retryAfter.TotalSeconds, global);
                    if (retryAfter > settings.MaxInlineRateLimitWait || attempt >= settings.MaxRateLimitRetries)
                    {
                        throw new RateLimitedException(Provider, timeProvider.GetUtcNow() + retryAfter, error?.Message);
                    }

                    continue;
                }

                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    throw new ConnectorAuthException(Provider, TryParseError(body)?.Message ?? "401: Unauthorized");
                }

                if ((int)response.StatusCode >= 500)
                {
                    throw new TransientConnectorException($"Discord returned {(int)response.StatusCode} for {route}.");
                }

                if (nullOnMissing && response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
                {
                    return null;
                }

                if (!response.IsSuccessStatusCode)
                {
                    var error = TryParseError(body);
                    throw new DiscordApiException(response.StatusCode, error?.Code, error?.Message ?? response.ReasonPhrase ?? "error");
                }

                try
                {
                    return JsonSerializer.Deserialize<T>(body, DiscordJson.Options);
                }
                catch (JsonException ex)
                {
                    throw new TransientConnectorException($"Discord returned a malformed body for {route}.", ex);
                }
            }
        }
    }

    private static TimeSpan RetryAfter(HttpResponseMessage response, DiscordErrorBody? error)
    {
        // The body's retry_after is the precise value (float seconds); the headers are integer-rounded fallbacks.
        if (error?.RetryAfter is { } seconds && seconds >= 0) return TimeSpan.FromSeconds(seconds);
        if (DiscordRateLimitGate.TryGetDouble(response.Headers, "X-RateLimit-Reset-After", out var resetAfter)) return TimeSpan.FromSeconds(resetAfter);
        if (response.Headers.RetryAfter?.Delta is { } delta) return delta;
        return TimeSpan.FromSeconds(1);
    }

    private static DiscordErrorBody? TryParseError(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            return JsonSerializer.Deserialize<DiscordErrorBody>(body, DiscordJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord rate limit on {Route}: retry after {RetryAfterSeconds} s (global: {Global})")]
    private static partial void LogRateLimited(ILogger logger, string route, double retryAfterSeconds, bool global);
}
