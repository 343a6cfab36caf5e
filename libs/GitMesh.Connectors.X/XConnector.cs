using System.Globalization;
using GitMesh.Domain.Signals;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitMesh.Connectors.X;

/// <summary>
/// Polls X recent search, one page of one query per call; a pass over all queries ends with
/// <see cref="ConnectorPage.HasMore"/> = false.
/// </summary>
public sealed partial class XConnector(
    XClient client,
    IOptions<XOptions> options,
    TimeProvider timeProvider,
    ILogger<XConnector> logger) : ISourceConnector
{
    // Recent search covers the last 7 days and rejects an older start_time; keep a margin for clock skew.
    private static readonly TimeSpan SearchWindow = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(5);

    // X rejects a start_time less than 10 seconds before the request.
    private static readonly TimeSpan MinimumAge = TimeSpan.FromSeconds(30);

    private const long SnowflakeEpochMs = 1288834974657;

    public string Type => SignalSources.X;

    public async Task<ConnectorPage> FetchPageAsync(ConnectorRequest request, CancellationToken cancellationToken)
    {
        var settings = XSettings.From(request);
        var cursor = XCursor.Parse(request.Cursor);
        var now = timeProvider.GetUtcNow();
        if (cursor.NotBefore is { } notBefore && notBefore > now)
        {
            throw new RateLimitedException(Type, notBefore, "rate-limit window used up by the previous page");
        }

        foreach (var stale in cursor.Queries.Keys.Where(k => !settings.Queries.Contains(k)).ToList())
        {
            cursor.Queries.Remove(stale);
        }

        cursor.PassDone.RemoveAll(k => !settings.Queries.Contains(k));
        var query = settings.Queries.FirstOrDefault(q => !cursor.PassDone.Contains(q)) ?? settings.Queries[0];
        if (!cursor.Queries.TryGetValue(query, out var state))
        {
            state = new XQueryState();
            cursor.Queries[query] = state;
        }

        var run = state.Run ?? new XRunState
        {
            SinceId = state.SinceId,
            StartTime = state.SinceId is null ? ClampStart(request.BackfillSince, now) : null,
        };

        XSearchPage page;
        try
        {
            page = await client.SearchRecentAsync(settings.BearerToken, new XSearchQuery(query, run.SinceId, run.StartTime, run.NextToken), cancellationToken);
        }
        catch (XSinceIdRejectedException ex) when (run.NextToken is null && run.SinceId is not null)
        {
            // The integration was paused for longer than the search window: read what is still searchable.
            LogSinceIdRejected(logger, query, ex.Message);
            run.SinceId = null;
            run.StartTime = ClampStart(DateTimeOffset.MinValue, now);
            page = await client.SearchRecentAsync(settings.BearerToken, new XSearchQuery(query, null, run.StartTime, null), cancellationToken);
        }

        if (run.NextToken is null)
        {
            // Ids are time-ordered snowflakes; fall back to the largest one if meta is missing.
            run.NewestId = page.NewestId ?? page.Posts.Select(p => p.Id!).OrderByDescending(i => i.Length).ThenByDescending(i => i, StringComparer.Ordinal).FirstOrDefault();
        }

        var signals = page.Posts.Select(p => Map(p, page.Users, query)).ToList();
        if (page.NextToken is not null && page.Posts.Count > 0)
        {
            run.NextToken = page.NextToken;
            state.Run = run;
        }
        else
        {
            state.SinceId = run.NewestId ?? state.SinceId;
            state.Run = null;
            cursor.PassDone.Add(query);
        }

        var passComplete = settings.Queries.All(cursor.PassDone.Contains);
        if (passComplete)
        {
            cursor.PassDone.Clear();
        }

        cursor.NotBefore = page.RateLimit.Exhausted ? page.RateLimit.ResetAt ?? now.AddMinutes(15) : null;
        return new ConnectorPage(signals, cursor.Serialize(), HasMore: !passComplete);
    }

    public async Task<ConnectionTestResult> TestConnectionAsync(ConnectorRequest request, CancellationToken cancellationToken)
    {
        var settings = XSettings.From(request);
        try
        {
            var user = await client.GetUserByUsernameAsync(settings.BearerToken, options.Value.TestConnectionUsername, cancellationToken);
            return new ConnectionTestResult(true, $"Connected to X; looked up @{user?.Username ?? options.Value.TestConnectionUsername}.");
        }
        catch (ConnectorAuthException ex)
        {
            return new ConnectionTestResult(false, $"X refused the bearer token: {ex.ProviderMessage}");
        }
        catch (Exception ex) when (ex is RateLimitedException or QuotaExhaustedException or TransientConnectorException or InvalidOperationException)
        {
            return new ConnectionTestResult(false, ex.Message);
        }
    }

    private static DateTimeOffset ClampStart(DateTimeOffset requested, DateTimeOffset now)
    {
        var earliest = now - SearchWindow;
        var latest = now - MinimumAge;
        return requested < earliest ? earliest : requested > latest ? latest : requested;
    }

    internal SignalEnvelope Map(XPost post, IReadOnlyDictionary<string, XUser> users, string query)
    {
        var id = post.Id!;
        // An edit is a new post id; the first id of the edit history keeps the signal the same across edits.
        var originalId = post.EditHistoryTweetIds is { Count: > 0 } history ? history[0] : id;
        var edited = originalId != id;
        var user = post.AuthorId is not null && users.TryGetValue(post.AuthorId, out var u) ? u : null;
        var web = options.Value.WebBaseUrl.AbsoluteUri.TrimEnd('/');
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["query"] = query, ["post_id"] = id };
        Add(metadata, "author_id", post.AuthorId);
        Add(metadata, "conversation_id", post.ConversationId);
        Add(metadata, "lang", post.Lang);
        Add(metadata, "like_count", post.PublicMetrics?.LikeCount);
        Add(metadata, "reply_count", post.PublicMetrics?.ReplyCount);
        Add(metadata, "retweet_count", post.PublicMetrics?.RetweetCount);
        Add(metadata, "quote_count", post.PublicMetrics?.QuoteCount);
        Add(metadata, "impression_count", post.PublicMetrics?.ImpressionCount);
        foreach (var reference in post.ReferencedTweets ?? [])
        {
            if (reference is { Type: { } type, Id: { } referencedId })
            {
                metadata[$"{type}_id"] = referencedId;
            }
        }

        return new SignalEnvelope
        {
            Source = SignalSources.X,
            Kind = SignalKinds.Post,
            ExternalId = originalId,
            Url = user?.Username is { } username ? $"{web}/{username}/status/{id}" : $"{web}/i/web/status/{id}",
            Body = post.NoteTweet?.Text ?? post.Text,
            Author = user?.Username is { } name ? new SignalAuthor(name, user.Name, $"{web}/{name}") : null,
            // created_at of an edited version is the edit time; the original's time is encoded in its id.
            CreatedAt = edited ? SnowflakeTime(originalId) ?? post.CreatedAt : post.CreatedAt ?? SnowflakeTime(id),
            UpdatedAt = edited ? post.CreatedAt ?? SnowflakeTime(id) : null,
            ParentExternalId = post.ReferencedTweets?.FirstOrDefault(r => r.Type == "replied_to")?.Id,
            Metadata = metadata,
        };
    }

    private static DateTimeOffset? SnowflakeTime(string id) =>
        ulong.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > (1UL << 22)
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(value >> 22) + SnowflakeEpochMs)
            : null;

    private static void Add(Dictionary<string, string> metadata, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            metadata[key] = value;
        }
    }

    private static void Add(Dictionary<string, string> metadata, string key, long? value)
    {
        if (value is { } v)
        {
            metadata[key] = v.ToString(CultureInfo.InvariantCulture);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "X rejected since_id for query {Query} ({Reason}); restarting from the oldest searchable post")]
    private static partial void LogSinceIdRejected(ILogger logger, string query, string reason);
}
