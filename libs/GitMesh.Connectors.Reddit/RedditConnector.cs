using System.Globalization;
using GitMesh.Domain.Signals;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitMesh.Connectors.Reddit;

/// <summary>
/// Polls subreddit posts, subreddit comments and search results. Every call reads one listing page of one feed;
/// a pass walks all feeds and ends with <see cref="ConnectorPage.HasMore"/> = false.
/// </summary>
public sealed partial class RedditConnector(
    RedditClient client,
    IOptions<RedditOptions> options,
    TimeProvider timeProvider,
    ILogger<RedditConnector> logger) : ISourceConnector
{
    // Edits reported a little before the previous run started may not have been visible to it yet.
    private static readonly TimeSpan EditSkew = TimeSpan.FromMinutes(1);
    private const string WebBase = "https://www.reddit.com";

    public string Type => SignalSources.Reddit;

    public async Task<ConnectorPage> FetchPageAsync(ConnectorRequest request, CancellationToken cancellationToken)
    {
        var settings = RedditSettings.From(request);
        var cursor = RedditCursor.Parse(request.Cursor);
        var now = timeProvider.GetUtcNow();
        if (cursor.NotBefore is { } notBefore && notBefore > now)
        {
            throw new RateLimitedException(Type, notBefore, "rate-limit window used up by the previous page");
        }

        var feeds = settings.Feeds;
        var keys = feeds.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in cursor.Feeds.Keys.Where(k => !keys.Contains(k)).ToList())
        {
            cursor.Feeds.Remove(stale);
        }

        // A finished pass clears PassDone, so some feed is always pending unless settings changed under the cursor.
        cursor.PassDone.RemoveAll(k => !keys.Contains(k));
        var feed = feeds.FirstOrDefault(f => !cursor.PassDone.Contains(f.Key)) ?? feeds[0];

        if (!cursor.Feeds.TryGetValue(feed.Key, out var state))
        {
            state = new RedditFeedState();
            cursor.Feeds[feed.Key] = state;
        }

        var run = state.Run ?? new RedditRunState { StartedAt = now };
        var page = await client.GetFeedPageAsync(settings.Credentials, feed, run.After, cancellationToken);

        // Below the floor everything was seen by an earlier run (or is older than the backfill window).
        var floor = state.Top is { } top
            ? top - options.Value.EditLookback.TotalSeconds
            : request.BackfillSince.ToUnixTimeMilliseconds() / 1000d;
        var editedSince = state.CheckedAt - EditSkew;
        var signals = new List<SignalEnvelope>();
        var reachedFloor = false;
        foreach (var thing in page.Items)
        {
            if (thing.Data is not { Name: { } name, CreatedUtc: { } created } item || thing.Kind is not ("t3" or "t1"))
            {
                continue;
            }

            run.See(name, created);
            if (created < floor)
            {
                reachedFloor = true;
                continue;
            }

            var isNew = state.Top is null || created > state.Top || (created == state.Top && !state.TopNames.Contains(name));
            var isEdited = item.EditedAt is { } editedAt && editedSince is { } since && editedAt > since;
            var isGone = IsDeletedOrRemoved(item);
            if (isNew || isEdited || isGone)
            {
                signals.Add(Map(thing.Kind, item, feed));
            }
        }

        run.Pages++;
        var done = reachedFloor || page.After is null || page.Items.Count == 0 || run.Pages >= options.Value.MaxPagesPerFeed;
        if (done)
        {
            if (run.Top is { } runTop && (state.Top is null || runTop >= state.Top))
            {
                state.TopNames = runTop == state.Top ? [.. state.TopNames.Union(run.TopNames)] : run.TopNames;
                state.Top = runTop;
            }

            state.CheckedAt = run.StartedAt;
            state.Run = null;
            cursor.PassDone.Add(feed.Key);
        }
        else
        {
            run.After = page.After;
            state.Run = run;
        }

        var passComplete = feeds.All(f => cursor.PassDone.Contains(f.Key));
        if (passComplete)
        {
            cursor.PassDone.Clear();
        }

        cursor.NotBefore = page.RateLimit.Exhausted ? page.RateLimit.ResetAt ?? now.AddMinutes(1) : null;
        if (cursor.NotBefore is { } pause)
        {
            LogRateLimitPause(logger, pause);
        }

        return new ConnectorPage(signals, cursor.Serialize(), HasMore: !passComplete);
    }

    public async Task<ConnectionTestResult> TestConnectionAsync(ConnectorRequest request, CancellationToken cancellationToken)
    {
        var settings = RedditSettings.From(request);
        var feed = settings.Feeds[0];
        try
        {
            await client.GetFeedPageAsync(settings.Credentials, feed, after: null, cancellationToken, limit: 1);
            return new ConnectionTestResult(true, feed.Kind == RedditFeedKind.Search
                ? "Connected to Reddit; search is readable."
                : $"Connected to Reddit; r/{feed.Value} is readable.");
        }
        catch (ConnectorAuthException ex)
        {
            return new ConnectionTestResult(false, $"Reddit refused the credentials: {ex.ProviderMessage}");
        }
        catch (Exception ex) when (ex is RateLimitedException or TransientConnectorException or InvalidOperationException)
        {
            return new ConnectionTestResult(false, ex.Message);
        }
    }

    private static bool IsDeletedOrRemoved(RedditItem item)
    {
        var text = item.Body ?? item.Selftext;
        return text is "[deleted]" or "[removed]" || item.RemovedByCategory is not null;
    }

    internal static SignalEnvelope Map(string kind, RedditItem item, RedditFeed feed)
    {
        var isComment = kind == "t1";
        var author = item.Author is null or "[deleted]"
            ? null
            : new SignalAuthor(item.Author, null, $"{WebBase}/user/{item.Author}");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["feed"] = feed.Key };
        Add(metadata, "subreddit", item.Subreddit);
        Add(metadata, "score", item.Score?.ToString(CultureInfo.InvariantCulture));
        Add(metadata, "author_fullname", item.AuthorFullname);
        Add(metadata, "distinguished", item.Distinguished);
        if (isComment)
        {
            Add(metadata, "link_id", item.LinkId);
            Add(metadata, "link_title", item.LinkTitle);
        }
        else
        {
            Add(metadata, "num_comments", item.NumComments?.ToString(CultureInfo.InvariantCulture));
            Add(metadata, "flair", item.LinkFlairText);
            Add(metadata, "domain", item.Domain);
            Add(metadata, "over_18", item.Over18 is true ? "true" : null);
            Add(metadata, "link_url", item.IsSelf is false ? item.Url : null);
        }

        var text = isComment ? item.Body : item.Selftext;
        return new SignalEnvelope
        {
            Source = SignalSources.Reddit,
            Kind = isComment ? SignalKinds.Comment : SignalKinds.Post,
            ExternalId = item.Name!,
            Url = PermalinkOf(item, isComment),
            Title = isComment ? null : item.Title,
            Body = string.IsNullOrEmpty(text) ? null : text,
            Author = author,
            CreatedAt = item.CreatedAt,
            UpdatedAt = item.EditedAt,
            ParentExternalId = isComment ? item.ParentId : null,
            Deleted = IsDeletedOrRemoved(item),
            Metadata = metadata,
        };
    }

    private static string? PermalinkOf(RedditItem item, bool isComment)
    {
        if (!string.IsNullOrEmpty(item.Permalink))
        {
            return WebBase + item.Permalink;
        }

        // Older comment listings carry no permalink; the /comments/{link}/_/{id} form resolves all the same.
        return isComment && item.LinkId is { Length: > 3 } linkId && item.Subreddit is { } sub
            ? $"{WebBase}/r/{sub}/comments/{linkId[3..]}/_/{item.Id}/"
            : item.Url;
    }

    private static void Add(Dictionary<string, string> metadata, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            metadata[key] = value;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reddit rate-limit window used up; pausing until {RetryAt}")]
    private static partial void LogRateLimitPause(ILogger logger, DateTimeOffset retryAt);
}
