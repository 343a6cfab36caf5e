using System.Globalization;
using System.Text.Json;

namespace GitMesh.Connectors.GitHub.Polling;

/// <summary>
/// The opaque cursor the connector-run workflow saves after each page. A pass walks, per repository, the phases
/// issues → comments → discussions; in org mode it first lists the organization's repositories. <see cref="Marks"/>
/// keeps one "updated since" high-water mark per (repository, phase): a single mark would let a late comment push the
/// mark past an issue edited while the comments phase ran.
/// </summary>
internal sealed class GitHubCursor
{
    public const string ReposPhase = "repos";
    public const string IssuesPhase = "issues";
    public const string CommentsPhase = "comments";
    public const string DiscussionsPhase = "discussions";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public int Version { get; set; } = 1;

    public string Phase { get; set; } = IssuesPhase;

    /// <summary>Org mode: repositories of this pass (listed in the <see cref="ReposPhase"/>), and which one is being read.</summary>
    public List<string>? Repos { get; set; }

    public int RepoIndex { get; set; }

    /// <summary>REST page to read next within the current phase; null to start the phase from its mark.</summary>
    public string? NextUrl { get; set; }

    /// <summary>GraphQL <c>after</c> cursor within the current discussions pass.</summary>
    public string? After { get; set; }

    /// <summary>Newest discussion update seen in the current (newest-first) pass; becomes the mark when the pass completes.</summary>
    public DateTimeOffset? PendingMark { get; set; }

    public Dictionary<string, DateTimeOffset> Marks { get; set; } = new(StringComparer.Ordinal);

    public static GitHubCursor? TryParse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        try
        {
            var cursor = JsonSerializer.Deserialize<GitHubCursor>(value, Json);
            return cursor is { Version: 1 } ? cursor : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public string Serialize() => JsonSerializer.Serialize(this, Json);

    public DateTimeOffset? GetMark(string repository, string phase) =>
        Marks.TryGetValue(MarkKey(repository, phase), out var mark) ? mark : null;

    public void RaiseMark(string repository, string phase, DateTimeOffset value)
    {
        var key = MarkKey(repository, phase);
        if (!Marks.TryGetValue(key, out var current) || value > current)
        {
            Marks[key] = value;
        }
    }

    private static string MarkKey(string repository, string phase) =>
        string.Create(CultureInfo.InvariantCulture, $"{repository.ToLowerInvariant()}|{phase}");
}
