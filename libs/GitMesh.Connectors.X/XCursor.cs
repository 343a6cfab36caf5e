using System.Text.Json;
using System.Text.Json.Serialization;

namespace GitMesh.Connectors.X;

/// <summary>
/// The opaque cursor, serialized as JSON. Per query: the committed <c>since_id</c> and, while a run pages through
/// <c>next_token</c>s, the run's own state. The committed value only advances when the run's last page is read, so a
/// crash mid-run resumes (or re-reads) the run and never skips posts.
/// </summary>
internal sealed class XCursor
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public int V { get; set; } = 1;

    public Dictionary<string, XQueryState> Queries { get; set; } = new(StringComparer.Ordinal);

    public List<string> PassDone { get; set; } = [];

    /// <summary>The endpoint's 15-minute window is used up; no request before this time.</summary>
    public DateTimeOffset? NotBefore { get; set; }

    public static XCursor Parse(string? cursor)
    {
        if (string.IsNullOrWhiteSpace(cursor))
        {
            return new XCursor();
        }

        try
        {
            return JsonSerializer.Deserialize<XCursor>(cursor, Json) ?? new XCursor();
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException("x: the saved cursor is not readable", ex);
        }
    }

    public string Serialize() => JsonSerializer.Serialize(this, Json);
}

internal sealed class XQueryState
{
    /// <summary>Committed: newest post id of the last completed run.</summary>
    public string? SinceId { get; set; }

    public XRunState? Run { get; set; }
}

internal sealed class XRunState
{
    /// <summary>The <c>since_id</c> / <c>start_time</c> this run started with; every page of the run repeats them.</summary>
    public string? SinceId { get; set; }

    public DateTimeOffset? StartTime { get; set; }

    /// <summary><c>meta.newest_id</c> of the run's first page: becomes <see cref="XQueryState.SinceId"/> when the run completes.</summary>
    public string? NewestId { get; set; }

    public string? NextToken { get; set; }
}
