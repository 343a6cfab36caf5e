using System.Text.Json;
using System.Text.Json.Serialization;

namespace GitMesh.Connectors.GitHub.Api;

// REST shapes (snake_case on the wire). Only the fields GitMesh reads; unknown fields are ignored. Webhook payloads reuse
// them because GitHub's webhook "issue" and "comment" objects are the REST objects.

public sealed record GitHubUser(string Login, string? AvatarUrl = null, string? HtmlUrl = null, string? Type = null);

public sealed record GitHubLabel(string Name);

public sealed record GitHubIssue(
    long Id,
    int Number,
    string? Title,
    string? Body,
    string? State,
    string? StateReason,
    string? HtmlUrl,
    string? RepositoryUrl,
    GitHubUser? User,
    IReadOnlyList<GitHubLabel>? Labels,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ClosedAt,
    JsonElement? PullRequest)
{
    /// <summary>The issues listing returns pull requests too; only they carry a <c>pull_request</c> object.</summary>
    [JsonIgnore]
    public bool IsPullRequest => PullRequest is { ValueKind: JsonValueKind.Object };
}

public sealed record GitHubIssueComment(
    long Id,
    string? Body,
    string? HtmlUrl,
    string? IssueUrl,
    GitHubUser? User,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? AuthorAssociation);

public sealed record GitHubRepository(
    long Id,
    string Name,
    string FullName,
    bool Private,
    bool Archived,
    bool Disabled,
    bool HasIssues,
    bool HasDiscussions,
    string? HtmlUrl);

public sealed record GitHubOrganization(long Id, string Login, string? HtmlUrl);

public sealed record GitHubErrorBody(string? Message, string? DocumentationUrl);

public sealed record GitHubInstallationToken(string Token, DateTimeOffset ExpiresAt);

/// <summary>A page of a REST listing and the <c>Link: rel="next"</c> URL, null on the last page.</summary>
public sealed record GitHubPage<T>(IReadOnlyList<T> Items, Uri? Next);

// GraphQL shapes (camelCase on the wire).

public sealed record GitHubGraphQlActor(string Login, string? AvatarUrl, string? Url);

public sealed record GitHubGraphQlPageInfo(bool HasNextPage, string? EndCursor);

public sealed record GitHubDiscussionComment(
    string Id,
    long? DatabaseId,
    string? Body,
    string? Url,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool IsAnswer,
    GitHubGraphQlActor? Author);

public sealed record GitHubDiscussionCommentConnection(GitHubGraphQlPageInfo PageInfo, IReadOnlyList<GitHubDiscussionComment> Nodes);

public sealed record GitHubDiscussionCategory(string Name);

public sealed record GitHubLabelConnection(IReadOnlyList<GitHubLabel> Nodes);

public sealed record GitHubDiscussion(
    string Id,
    long? DatabaseId,
    int Number,
    string? Title,
    string? Body,
    string? Url,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool Closed,
    DateTimeOffset? AnswerChosenAt,
    GitHubGraphQlActor? Author,
    GitHubDiscussionCategory? Category,
    GitHubLabelConnection? Labels,
    GitHubDiscussionCommentConnection? Comments);

public sealed record GitHubDiscussionPage(string RepositoryFullName, IReadOnlyList<GitHubDiscussion> Discussions, GitHubGraphQlPageInfo PageInfo);
