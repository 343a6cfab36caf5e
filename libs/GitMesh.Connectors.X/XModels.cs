using System.Text.Json;

namespace GitMesh.Connectors.X;

// Only id and text are guaranteed: fields, expansions and edit history depend on what was requested and on the API
// version the account is served (the 2022 recordings have no created_at/author_id). Everything else is optional.

/// <summary><c>GET /2/tweets/search/recent</c> response.</summary>
public sealed record XSearchResponse(IReadOnlyList<XPost>? Data, XIncludes? Includes, XMeta? Meta, IReadOnlyList<XApiError>? Errors);

public sealed record XPost
{
    public string? Id { get; init; }
    public string? Text { get; init; }
    public string? AuthorId { get; init; }
    public string? ConversationId { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public string? Lang { get; init; }
    public string? InReplyToUserId { get; init; }
    public IReadOnlyList<XReferencedPost>? ReferencedTweets { get; init; }
    public XPublicMetrics? PublicMetrics { get; init; }
    /// <summary>All versions of an edited post, oldest first; the first id is the post's stable identity.</summary>
    public IReadOnlyList<string>? EditHistoryTweetIds { get; init; }
    /// <summary>Full text of long posts (<see cref="Text"/> is truncated for them).</summary>
    public XNoteTweet? NoteTweet { get; init; }
}

public sealed record XReferencedPost(string? Type, string? Id);

public sealed record XPublicMetrics(long? RetweetCount, long? ReplyCount, long? LikeCount, long? QuoteCount, long? BookmarkCount, long? ImpressionCount);

public sealed record XNoteTweet(string? Text);

public sealed record XIncludes(IReadOnlyList<XUser>? Users);

public sealed record XUser(string? Id, string? Username, string? Name);

public sealed record XMeta(string? NewestId, string? OldestId, int? ResultCount, string? NextToken);

/// <summary><c>GET /2/users/by/username/{username}</c> response.</summary>
public sealed record XUserResponse(XUser? Data, IReadOnlyList<XApiError>? Errors);

/// <summary>
/// Error body: RFC 7807-style problem (<c>type, title, detail, status</c>), for 400s with an <c>errors</c> list naming the
/// offending <c>parameters</c>; the usage cap adds <c>period</c>/<c>scope</c>.
/// </summary>
public sealed record XProblem(
    string? Type, string? Title, string? Detail, int? Status, string? Reason, string? Period, string? Scope, IReadOnlyList<XApiError>? Errors);

public sealed record XApiError(string? Message, string? Title, string? Detail, string? Type, JsonElement? Parameters);

/// <param name="Remaining">Requests left in the 15-minute window for this endpoint.</param>
/// <param name="ResetAt">When the window resets (X sends epoch seconds).</param>
public sealed record XRateLimit(int? Remaining, DateTimeOffset? ResetAt)
{
    public bool Exhausted => Remaining is <= 0;
}

/// <param name="SinceId">Only posts newer than this id.</param>
/// <param name="StartTime">Only posts from this time (used when there is no <paramref name="SinceId"/> yet).</param>
/// <param name="NextToken">Continue a result set; the other parameters must stay the same across its pages.</param>
public sealed record XSearchQuery(string Query, string? SinceId, DateTimeOffset? StartTime, string? NextToken);

/// <summary>One page of recent search with authors resolved from <c>includes.users</c>.</summary>
public sealed record XSearchPage(
    IReadOnlyList<XPost> Posts, IReadOnlyDictionary<string, XUser> Users, string? NewestId, string? NextToken, XRateLimit RateLimit);

/// <summary>X rejected <c>since_id</c> (older than the 7-day search window): the caller restarts from a start time.</summary>
public sealed class XSinceIdRejectedException(string message) : Exception(message);
