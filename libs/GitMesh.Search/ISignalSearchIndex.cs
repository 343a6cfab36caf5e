using GitMesh.Data;

namespace GitMesh.Search;

/// <summary>
/// Full-text search over signals (title + normalized body text), one adapter per database provider:
/// SQLite FTS5 and PostgreSQL tsvector/GIN. Queries use web-search syntax on both: "exact phrase", a OR b,
/// -excluded, with stemming, and must mean the same on both providers.
/// </summary>
public interface ISignalSearchIndex
{
    /// <summary>(Re)index these signals from the signals table. Idempotent: indexing twice equals indexing once.</summary>
    Task IndexAsync(GitMeshDbContext db, IReadOnlyCollection<Guid> signalIds, CancellationToken cancellationToken);

    /// <summary>Drop these signals from the index (deleted signals).</summary>
    Task RemoveAsync(GitMeshDbContext db, IReadOnlyCollection<Guid> signalIds, CancellationToken cancellationToken);

    /// <summary>Rebuild the whole index (or one workspace's) from the signals table, reporting rows done.</summary>
    Task<long> RebuildAsync(GitMeshDbContext db, Guid? workspaceId, IProgress<long>? progress, CancellationToken cancellationToken);

    /// <summary>
    /// Ids of the workspace's signals matching <paramref name="query"/>, as a composable query so callers can add
    /// filters, sorting and keyset pagination in the same SQL statement.
    /// </summary>
    IQueryable<Guid> Matching(GitMeshDbContext db, Guid workspaceId, string query);

    /// <summary>
    /// Ids of the workspace's matches when there are at most <paramref name="atMost"/> of them, otherwise null: one read
    /// of the index, without the signals table, so a caller can test candidates in memory instead of probing them with
    /// <see cref="MatchingAmongAsync"/>. May hold signals deleted since; callers that read signals filter those anyway.
    /// </summary>
    Task<IReadOnlySet<Guid>?> MatchIdsAsync(GitMeshDbContext db, Guid workspaceId, string query, int atMost, CancellationToken cancellationToken);

    /// <summary>
    /// Which of these signals match <paramref name="query"/>: one index probe per signal, so the cost follows the number
    /// of candidates, not the number of matches. Signals of other workspaces never match.
    /// </summary>
    Task<IReadOnlySet<Guid>> MatchingAmongAsync(GitMeshDbContext db, Guid workspaceId, string query, IReadOnlyCollection<Guid> signalIds, CancellationToken cancellationToken);

    /// <summary>Matches with a relevance rank (higher is better), best first.</summary>
    Task<IReadOnlyList<SearchHit>> SearchAsync(GitMeshDbContext db, Guid workspaceId, string query, int limit, int offset, CancellationToken cancellationToken);

    /// <summary>
    /// Matches whose index position lies in <paramref name="window"/>, ranked as <see cref="SearchAsync(GitMeshDbContext, Guid, string, int, int, CancellationToken)"/>
    /// ranks them: the cost follows the matches in the window, not all matches.
    /// </summary>
    /// <remarks>
    /// Every entry has a position that grows as entries are written (SQLite: the FTS5 rowid; PostgreSQL: signal_search.seq),
    /// so a range of positions is a range of indexing time, newest last.
    /// </remarks>
    Task<IReadOnlyList<SearchHit>> SearchAsync(GitMeshDbContext db, Guid workspaceId, string query, int limit, int offset, SearchWindow window, CancellationToken cancellationToken);

    /// <summary>The highest position in use (0 for an empty index): the end of the newest window.</summary>
    Task<long> LastPositionAsync(GitMeshDbContext db, Guid workspaceId, CancellationToken cancellationToken);

    /// <summary>
    /// Where the window ending at <paramref name="end"/> (inclusive) should start so that it holds about
    /// <paramref name="matches"/> matches of the query (at least that many unless fewer exist): the returned position is
    /// the window's exclusive lower bound, 0 when the window has to reach back to the oldest entry.
    /// </summary>
    Task<long> WindowStartAsync(GitMeshDbContext db, Guid workspaceId, string query, long end, int matches, CancellationToken cancellationToken);
}

public sealed record SearchHit(Guid SignalId, double Rank);

/// <summary>The index positions after <see cref="After"/> up to and including <see cref="Through"/>.</summary>
public readonly record struct SearchWindow(long After, long Through)
{
    public static SearchWindow All { get; } = new(0, long.MaxValue);
}
