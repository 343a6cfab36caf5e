using System.Globalization;
using System.Runtime.CompilerServices;
using GitMesh.Connectors.GitHub.Api;
using GitMesh.Connectors.GitHub.Signals;
using GitMesh.Domain.Signals;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitMesh.Connectors.GitHub.Polling;

/// <summary>
/// Polls a repository (or every repository of an organization) for issues, issue comments and discussions, one HTTP
/// page per <see cref="FetchPageAsync"/> call so the workflow can save the cursor between pages.
/// </summary>
public sealed partial class GitHubConnector(
    GitHubClient client,
    IOptions<GitHubConnectorOptions> options,
    ILogger<GitHubConnector> logger) : ISourceConnector
{
    public string Type => SignalSources.GitHub;

    public async Task<ConnectorPage> FetchPageAsync(ConnectorRequest request, CancellationToken cancellationToken)
    {
        var settings = GitHubSettings.Parse(request.Settings);
        var target = new GitHubTarget(settings.BaseUrl ?? options.Value.BaseUrl, GitHubCredentials.FromDictionary(request.Credentials));
        var cursor = GitHubCursor.TryParse(request.Cursor);
        if (cursor is null)
        {
            if (request.Cursor is not null)
            {
                LogUnreadableCursor(logger, request.IntegrationId);
            }

            cursor = NewPass(settings, new GitHubCursor());
        }

        var run = new PassState(settings, cursor, request.BackfillSince);
        var signals = cursor.Phase switch
        {
            GitHubCursor.ReposPhase => await ListRepositoriesAsync(target, run, cancellationToken),
            GitHubCursor.IssuesPhase => await FetchIssuesAsync(target, run, cancellationToken),
            GitHubCursor.CommentsPhase => await FetchCommentsAsync(target, run, cancellationToken),
            GitHubCursor.DiscussionsPhase => await FetchDiscussionsAsync(target, run, cancellationToken),
            _ => throw new InvalidOperationException($"Unknown GitHub cursor phase '{cursor.Phase}'."),
        };

        LogPage(logger, request.IntegrationId, signals.Count, run.PassCompleted);
        return new ConnectorPage(signals, cursor.Serialize(), HasMore: !run.PassCompleted);
    }

    public async Task<ConnectionTestResult> TestConnectionAsync(ConnectorRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var settings = GitHubSettings.Parse(request.Settings);
            var target = new GitHubTarget(settings.BaseUrl ?? options.Value.BaseUrl, GitHubCredentials.FromDictionary(request.Credentials));
            if (settings.Org is { } org)
            {
                var organization = await client.GetOrganizationAsync(target, org, cancellationToken);
                return new ConnectionTestResult(true, $"Connected to organization {organization.Login}.");
            }

            var repository = await client.GetRepositoryAsync(target, settings.Owner!, settings.Repo!, cancellationToken);
            var visibility = repository.Private ? "private" : "public";
            var issues = repository.HasIssues ? string.Empty : " Issues are disabled on this repository.";
            return new ConnectionTestResult(true, $"Connected to {repository.FullName} ({visibility}).{issues}");
        }
        catch (ConnectorAuthException ex)
        {
            return new ConnectionTestResult(false, ex.ProviderMessage);
        }
        catch (RateLimitedException ex)
        {
            return new ConnectionTestResult(false, $"GitHub rate limit reached; try again after {ex.RetryAt:u}.");
        }
        catch (Exception ex) when (ex is TransientConnectorException or GitHubApiException)
        {
            return new ConnectionTestResult(false, ex.Message);
        }
    }

    private async Task<IReadOnlyList<SignalEnvelope>> ListRepositoriesAsync(GitHubTarget target, PassState run, CancellationToken cancellationToken)
    {
        var cursor = run.Cursor;
        var url = cursor.NextUrl is { } next ? new Uri(next) : client.OrganizationRepositoriesUrl(target, run.Settings.Org!);
        var page = await client.GetRepositoriesPageAsync(target, url, cancellationToken);
        cursor.Repos ??= [];

        // Archived and disabled repositories cannot receive new feedback.
        cursor.Repos.AddRange(page.Items.Where(r => !r.Archived && !r.Disabled).Select(r => r.FullName));
        if (page.Next is not null)
        {
            cursor.NextUrl = page.Next.AbsoluteUri;
            return [];
        }

        cursor.NextUrl = null;
        cursor.RepoIndex = 0;
        cursor.Phase = GitHubCursor.IssuesPhase;
        if (cursor.Repos.Count == 0)
        {
            CompletePass(run);
        }

        return [];
    }

    private async Task<IReadOnlyList<SignalEnvelope>> FetchIssuesAsync(GitHubTarget target, PassState run, CancellationToken cancellationToken)
    {
        var (owner, repo, fullName) = run.CurrentRepository;
        var since = run.Cursor.GetMark(fullName, GitHubCursor.IssuesPhase) ?? run.BackfillSince;
        var url = run.Cursor.NextUrl is { } next ? new Uri(next) : client.IssuesUrl(target, owner, repo, since);
        var page = await client.GetIssuesPageAsync(target, url, cancellationToken);

        var signals = new List<SignalEnvelope>(page.Items.Count);
        foreach (var issue in page.Items)
        {
            if (issue.IsPullRequest && !run.Settings.IncludePullRequests)
            {
                continue;
            }

            // The repository_url is canonical (renames, case); the configured name is the fallback.
            signals.Add(GitHubSignalMapper.MapIssue(issue, GitHubSignalMapper.RepositoryFromApiUrl(issue.RepositoryUrl) ?? fullName));
        }

        var lastUpdated = page.Items.Count > 0 ? page.Items.Max(i => i.UpdatedAt) : (DateTimeOffset?)null;
        FinishRestPage(run, GitHubCursor.IssuesPhase, url, page.Next, lastUpdated, s => client.IssuesUrl(target, owner, repo, s));
        return signals;
    }

    private async Task<IReadOnlyList<SignalEnvelope>> FetchCommentsAsync(GitHubTarget target, PassState run, CancellationToken cancellationToken)
    {
        var (owner, repo, fullName) = run.CurrentRepository;
        var since = run.Cursor.GetMark(fullName, GitHubCursor.CommentsPhase) ?? run.BackfillSince;
        var url = run.Cursor.NextUrl is { } next ? new Uri(next) : client.IssueCommentsUrl(target, owner, repo, since);
        var page = await client.GetIssueCommentsPageAsync(target, url, cancellationToken);

        var signals = new List<SignalEnvelope>(page.Items.Count);
        foreach (var comment in page.Items)
        {
            if (!run.Settings.IncludePullRequests && GitHubSignalMapper.IsPullRequestComment(comment))
            {
                continue;
            }

            if (GitHubSignalMapper.MapIssueComment(comment) is { } envelope)
            {
                signals.Add(envelope);
            }
        }

        var lastUpdated = page.Items.Count > 0 ? page.Items.Max(c => c.UpdatedAt) : (DateTimeOffset?)null;
        FinishRestPage(run, GitHubCursor.CommentsPhase, url, page.Next, lastUpdated, s => client.IssueCommentsUrl(target, owner, repo, s));
        return signals;
    }

    /// <summary>
    /// Chooses the next REST page. Following <c>Link: rel="next"</c> (page=N) over a list sorted by update time can skip
    /// an item: one updated mid-pass jumps to the end and shifts the unread ones back onto a page already read. So when the
    /// page advanced the clock, the next request restarts at page 1 with <c>since</c> = the page's newest update minus one
    /// second (re-reading the boundary, which is idempotent downstream, and correct whether GitHub's <c>since</c> is
    /// inclusive or not). Only when a whole page shares one timestamp does it fall back to the Link header.
    /// </summary>
    private void FinishRestPage(PassState run, string phase, Uri requestUrl, Uri? linkNext, DateTimeOffset? lastUpdated, Func<DateTimeOffset, Uri> buildUrl)
    {
        var fullName = run.CurrentRepository.FullName;
        if (lastUpdated is { } newest)
        {
            run.Cursor.RaiseMark(fullName, phase, newest);
        }

        if (linkNext is null)
        {
            run.Cursor.NextUrl = null;
            run.Cursor.RaiseMark(fullName, phase, run.Cursor.GetMark(fullName, phase) ?? run.BackfillSince);
            Advance(run);
            return;
        }

        var requestSince = ParseSince(requestUrl);
        var keysetSince = lastUpdated?.AddSeconds(-1);
        run.Cursor.NextUrl = requestSince is not null && keysetSince > requestSince
            ? buildUrl(keysetSince.Value).AbsoluteUri
            : linkNext.AbsoluteUri;
    }

    private async Task<IReadOnlyList<SignalEnvelope>> FetchDiscussionsAsync(GitHubTarget target, PassState run, CancellationToken cancellationToken)
    {
        var cursor = run.Cursor;
        var (owner, repo, fullName) = run.CurrentRepository;
        var since = cursor.GetMark(fullName, GitHubCursor.DiscussionsPhase) ?? run.BackfillSince;
        var page = await client.GetDiscussionsPageAsync(target, owner, repo, cursor.After, cancellationToken);

        var signals = new List<SignalEnvelope>();
        var reachedOlder = false;
        foreach (var discussion in page.Discussions)
        {
            if (discussion.UpdatedAt < since)
            {
                // Newest-first: everything from here on was read by an earlier pass.
                reachedOlder = true;
                break;
            }

            if (cursor.PendingMark is null || discussion.UpdatedAt > cursor.PendingMark)
            {
                cursor.PendingMark = discussion.UpdatedAt;
            }

            signals.Add(GitHubSignalMapper.MapDiscussion(discussion, page.RepositoryFullName));
            await foreach (var comment in DiscussionCommentsAsync(target, discussion, cancellationToken))
            {
                if (comment.UpdatedAt >= since && GitHubSignalMapper.MapDiscussionComment(comment, page.RepositoryFullName, discussion.Number) is { } envelope)
                {
                    signals.Add(envelope);
                }
            }
        }

        if (!reachedOlder && page.PageInfo is { HasNextPage: true, EndCursor: { } endCursor })
        {
            cursor.After = endCursor;
            return signals;
        }

        cursor.RaiseMark(fullName, GitHubCursor.DiscussionsPhase, cursor.PendingMark ?? since);
        cursor.After = null;
        cursor.PendingMark = null;
        Advance(run);
        return signals;
    }

    private async IAsyncEnumerable<GitHubDiscussionComment> DiscussionCommentsAsync(GitHubTarget target, GitHubDiscussion discussion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var connection = discussion.Comments;
        while (connection is not null)
        {
            foreach (var comment in connection.Nodes)
            {
                yield return comment;
            }

            connection = connection.PageInfo is { HasNextPage: true, EndCursor: { } after }
                ? await client.GetDiscussionCommentsPageAsync(target, discussion.Id, after, cancellationToken)
                : null;
        }
    }

    private static void Advance(PassState run)
    {
        var cursor = run.Cursor;
        cursor.NextUrl = null;
        cursor.After = null;
        cursor.Phase = cursor.Phase switch
        {
            GitHubCursor.IssuesPhase => GitHubCursor.CommentsPhase,
            GitHubCursor.CommentsPhase when run.Settings.IncludeDiscussions => GitHubCursor.DiscussionsPhase,
            _ => string.Empty,
        };

        if (cursor.Phase.Length > 0)
        {
            return;
        }

        cursor.RepoIndex++;
        cursor.Phase = GitHubCursor.IssuesPhase;
        if (cursor.RepoIndex >= run.RepositoryCount)
        {
            CompletePass(run);
        }
    }

    private static void CompletePass(PassState run)
    {
        NewPass(run.Settings, run.Cursor);
        run.PassCompleted = true;
    }

    private static GitHubCursor NewPass(GitHubSettings settings, GitHubCursor cursor)
    {
        cursor.RepoIndex = 0;
        cursor.NextUrl = null;
        cursor.After = null;
        cursor.PendingMark = null;
        cursor.Repos = null;
        cursor.Phase = settings.Org is null ? GitHubCursor.IssuesPhase : GitHubCursor.ReposPhase;
        return cursor;
    }

    private static DateTimeOffset? ParseSince(Uri url)
    {
        var query = QueryHelpers.ParseQuery(url.Query);
        return query.TryGetValue("since", out var values) &&
               DateTimeOffset.TryParse(values.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since)
            ? since
            : null;
    }

    private sealed class PassState(GitHubSettings settings, GitHubCursor cursor, DateTimeOffset backfillSince)
    {
        public GitHubSettings Settings { get; } = settings;
        public GitHubCursor Cursor { get; } = cursor;
        public DateTimeOffset BackfillSince { get; } = backfillSince;
        public bool PassCompleted { get; set; }

        public int RepositoryCount => Settings.Org is null ? 1 : Cursor.Repos?.Count ?? 0;

        public (string Owner, string Repo, string FullName) CurrentRepository
        {
            get
            {
                var fullName = Settings.RepositoryFullName ?? Cursor.Repos![Cursor.RepoIndex];
                var slash = fullName.IndexOf('/', StringComparison.Ordinal);
                return (fullName[..slash], fullName[(slash + 1)..], fullName);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub cursor of integration {IntegrationId} is unreadable; starting a new pass from the backfill window")]
    private static partial void LogUnreadableCursor(ILogger logger, Guid integrationId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "GitHub integration {IntegrationId}: page with {Count} signals (pass completed: {PassCompleted})")]
    private static partial void LogPage(ILogger logger, Guid integrationId, int count, bool passCompleted);
}
