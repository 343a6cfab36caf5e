using GitMesh.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace GitMesh.Search.Postgres;

/// <summary>
/// PostgreSQL full-text adapter over the <c>signal_search</c> table (migration 0004, EF entity SignalSearchEntry): one
/// row per live signal holding its tsvector (title weighted 'A', normalized body 'B', english stemming), GIN-indexed.
/// Queries use websearch_to_tsquery on the canonical string <see cref="WebSearchQuery"/> renders and rank with
/// ts_rank_cd.
/// </summary>
/// <remarks>
/// A stored vector in a side table rather than the alternatives: an expression index on signals needs no write path,
/// but ranking then re-parses the body of every matching row (tens of seconds for a common word over 100k signals);
/// a generated column on signals would be loaded by every EF query of signals and would have to be faked on SQLite.
/// The tsvector is computed inside PostgreSQL from the signals row, so signal text never travels through .NET, and
/// the foreign key cascades hard deletes. Like the FTS5 table, the index follows the signals table only through
/// <see cref="IndexAsync"/>; queries also join signals so a deleted signal is never returned.
/// </remarks>
public sealed class PostgresSignalSearchIndex : ISignalSearchIndex
{
    /// <summary>Signals per statement when indexing or rebuilding.</summary>
    internal const int BatchSize = 2000;

    internal const string Document =
        "setweight(to_tsvector('english'::regconfig, coalesce(s.title, '')), 'A') || "
        + "setweight(to_tsvector('english'::regconfig, left(coalesce(s.body_text, ''), " + SearchDocument.MaxBodyLengthSql + ")), 'B')";

    private const string Query = "websearch_to_tsquery('english'::regconfig, {0})";

    // OFFSET 0 keeps the planner from pulling the match into the caller's query: pulled in, PostgreSQL would walk the
    // caller's index order testing each row's vector (850 ms for a 0.7% word over 200k signals) instead of reading the
    // GIN bitmap once. Callers with a common word test candidates instead (MatchIdsAsync, MatchingAmongAsync).
    internal const string MatchingSql =
        $$"""
        SELECT e.signal_id AS "Value"
        FROM signal_search AS e JOIN signals AS s ON s.id = e.signal_id
        WHERE e.document @@ {{Query}} AND e.workspace_id = {1} AND s.workspace_id = {1} AND NOT s.is_deleted
        OFFSET 0
        """;

    internal const string SearchSql =
        $$"""
        SELECT e.signal_id AS "SignalId", ts_rank_cd(e.document, {{Query}})::double precision AS "Rank"
        FROM signal_search AS e JOIN signals AS s ON s.id = e.signal_id
        WHERE e.document @@ {{Query}} AND e.workspace_id = {1} AND s.workspace_id = {1} AND NOT s.is_deleted
        ORDER BY "Rank" DESC, e.signal_id
        LIMIT {2} OFFSET {3}
        """;

    // A window's matches: the GIN bitmap ANDed with the (workspace_id, seq) range, so only the window's rows are read
    // and ranked.
    internal const string WindowSearchSql =
        $$"""
        SELECT e.signal_id AS "SignalId", ts_rank_cd(e.document, {{Query}})::double precision AS "Rank"
        FROM signal_search AS e JOIN signals AS s ON s.id = e.signal_id
        WHERE e.document @@ {{Query}} AND e.workspace_id = {1} AND e.seq > {4} AND e.seq <= {5} AND s.workspace_id = {1} AND NOT s.is_deleted
        ORDER BY "Rank" DESC, e.signal_id
        LIMIT {2} OFFSET {3}
        """;

    // Sizes a window: a count over the same bitmap AND, no vectors read.
    internal const string WindowCountSql =
        $$"""
        SELECT count(*)::integer AS "Value" FROM signal_search AS e
        WHERE e.document @@ {{Query}} AND e.workspace_id = {1} AND e.seq > {2} AND e.seq <= {3}
        """;

    // The GIN bitmap's rows, read once and not joined: the cost follows the matches read, at most the caller's cap.
    internal const string MatchIdsSql =
        $$"""
        SELECT e.signal_id AS "Value" FROM signal_search AS e WHERE e.document @@ {{Query}} AND e.workspace_id = {1} LIMIT {2}
        """;

    // A primary-key probe per candidate, then the stored vector is tested: the cost follows the candidates, not how
    // common the words are.
    internal const string MatchingAmongSql =
        $$"""
        SELECT e.signal_id AS "Value" FROM signal_search AS e
        WHERE e.signal_id = ANY({2}) AND e.workspace_id = {1} AND e.document @@ {{Query}}
        """;

