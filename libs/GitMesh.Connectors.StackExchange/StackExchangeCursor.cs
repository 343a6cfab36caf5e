using System.Text.Json;
using System.Text.Json.Serialization;

namespace GitMesh.Connectors.StackExchange;

/// <summary>
/// The opaque cursor, serialized as JSON. Per feed an activity watermark (keyset paging on <c>last_activity_date</c>,
/// which survives questions moving while we page), the question ids already emitted at that exact second, and the
/// answers still to fetch for the last question page. Globally: per-method backoff and the daily-quota block.
/// </summary>
internal sealed class StackExchangeCursor
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public int V { get; set; } = 1;

    public Dictionary<string, StackExchangeFeedState> Feeds { get; set; } = new(StringComparer.Ordinal);

    public List<string> PassDone { get; set; } = [];

    /// <summary>Method → time before which the API asked us not to call it again (the wrapper's <c>backoff</c>).</summary>
    public Dictionary<string, DateTimeOffset> Backoff { get; set; } = new(StringComparer.Ordinal);

    /// <summary><c>quota_remaining</c> reached 0: nothing before this time.</summary>
    public DateTimeOffset? QuotaBlockedUntil { get; set; }

    public static StackExchangeCursor Parse(string? cursor)
    {
        if (string.IsNullOrWhiteSpace(cursor))
        {
            return new StackExchangeCursor();
        }

        try
        {
            return JsonSerializer.Deserialize<StackExchangeCursor>(cursor, Json) ?? new StackExchangeCursor();
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException("stackoverflow: the saved cursor is not readable", ex);
        }
    }

    public string Serialize() => JsonSerializer.Serialize(this, Json);
}

internal sealed class StackExchangeFeedState
{
    /// <summary>Watermark: the next question request asks for <c>min</c> = this <c>last_activity_date</c>.</summary>
    public long Since { get; set; }

    /// <summary>Questions emitted with activity exactly at <see cref="Since"/>; <c>min</c> is inclusive.</summary>
    public List<long> SeenAtSince { get; set; } = [];

    /// <summary>Only &gt; 1 when a whole page shared one activity second and keyset paging could not advance.</summary>
    public int Page { get; set; } = 1;

    /// <summary>The last question page said <c>has_more</c>.</summary>
    public bool MoreQuestions { get; set; }

    public StackExchangePendingAnswers? Answers { get; set; }
}

internal sealed class StackExchangePendingAnswers
{
    public List<long> QuestionIds { get; set; } = [];

    /// <summary>Answers with activity before this were emitted by an earlier page.</summary>
    public long Since { get; set; }

    public int Page { get; set; } = 1;

    /// <summary>Scheme and host of the site (from the questions' links), for answer links.</summary>
    public string? SiteUrl { get; set; }
}
