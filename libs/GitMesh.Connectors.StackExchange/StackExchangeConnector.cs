using System.Globalization;
using System.Net;
using GitMesh.Domain.Signals;
using Microsoft.Extensions.Logging;

namespace GitMesh.Connectors.StackExchange;

/// <summary>
/// Polls questions (by tag or keyword search) ordered by activity, then the answers of each question page.
/// Every call makes one request: a question page, or an answer page for the previous question page. A pass over all
/// feeds ends with <see cref="ConnectorPage.HasMore"/> = false.
/// </summary>
public sealed partial class StackExchangeConnector(
    StackExchangeClient client,
    TimeProvider timeProvider,
    ILogger<StackExchangeConnector> logger) : ISourceConnector
{
    public string Type => SignalSources.StackOverflow;

    public async Task<ConnectorPage> FetchPageAsync(ConnectorRequest request, CancellationToken cancellationToken)
    {
        var settings = StackExchangeSettings.From(request);
        var cursor = StackExchangeCursor.Parse(request.Cursor);
        var now = timeProvider.GetUtcNow();
        if (cursor.QuotaBlockedUntil is { } blocked && blocked > now)
        {
            throw new RateLimitedException(Type, blocked, "daily quota used up");
        }

        cursor.QuotaBlockedUntil = null;
        foreach (var expired in cursor.Backoff.Where(b => b.Value <= now).Select(b => b.Key).ToList())
        {
            cursor.Backoff.Remove(expired);
        }

        var keys = settings.Feeds.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in cursor.Feeds.Keys.Where(k => !keys.Contains(k)).ToList())
        {
            cursor.Feeds.Remove(stale);
        }

        cursor.PassDone.RemoveAll(k => !keys.Contains(k));
        var feed = settings.Feeds.FirstOrDefault(f => !cursor.PassDone.Contains(f.Key)) ?? settings.Feeds[0];
        if (!cursor.Feeds.TryGetValue(feed.Key, out var state))
        {
            state = new StackExchangeFeedState { Since = request.BackfillSince.ToUnixTimeSeconds() };
            cursor.Feeds[feed.Key] = state;
        }

        var signals = state.Answers is { } pending
            ? await ReadAnswersAsync(settings, cursor, state, pending, now, cancellationToken)
            : await ReadQuestionsAsync(settings, cursor, feed, state, now, cancellationToken);

        if (state.Answers is null && !state.MoreQuestions)
        {
            state.Page = 1;
            cursor.PassDone.Add(feed.Key);
        }

        var passComplete = settings.Feeds.All(f => cursor.PassDone.Contains(f.Key));
        if (passComplete)
        {
            cursor.PassDone.Clear();
        }

        return new ConnectorPage(signals, cursor.Serialize(), HasMore: !passComplete);
    }

    public async Task<ConnectionTestResult> TestConnectionAsync(ConnectorRequest request, CancellationToken cancellationToken)
    {
        var settings = StackExchangeSettings.From(request);
        try
        {
            var page = await client.ProbeAsync(settings.Access, settings.Site, cancellationToken);
            return new ConnectionTestResult(true, page.QuotaRemaining is { } left
                ? $"Connected to {settings.Site}; {left} of {page.QuotaMax} requests left today."
                : $"Connected to {settings.Site}.");
        }
        catch (ConnectorAuthException ex)
        {
            return new ConnectionTestResult(false, $"Stack Exchange refused the key or token: {ex.ProviderMessage}");
        }
        catch (Exception ex) when (ex is RateLimitedException or TransientConnectorException or InvalidOperationException)
        {
            return new ConnectionTestResult(false, ex.Message);
        }
    }

    private async Task<List<SignalEnvelope>> ReadQuestionsAsync(
        StackExchangeSettings settings,
        StackExchangeCursor cursor,
        StackExchangeFeed feed,
        StackExchangeFeedState state,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        EnsureNoBackoff(cursor, feed.Method, now);
        var page = await client.GetQuestionsAsync(settings.Access, settings.Site, feed, state.Since, state.Page, cancellationToken);
        Remember(cursor, page.Method, page.Backoff, page.QuotaRemaining, now);

        var signals = new List<SignalEnvelope>();
        var withAnswers = new List<long>();
        string? siteUrl = null;
        var since = state.Since;
        var newest = since;
        var seen = new HashSet<long>(state.SeenAtSince);
        foreach (var question in page.Items)
        {
            if (question is not { QuestionId: { } id })
            {
                continue;
            }

            var activity = question.LastActivityDate ?? question.CreationDate ?? since;
            if (activity > newest)
            {
                newest = activity;
            }

            // min is inclusive: questions at exactly the watermark second were emitted by the previous page.
            if (activity <= since && state.SeenAtSince.Contains(id))
            {
                continue;
            }

            signals.Add(MapQuestion(question, settings.Site, feed));
            siteUrl ??= SiteUrlOf(question.Link);
            if (question.AnswerCount is null or > 0)
            {
                withAnswers.Add(id);
            }
        }

        var atNewest = page.Items
            .Where(q => q.QuestionId is not null && (q.LastActivityDate ?? q.CreationDate ?? since) == newest)
            .Select(q => q.QuestionId!.Value);
        if (newest == since)
        {
            // The whole page sat in one second: keyset paging cannot move, fall back to the page number.
            seen.UnionWith(atNewest);
            state.SeenAtSince = [.. seen];
            state.Page = page.HasMore ? state.Page + 1 : 1;
        }
        else
        {
            state.Since = newest;
            state.SeenAtSince = [.. atNewest];
            state.Page = 1;
        }

        state.MoreQuestions = page.HasMore;
        state.Answers = withAnswers.Count == 0
            ? null
            : new StackExchangePendingAnswers { QuestionIds = withAnswers, Since = since, SiteUrl = siteUrl };
        return signals;
    }

    private async Task<List<SignalEnvelope>> ReadAnswersAsync(
        StackExchangeSettings settings,
        StackExchangeCursor cursor,
        StackExchangeFeedState state,
        StackExchangePendingAnswers pending,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        EnsureNoBackoff(cursor, StackExchangeClient.AnswersMethod, now);
        var page = await client.GetAnswersAsync(settings.Access, settings.Site, pending.QuestionIds, pending.Since, pending.Page, cancellationToken);
        Remember(cursor, page.Method, page.Backoff, page.QuotaRemaining, now);
        var signals = page.Items
            .Where(a => a.AnswerId is not null)
            .Select(a => MapAnswer(a, settings.Site, pending.SiteUrl))
            .ToList();
        if (page.HasMore)
        {
            pending.Page++;
        }
        else
        {
            state.Answers = null;
        }

        return signals;
    }

    private void EnsureNoBackoff(StackExchangeCursor cursor, string method, DateTimeOffset now)
    {
        if (cursor.Backoff.TryGetValue(method, out var until) && until > now)
        {
            throw new RateLimitedException(Type, until, $"backoff requested for /{method}");
        }
    }

    private void Remember(StackExchangeCursor cursor, string method, int? backoff, int? quotaRemaining, DateTimeOffset now)
    {
        if (backoff is > 0)
        {
            cursor.Backoff[method] = now.AddSeconds(backoff.Value);
        }

        if (quotaRemaining is <= 0)
        {
            // The daily quota resets at midnight UTC.
            var nextDay = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
            cursor.QuotaBlockedUntil = nextDay;
            LogQuotaExhausted(logger, nextDay);
        }
    }

    internal static SignalEnvelope MapQuestion(StackExchangeQuestion question, string site, StackExchangeFeed feed)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["site"] = site, ["feed"] = feed.Key };
        Add(metadata, "question_id", question.QuestionId);
        Add(metadata, "score", question.Score);
        Add(metadata, "answer_count", question.AnswerCount);
        Add(metadata, "view_count", question.ViewCount);
        Add(metadata, "accepted_answer_id", question.AcceptedAnswerId);
        Add(metadata, "last_activity_date", question.LastActivityDate);
        if (question.IsAnswered is { } answered)
        {
            metadata["is_answered"] = answered ? "true" : "false";
        }

        if (question.Tags is { Count: > 0 } tags)
        {
            metadata["tags"] = string.Join(',', tags);
        }

        if (!string.IsNullOrEmpty(question.ClosedReason))
        {
            metadata["closed_reason"] = question.ClosedReason;
        }

        return new SignalEnvelope
        {
            Source = SignalSources.StackOverflow,
            Kind = SignalKinds.Question,
            ExternalId = QuestionExternalId(site, question.QuestionId!.Value),
            Url = question.Link,
            Title = question.Title is null ? null : WebUtility.HtmlDecode(question.Title),
            Body = question.Body,
            Author = AuthorOf(question.Owner),
            CreatedAt = Time(question.CreationDate),
            UpdatedAt = Time(question.LastEditDate),
            Metadata = metadata,
        };
    }

    internal static SignalEnvelope MapAnswer(StackExchangeAnswer answer, string site, string? siteUrl)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["site"] = site };
        Add(metadata, "question_id", answer.QuestionId);
        Add(metadata, "score", answer.Score);
        Add(metadata, "last_activity_date", answer.LastActivityDate);
        if (answer.IsAccepted is { } accepted)
        {
            metadata["is_accepted"] = accepted ? "true" : "false";
        }

        var id = answer.AnswerId!.Value.ToString(CultureInfo.InvariantCulture);
        return new SignalEnvelope
        {
            Source = SignalSources.StackOverflow,
            Kind = SignalKinds.Answer,
            ExternalId = $"{site}/a/{id}",
            Url = answer.Link ?? (siteUrl is null ? null : $"{siteUrl}/a/{id}"),
            Body = answer.Body,
            Author = AuthorOf(answer.Owner),
            CreatedAt = Time(answer.CreationDate),
            UpdatedAt = Time(answer.LastEditDate),
            ParentExternalId = answer.QuestionId is { } questionId ? QuestionExternalId(site, questionId) : null,
            Metadata = metadata,
        };
    }

    // Question ids are per site, and every site reports as source "stackoverflow": the site keeps ids unique.
    private static string QuestionExternalId(string site, long questionId) =>
        $"{site}/q/{questionId.ToString(CultureInfo.InvariantCulture)}";

    private static SignalAuthor? AuthorOf(StackExchangeOwner? owner)
    {
        if (owner is null || (owner.UserId is null && string.IsNullOrEmpty(owner.DisplayName)))
        {
            return null;
        }

        // Display names change and repeat; the numeric user id is the stable identity on a site.
        var displayName = owner.DisplayName is null ? null : WebUtility.HtmlDecode(owner.DisplayName);
        var username = owner.UserId?.ToString(CultureInfo.InvariantCulture) ?? displayName!;
        return new SignalAuthor(username, displayName, owner.Link);
    }

    private static string? SiteUrlOf(string? link) =>
        Uri.TryCreate(link, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : null;

    private static DateTimeOffset? Time(long? epochSeconds) =>
        epochSeconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;

    private static void Add(Dictionary<string, string> metadata, string key, long? value)
    {
        if (value is { } v)
        {
            metadata[key] = v.ToString(CultureInfo.InvariantCulture);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stack Exchange daily quota used up; pausing until {RetryAt}")]
    private static partial void LogQuotaExhausted(ILogger logger, DateTimeOffset retryAt);
}
