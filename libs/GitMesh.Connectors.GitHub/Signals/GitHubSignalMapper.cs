using System.Globalization;
using GitMesh.Connectors.GitHub.Api;
using GitMesh.Domain.Signals;

namespace GitMesh.Connectors.GitHub.Signals;

/// <summary>
/// The one mapping from GitHub objects to <see cref="SignalEnvelope"/>, used by polling and webhooks alike so an item
/// seen both ways lands on the same signal.
/// <para>
/// External ids are <c>{owner}/{repo}#issue/{number}</c>, <c>#comment/{id}</c>, <c>#discussion/{number}</c> and
/// <c>#discussion-comment/{id}</c>, with owner/repo lower-cased (GitHub names are case-insensitive). Issues and
/// discussions use their repository-scoped number rather than the global id because a comment only knows its parent
/// through <c>issue_url</c>, which carries the number.
/// </para>
/// </summary>
public static class GitHubSignalMapper
{
    public static string IssueExternalId(string repositoryFullName, int number) => $"{RepoKey(repositoryFullName)}#issue/{Invariant(number)}";

    public static string IssueCommentExternalId(string repositoryFullName, long commentId) => $"{RepoKey(repositoryFullName)}#comment/{Invariant(commentId)}";

    public static string DiscussionExternalId(string repositoryFullName, int number) => $"{RepoKey(repositoryFullName)}#discussion/{Invariant(number)}";

    public static string DiscussionCommentExternalId(string repositoryFullName, long commentId) => $"{RepoKey(repositoryFullName)}#discussion-comment/{Invariant(commentId)}";

