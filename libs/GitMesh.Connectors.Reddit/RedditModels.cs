using System.Text.Json;
using System.Text.Json.Serialization;

namespace GitMesh.Connectors.Reddit;

// Reddit payloads changed shape many times since 2008 (the 2016 /new listing lacks author_fullname, upvote_ratio…).
// Every field is optional and unknown fields are ignored, so both old and new objects parse.

/// <summary>A listing envelope: <c>{kind:"Listing", data:{children, after, before}}</c>.</summary>
public sealed record RedditListing(string? Kind, RedditListingData? Data);

public sealed record RedditListingData(IReadOnlyList<RedditThing>? Children, string? After, string? Before, int? Dist);

/// <summary>A thing: <c>t3</c> link (post), <c>t1</c> comment; other kinds are skipped.</summary>
public sealed record RedditThing(string? Kind, RedditItem? Data);

/// <summary>The union of the t3 and t1 fields GitMesh reads.</summary>
public sealed record RedditItem
{
    public string? Id { get; init; }
    /// <summary>Fullname, e.g. <c>t3_48fbm9</c>: kind prefix + id, unique across Reddit.</summary>
    public string? Name { get; init; }
    public string? Subreddit { get; init; }
    public string? SubredditNamePrefixed { get; init; }
    public string? Title { get; init; }
    public string? Selftext { get; init; }
    public string? Body { get; init; }
    public string? Author { get; init; }
    public string? AuthorFullname { get; init; }
    public string? Permalink { get; init; }
    public string? Url { get; init; }
    public string? Domain { get; init; }
    public double? CreatedUtc { get; init; }
    /// <summary><c>false</c>, or the edit time in epoch seconds (very old items may say <c>true</c>).</summary>
    public JsonElement? Edited { get; init; }
    public int? Score { get; init; }
    public int? NumComments { get; init; }
    public bool? IsSelf { get; init; }
    public bool? Over18 { get; init; }
    public string? LinkFlairText { get; init; }
    public string? LinkId { get; init; }
    public string? LinkTitle { get; init; }
    public string? LinkPermalink { get; init; }
    public string? ParentId { get; init; }
    public string? RemovedByCategory { get; init; }
    public string? Distinguished { get; init; }
    public bool? Stickied { get; init; }

    [JsonIgnore]
    public DateTimeOffset? CreatedAt => CreatedUtc is { } s ? DateTimeOffset.FromUnixTimeMilliseconds((long)(s * 1000)) : null;

    [JsonIgnore]
    public DateTimeOffset? EditedAt => Edited is { ValueKind: JsonValueKind.Number } e && e.TryGetDouble(out var s) && s > 0
        ? DateTimeOffset.FromUnixTimeMilliseconds((long)(s * 1000))
        : null;
}

/// <summary>Response of <c>POST /api/v1/access_token</c>; failures come back as <c>{error, message}</c>, sometimes with 200.</summary>
public sealed record RedditTokenResponse(string? AccessToken, string? TokenType, int? ExpiresIn, string? Scope, JsonElement? Error, string? Message);

/// <summary>Reddit error bodies: <c>{"message": "Forbidden", "error": 403, "reason": "private"}</c>.</summary>
public sealed record RedditErrorBody(string? Message, JsonElement? Error, string? Reason, string? Explanation);

/// <param name="Remaining">Requests left in the window (Reddit sends a float, e.g. <c>596.0</c>).</param>
/// <param name="ResetAt">When the window resets (Reddit sends seconds from now).</param>
public sealed record RedditRateLimit(double? Remaining, DateTimeOffset? ResetAt)
{
    public bool Exhausted => Remaining is { } r && r < 1;
}

/// <summary>One listing page with the token for the next (older) page.</summary>
public sealed record RedditPage(IReadOnlyList<RedditThing> Items, string? After, RedditRateLimit RateLimit);

/// <summary>App-only credentials of one integration.</summary>
public sealed record RedditCredentials(string ClientId, string ClientSecret)
{
    // Records print their members; keep the secret out of any log or exception that formats this.
    public override string ToString() => $"RedditCredentials {{ ClientId = {ClientId} }}";
}
