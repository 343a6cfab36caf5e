namespace GitMesh.Connectors.StackExchange;

// Filters can drop any field and older API versions lack some (content_license, last_edit_date on unedited posts):
// everything is optional.

/// <summary>The common wrapper every response shares, errors included.</summary>
public sealed record StackExchangeWrapper<T>
{
    public IReadOnlyList<T>? Items { get; init; }
    public bool? HasMore { get; init; }
    /// <summary>Seconds to wait before calling the same method again; only present when the API is under load.</summary>
    public int? Backoff { get; init; }
    public int? QuotaMax { get; init; }
    public int? QuotaRemaining { get; init; }
    public int? ErrorId { get; init; }
    public string? ErrorName { get; init; }
    public string? ErrorMessage { get; init; }
    public int? Page { get; init; }
    public int? PageSize { get; init; }
    public string? Type { get; init; }
}

public sealed record StackExchangeOwner
{
    public long? AccountId { get; init; }
    public long? UserId { get; init; }
    /// <summary>HTML-encoded, like every text field but bodies.</summary>
    public string? DisplayName { get; init; }
    public string? Link { get; init; }
    public string? UserType { get; init; }
    public int? Reputation { get; init; }
}

public sealed record StackExchangeQuestion
{
    public long? QuestionId { get; init; }
    /// <summary>HTML-encoded (<c>&amp;quot;</c>, <c>&amp;#39;</c>).</summary>
    public string? Title { get; init; }
    /// <summary>Rendered HTML; only with a body filter.</summary>
    public string? Body { get; init; }
    public string? Link { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    public StackExchangeOwner? Owner { get; init; }
    public int? Score { get; init; }
    public int? AnswerCount { get; init; }
    public int? ViewCount { get; init; }
    public bool? IsAnswered { get; init; }
    public long? AcceptedAnswerId { get; init; }
    public long? CreationDate { get; init; }
    public long? LastActivityDate { get; init; }
    public long? LastEditDate { get; init; }
    public string? ClosedReason { get; init; }
    public string? ContentLicense { get; init; }
}

public sealed record StackExchangeAnswer
{
    public long? AnswerId { get; init; }
    public long? QuestionId { get; init; }
    public string? Body { get; init; }
    /// <summary>Not in the default filter; built from the question's host when absent.</summary>
    public string? Link { get; init; }
    public StackExchangeOwner? Owner { get; init; }
    public int? Score { get; init; }
    public bool? IsAccepted { get; init; }
    public long? CreationDate { get; init; }
    public long? LastActivityDate { get; init; }
    public long? LastEditDate { get; init; }
    public string? ContentLicense { get; init; }
}

/// <param name="Key">App key (raises the quota); optional.</param>
/// <param name="AccessToken">OAuth access token; only needed for private sites, requires <paramref name="Key"/>.</param>
public sealed record StackExchangeAccess(string? Key, string? AccessToken)
{
    public override string ToString() => $"StackExchangeAccess {{ Key = {(Key is null ? "none" : "set")}, AccessToken = {(AccessToken is null ? "none" : "set")} }}";
}

/// <param name="Backoff">Seconds before the same method may be called again, when the API asked for it.</param>
public sealed record StackExchangePage<T>(IReadOnlyList<T> Items, bool HasMore, string Method, int? Backoff, int? QuotaRemaining, int? QuotaMax);

public enum StackExchangeFeedKind
{
    /// <summary><c>/questions?tagged=…</c>; several tags joined by ';' must all match.</summary>
    Tag,
    /// <summary><c>/search/advanced?q=…</c>.</summary>
    Keyword,
}

public sealed record StackExchangeFeed(StackExchangeFeedKind Kind, string Value)
{
    public string Key => Kind == StackExchangeFeedKind.Tag ? "tag:" + Value.ToLowerInvariant() : "q:" + Value;

    /// <summary>The API method, as backoff is tracked per method.</summary>
    public string Method => Kind == StackExchangeFeedKind.Tag ? StackExchangeClient.QuestionsMethod : StackExchangeClient.SearchMethod;
}