    public static SignalEnvelope MapIssue(GitHubIssue issue, string repositoryFullName, bool deleted = false)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["repo"] = repositoryFullName,
            ["number"] = Invariant(issue.Number),
            ["state"] = issue.State ?? "open",
            ["labels"] = string.Join(',', issue.Labels?.Select(l => l.Name) ?? []),
        };
        if (issue.StateReason is { Length: > 0 } reason)
        {
            metadata["stateReason"] = reason;
        }

        if (issue.IsPullRequest)
        {
            metadata["pullRequest"] = "true";
        }

        AddAvatar(metadata, issue.User?.AvatarUrl);
        return new SignalEnvelope
        {
            Source = SignalSources.GitHub,
            Kind = SignalKinds.Issue,
            ExternalId = IssueExternalId(repositoryFullName, issue.Number),
            Url = issue.HtmlUrl,
            Title = issue.Title,
            Body = issue.Body,
            Author = MapAuthor(issue.User),
            CreatedAt = issue.CreatedAt,
            UpdatedAt = issue.UpdatedAt,
            Deleted = deleted,
            Metadata = metadata,
        };
    }

    /// <returns>Null when the comment's parent cannot be identified (an <c>issue_url</c> GitMesh does not recognise).</returns>
    public static SignalEnvelope? MapIssueComment(GitHubIssueComment comment, string? repositoryFullName = null, bool deleted = false)
    {
        if (!TryParseIssueUrl(comment.IssueUrl, out var repoFromUrl, out var issueNumber))
        {
            return null;
        }

        var repository = repositoryFullName ?? repoFromUrl;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["repo"] = repository,
            ["issueNumber"] = Invariant(issueNumber),
        };
        if (IsPullRequestComment(comment))
        {
            metadata["pullRequest"] = "true";
        }

        AddAvatar(metadata, comment.User?.AvatarUrl);
        return new SignalEnvelope
        {
            Source = SignalSources.GitHub,
            Kind = SignalKinds.Comment,
            ExternalId = IssueCommentExternalId(repository, comment.Id),
            ParentExternalId = IssueExternalId(repository, issueNumber),
            Url = comment.HtmlUrl,
            Body = comment.Body,
            Author = MapAuthor(comment.User),
            CreatedAt = comment.CreatedAt,
            UpdatedAt = comment.UpdatedAt,
            Deleted = deleted,
            Metadata = metadata,
        };
    }

    /// <summary>Comments on pull requests come through the same endpoint; their page URL is <c>…/pull/{n}#issuecomment-…</c>.</summary>
    public static bool IsPullRequestComment(GitHubIssueComment comment) =>
        comment.HtmlUrl?.Contains("/pull/", StringComparison.Ordinal) == true;

    public static SignalEnvelope MapDiscussion(GitHubDiscussion discussion, string repositoryFullName, bool deleted = false)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["repo"] = repositoryFullName,
            ["number"] = Invariant(discussion.Number),
            ["state"] = discussion.Closed ? "closed" : "open",
            ["labels"] = string.Join(',', discussion.Labels?.Nodes.Select(l => l.Name) ?? []),
        };
        if (discussion.Category?.Name is { Length: > 0 } category)
        {
            metadata["category"] = category;
        }

        if (discussion.AnswerChosenAt is not null)
        {
            metadata["answered"] = "true";
        }

        AddAvatar(metadata, discussion.Author?.AvatarUrl);
        return new SignalEnvelope
        {
            Source = SignalSources.GitHub,
            Kind = SignalKinds.Discussion,
            ExternalId = DiscussionExternalId(repositoryFullName, discussion.Number),
            Url = discussion.Url,
            Title = discussion.Title,
            Body = discussion.Body,
            Author = MapAuthor(discussion.Author),
            CreatedAt = discussion.CreatedAt,
            UpdatedAt = discussion.UpdatedAt,
            Deleted = deleted,
            Metadata = metadata,
        };
    }

    /// <returns>Null when the comment has no numeric id (GraphQL <c>databaseId</c> is nullable in the schema).</returns>
    public static SignalEnvelope? MapDiscussionComment(GitHubDiscussionComment comment, string repositoryFullName, int discussionNumber, bool deleted = false)
    {
        if (comment.DatabaseId is not { } id)
        {
            return null;
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["repo"] = repositoryFullName,
            ["discussionNumber"] = Invariant(discussionNumber),
        };
        if (comment.IsAnswer)
        {
            metadata["isAnswer"] = "true";
        }

        AddAvatar(metadata, comment.Author?.AvatarUrl);
        return new SignalEnvelope
        {
            Source = SignalSources.GitHub,
            Kind = SignalKinds.Comment,
            ExternalId = DiscussionCommentExternalId(repositoryFullName, id),
            ParentExternalId = DiscussionExternalId(repositoryFullName, discussionNumber),
            Url = comment.Url,
            Body = comment.Body,
            Author = MapAuthor(comment.Author),
            CreatedAt = comment.CreatedAt,
            UpdatedAt = comment.UpdatedAt,
            Deleted = deleted,
            Metadata = metadata,
        };
    }

    /// <summary>Extracts <c>owner/repo</c> from a REST <c>repository_url</c> (<c>…/repos/{owner}/{repo}</c>).</summary>
    public static string? RepositoryFromApiUrl(string? repositoryUrl)
    {
        if (repositoryUrl is null || !Uri.TryCreate(repositoryUrl, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var segments = uri.AbsolutePath.Trim('/').Split('/');
        var repos = Array.LastIndexOf(segments, "repos");
        return repos >= 0 && segments.Length == repos + 3 ? $"{Uri.UnescapeDataString(segments[repos + 1])}/{Uri.UnescapeDataString(segments[repos + 2])}" : null;
    }

    /// <summary>Parses <c>…/repos/{owner}/{repo}/issues/{number}</c> (github.com and Enterprise Server's <c>/api/v3</c> prefix alike).</summary>
    public static bool TryParseIssueUrl(string? issueUrl, out string repositoryFullName, out int number)
    {
        repositoryFullName = string.Empty;
        number = 0;
        if (issueUrl is null || !Uri.TryCreate(issueUrl, UriKind.Absolute, out var uri))
        {
            return false;
        }

        var segments = uri.AbsolutePath.Trim('/').Split('/');
        var repos = Array.LastIndexOf(segments, "repos");
        if (repos < 0 || segments.Length != repos + 5 || segments[repos + 3] != "issues" ||
            !int.TryParse(segments[repos + 4], NumberStyles.None, CultureInfo.InvariantCulture, out number))
        {
            return false;
        }

        repositoryFullName = $"{Uri.UnescapeDataString(segments[repos + 1])}/{Uri.UnescapeDataString(segments[repos + 2])}";
        return true;
    }

    private static SignalAuthor? MapAuthor(GitHubUser? user) => user is null ? null : new SignalAuthor(user.Login, null, user.HtmlUrl);

    private static SignalAuthor? MapAuthor(GitHubGraphQlActor? actor) => actor is null ? null : new SignalAuthor(actor.Login, null, actor.Url);

    // SignalAuthor has no avatar field; the avatar travels in metadata until the contract grows one.
    private static void AddAvatar(Dictionary<string, string> metadata, string? avatarUrl)
    {
        if (!string.IsNullOrEmpty(avatarUrl))
        {
            metadata["authorAvatarUrl"] = avatarUrl;
        }
    }

    private static string RepoKey(string repositoryFullName) => repositoryFullName.ToLowerInvariant();

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