    // One command, so one implicit transaction. Entries of deleted or missing signals go; live signals are upserted,
    // and an unchanged vector is not rewritten (no GIN churn when only classification or triage changed).
    private const string IndexSql =
        $$"""
        DELETE FROM signal_search AS e
        WHERE e.signal_id = ANY({0}) AND NOT EXISTS (SELECT 1 FROM signals AS s WHERE s.id = e.signal_id AND NOT s.is_deleted);
        INSERT INTO signal_search (signal_id, workspace_id, document)
        SELECT s.id, s.workspace_id, {{Document}} FROM signals AS s WHERE s.id = ANY({0}) AND NOT s.is_deleted
        ON CONFLICT (signal_id) DO UPDATE SET workspace_id = excluded.workspace_id, document = excluded.document
        WHERE signal_search.workspace_id <> excluded.workspace_id OR signal_search.document <> excluded.document;
        """;

    public async Task IndexAsync(GitMeshDbContext db, IReadOnlyCollection<Guid> signalIds, CancellationToken cancellationToken)
    {
        foreach (var batch in signalIds.Distinct().Chunk(BatchSize))
        {
            await db.Database.ExecuteSqlRawAsync(IndexSql, [batch], cancellationToken);
        }
    }

    public async Task RemoveAsync(GitMeshDbContext db, IReadOnlyCollection<Guid> signalIds, CancellationToken cancellationToken)
    {
        foreach (var batch in signalIds.Distinct().Chunk(BatchSize))
        {
            await db.Database.ExecuteSqlRawAsync("DELETE FROM signal_search WHERE signal_id = ANY({0})", [batch], cancellationToken);
        }
    }

    /// <summary>
    /// Re-indexes every signal of the scope in id order, <see cref="BatchSize"/> per statement (searches keep working
    /// throughout), then drops entries whose signal is gone. Returns the number of signals now indexed.
    /// </summary>
    public async Task<long> RebuildAsync(GitMeshDbContext db, Guid? workspaceId, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        long processed = 0;
        var after = Guid.Empty;
        while (true)
        {
            var page = workspaceId is { } ws
                ? db.Database.SqlQueryRaw<Guid>("""SELECT id AS "Value" FROM signals WHERE workspace_id = {0} AND id > {1}""", ws, after)
                : db.Database.SqlQueryRaw<Guid>("""SELECT id AS "Value" FROM signals WHERE id > {0}""", after);
            var ids = await page.OrderBy(id => id).Take(BatchSize).ToArrayAsync(cancellationToken);
            if (ids.Length == 0)
            {
                break;
            }

            await db.Database.ExecuteSqlRawAsync(IndexSql, [ids], cancellationToken);
            processed += ids.Length;
            after = ids[^1];
            progress?.Report(processed);
        }

        const string orphans = "DELETE FROM signal_search AS e WHERE NOT EXISTS (SELECT 1 FROM signals AS s WHERE s.id = e.signal_id AND NOT s.is_deleted)";
        if (workspaceId is { } scope)
        {
            await db.Database.ExecuteSqlRawAsync(orphans + " AND e.workspace_id = {0}", [scope], cancellationToken);
            return await db.Database.SqlQueryRaw<long>("""SELECT count(*) AS "Value" FROM signal_search WHERE workspace_id = {0}""", scope).SingleAsync(cancellationToken);
        }

        await db.Database.ExecuteSqlRawAsync(orphans, cancellationToken);
        return await db.Database.SqlQueryRaw<long>("""SELECT count(*) AS "Value" FROM signal_search""").SingleAsync(cancellationToken);
    }

    public IQueryable<Guid> Matching(GitMeshDbContext db, Guid workspaceId, string query)
    {
        var parsed = WebSearchQuery.Parse(query);
        return parsed.IsEmpty
            ? SearchDocument.NoMatches(db)
            : db.Database.SqlQueryRaw<Guid>(MatchingSql, parsed.ToWebSearch(), workspaceId);
    }

    public async Task<IReadOnlySet<Guid>?> MatchIdsAsync(GitMeshDbContext db, Guid workspaceId, string query, int atMost, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(atMost);
        var parsed = WebSearchQuery.Parse(query);
        if (parsed.IsEmpty)
        {
            return new HashSet<Guid>();
        }

        // Reading a common word's ids only to find there are too many costs a heap row each (50 ms for 10,000, more when
        // a -term needs the stored vectors rechecked), so the planner's estimate from the GIN statistics decides first.
        // It is usually within a few percent; a phrase can be underestimated, and then the capped read below says so.
        // Below a thousand ids reading is cheap, and planner estimates never go under one row.
        if (atMost >= 1_000 && await EstimateMatchesAsync(db, parsed.ToWebSearch(), workspaceId, cancellationToken) > EstimateSlack * atMost)
        {
            return null;
        }

        var ids = await db.Database.SqlQueryRaw<Guid>(MatchIdsSql, parsed.ToWebSearch(), workspaceId, atMost + 1).ToListAsync(cancellationToken);
        return ids.Count > atMost ? null : ids.ToHashSet();
    }

