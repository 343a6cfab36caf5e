using GitMesh.Data;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Search.Postgres;

/// <summary>
/// PostgreSQL full-text adapter over a GIN expression index on signals (migration 0004): the indexed document is the
/// title weighted 'A' and the normalized body weighted 'B', built with the immutable <c>to_tsvector('english'::regconfig, …)</c>,
/// and only live signals are indexed (partial index <c>WHERE NOT is_deleted</c>).
/// </summary>
/// <remarks>
/// An expression index rather than a stored tsvector column or a side table: PostgreSQL maintains it in the same
/// statement that writes the signal, so it can never drift from the signals table, needs no column in the EF model
/// (which SQLite would then have to fake, and every signal query would load), and needs no write path here.
/// The cost is that ranking recomputes the tsvector of each matching row; the GIN index still does the matching.
/// Queries must repeat <see cref="Document"/> exactly as the migration spells it, or the planner cannot use the index
/// (a test runs EXPLAIN to keep the two in step).
/// </remarks>
public sealed class PostgresSignalSearchIndex : ISignalSearchIndex
{
    public const string IndexName = "ix_signals_search";

    internal const string Document =
        "(setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
        + "setweight(to_tsvector('english'::regconfig, left(coalesce(body_text, ''), " + SearchDocument.MaxBodyLengthSql + ")), 'B'))";

    private const string Query = "websearch_to_tsquery('english'::regconfig, {0})";

    internal const string MatchingSql =
        $$"""SELECT id AS "Value" FROM signals WHERE workspace_id = {1} AND NOT is_deleted AND {{Document}} @@ {{Query}}""";

    internal const string SearchSql =
        $$"""
        SELECT id AS "SignalId", ts_rank_cd({{Document}}, {{Query}})::double precision AS "Rank"
        FROM signals
        WHERE workspace_id = {1} AND NOT is_deleted AND {{Document}} @@ {{Query}}
        ORDER BY "Rank" DESC, id
        LIMIT {2} OFFSET {3}
        """;

    /// <summary>No-op: the expression index is updated by PostgreSQL when the signal row is written.</summary>
    public Task IndexAsync(GitMeshDbContext db, IReadOnlyCollection<Guid> signalIds, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>No-op: deleted signals (soft or hard) leave the partial index when their row changes.</summary>
    public Task RemoveAsync(GitMeshDbContext db, IReadOnlyCollection<Guid> signalIds, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Rebuilds the index from the signals table (REINDEX, concurrently unless the caller holds a transaction) and
    /// returns the number of live signals indexed in the scope. One index serves all workspaces, so a workspace rebuild
    /// only counts: its entries cannot be stale.
    /// </summary>
    public async Task<long> RebuildAsync(GitMeshDbContext db, Guid? workspaceId, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        if (workspaceId is null)
        {
            // CONCURRENTLY keeps ingest writing during the rebuild but cannot run inside a transaction block.
            var sql = db.Database.CurrentTransaction is null
                ? $"REINDEX INDEX CONCURRENTLY {IndexName}"
                : $"REINDEX INDEX {IndexName}";
            await db.Database.ExecuteSqlRawAsync(sql, cancellationToken);
        }

        var counted = workspaceId is { } ws
            ? db.Database.SqlQueryRaw<long>("""SELECT count(*) AS "Value" FROM signals WHERE NOT is_deleted AND workspace_id = {0}""", ws)
            : db.Database.SqlQueryRaw<long>("""SELECT count(*) AS "Value" FROM signals WHERE NOT is_deleted""");
        var count = await counted.SingleAsync(cancellationToken);
        progress?.Report(count);
        return count;
    }

    public IQueryable<Guid> Matching(GitMeshDbContext db, Guid workspaceId, string query)
    {
        var parsed = WebSearchQuery.Parse(query);
        return parsed.IsEmpty
            ? SearchDocument.NoMatches(db)
            : db.Database.SqlQueryRaw<Guid>(MatchingSql, parsed.ToWebSearch(), workspaceId);
    }

    public async Task<IReadOnlyList<SearchHit>> SearchAsync(GitMeshDbContext db, Guid workspaceId, string query, int limit, int offset, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var parsed = WebSearchQuery.Parse(query);
        if (parsed.IsEmpty || limit == 0)
        {
            return [];
        }

        return await db.Database.SqlQueryRaw<SearchHit>(SearchSql, parsed.ToWebSearch(), workspaceId, limit, offset).ToListAsync(cancellationToken);
    }
}
