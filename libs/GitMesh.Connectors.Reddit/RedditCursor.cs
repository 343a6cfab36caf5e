using System.Text.Json;
using System.Text.Json.Serialization;

namespace GitMesh.Connectors.Reddit;

/// <summary>
/// The opaque cursor, serialized as JSON. Per feed it keeps a committed high-water mark (the newest item seen by the
/// last completed run) and, while a run pages backwards, the in-progress <c>after</c> token and the newest item of
/// that run. The mark only moves when a run completes, so a crash mid-run re-reads pages but never skips items.
/// </summary>
internal sealed class RedditCursor
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public int V { get; set; } = 1;

    public Dictionary<string, RedditFeedState> Feeds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Feeds already completed in the current pass over all feeds.</summary>
    public List<string> PassDone { get; set; } = [];

    /// <summary>Reddit said the rate-limit window is used up; no request before this time.</summary>
    public DateTimeOffset? NotBefore { get; set; }

    public static RedditCursor Parse(string? cursor)
    {
        if (string.IsNullOrWhiteSpace(cursor))
        {
            return new RedditCursor();
        }

        try
        {
            return JsonSerializer.Deserialize<RedditCursor>(cursor, Json) ?? new RedditCursor();
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException("reddit: the saved cursor is not readable", ex);
        }
    }

    public string Serialize() => JsonSerializer.Serialize(this, Json);
}

internal sealed class RedditFeedState
{
    /// <summary><c>created_utc</c> of the newest item a completed run has seen.</summary>
    public double? Top { get; set; }

    /// <summary>Fullnames created in the same second as <see cref="Top"/> (to tell them from new items of that second).</summary>
    public List<string> TopNames { get; set; } = [];

    /// <summary>Start of the last completed run: edits after it are news.</summary>
    public DateTimeOffset? CheckedAt { get; set; }

    public RedditRunState? Run { get; set; }
}

internal sealed class RedditRunState
{
    public string? After { get; set; }

    public double? Top { get; set; }

    public List<string> TopNames { get; set; } = [];

    public DateTimeOffset StartedAt { get; set; }

    public int Pages { get; set; }

    public void See(string name, double created)
    {
        if (Top is null || created > Top)
        {
            Top = created;
            TopNames = [name];
        }
        else if (created == Top && !TopNames.Contains(name))
        {
            TopNames.Add(name);
        }
    }
}