    // An estimate this many times the cap is trusted to mean "more": a wrong "more" only costs the caller a slower path.
    private const long EstimateSlack = 2;

    private static async Task<long> EstimateMatchesAsync(GitMeshDbContext db, string webSearch, Guid workspaceId, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }

        try
        {
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            cmd.CommandText = $"EXPLAIN SELECT 1 FROM signal_search AS e WHERE e.document @@ {Query.Replace("{0}", "$1", StringComparison.Ordinal)} AND e.workspace_id = $2";
            foreach (var value in new object[] { webSearch, workspaceId })
            {
                var parameter = cmd.CreateParameter(); // unnamed: positional $1, $2
                parameter.Value = value;
                cmd.Parameters.Add(parameter);
            }

            var top = await cmd.ExecuteScalarAsync(cancellationToken) as string;
            return PlanRows(top);
        }
        finally
        {
            if (opened)
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    /// <summary>The estimated rows of a plan's top line (<c>… (cost=0.00..1.00 rows=123 width=4)</c>); unknown → 0.</summary>
    internal static long PlanRows(string? planLine)
    {
        var at = planLine?.IndexOf(" rows=", StringComparison.Ordinal) ?? -1;
        if (at < 0)
        {
            return 0;
        }

        var digits = planLine![(at + 6)..].TakeWhile(char.IsAsciiDigit).ToArray();
        return long.TryParse(digits, out var rows) ? rows : 0;
    }

    public async Task<IReadOnlySet<Guid>> MatchingAmongAsync(GitMeshDbContext db, Guid workspaceId, string query, IReadOnlyCollection<Guid> signalIds, CancellationToken cancellationToken)
    {
        var parsed = WebSearchQuery.Parse(query);
        if (parsed.IsEmpty || signalIds.Count == 0)
        {
            return new HashSet<Guid>();
        }

        var matches = await db.Database.SqlQueryRaw<Guid>(MatchingAmongSql, parsed.ToWebSearch(), workspaceId, signalIds.ToArray()).ToListAsync(cancellationToken);
        return matches.ToHashSet();
    }

    public async Task<IReadOnlyList<SearchHit>> SearchAsync(GitMeshDbContext db, Guid workspaceId, string query, int limit, int offset, SearchWindow window, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (window == SearchWindow.All)
        {
            return await SearchAsync(db, workspaceId, query, limit, offset, cancellationToken);
        }

        var parsed = WebSearchQuery.Parse(query);
        if (parsed.IsEmpty || limit == 0 || window.Through <= window.After)
        {
            return [];
        }

        return await db.Database.SqlQueryRaw<SearchHit>(WindowSearchSql, parsed.ToWebSearch(), workspaceId, limit, offset, window.After, window.Through).ToListAsync(cancellationToken);
    }

    public async Task<long> LastPositionAsync(GitMeshDbContext db, Guid workspaceId, CancellationToken cancellationToken) =>
        await db.Database.SqlQueryRaw<long>("""SELECT coalesce(max(seq), 0) AS "Value" FROM signal_search WHERE workspace_id = {0}""", workspaceId).SingleAsync(cancellationToken);

    /// <summary>
    /// Counts matches in a guessed window and rescales the guess by the density it saw (positions are spread evenly
    /// enough over time for that to converge in two or three counts); accepts a window holding between
    /// <paramref name="matches"/> and three times as many.
    /// </summary>
    public async Task<long> WindowStartAsync(GitMeshDbContext db, Guid workspaceId, string query, long end, int matches, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(matches);
        var parsed = WebSearchQuery.Parse(query);
        if (parsed.IsEmpty || end <= 0)
        {
            return 0;
        }

        const int maxCounts = 6;
        var text = parsed.ToWebSearch();
        var span = matches * 8L;
        for (var attempt = 1; ; attempt++)
        {
            var start = Math.Max(0, end - span);
            var count = await db.Database.SqlQueryRaw<int>(WindowCountSql, text, workspaceId, start, end).SingleAsync(cancellationToken);
            if (count >= matches && (count <= 3L * matches || attempt >= maxCounts))
            {
                return start;
            }

            if (count < matches && start == 0)
            {
                return 0;
            }

            // Aim at 1.5 × matches; grow at most 16-fold at a time (a window with no match says little about density).
            var scaled = count == 0 ? span * 16 : (long)(span * 1.5 * matches / count);
            span = Math.Clamp(scaled, matches, span * 16);
        }
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
