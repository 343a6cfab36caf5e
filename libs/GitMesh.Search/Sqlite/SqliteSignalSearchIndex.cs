using System.Data.Common;
using GitMesh.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace GitMesh.Search.Sqlite;

/// <summary>
/// SQLite FTS5 adapter. The index lives in the <c>signals_fts</c> virtual table (migration 0004): signal_id and
/// workspace_id are stored but not tokenized, title and body are tokenized with porter stemming. Rows are written by
/// <see cref="IndexAsync"/> (delete + insert per signal, so it is idempotent) straight from the signals table, so
/// signal text never travels through .NET.
/// </summary>
/// <remarks>
/// Guids are compared as the upper-case TEXT EF Core's SQLite provider stores (signals.id); signal_id is copied from
/// that column and parameters are formatted the same way. Queries join back to signals, so a signal deleted (hard or
/// soft) before anyone called <see cref="RemoveAsync"/> is still never returned.
/// </remarks>
public sealed class SqliteSignalSearchIndex : ISignalSearchIndex
{
    /// <summary>Signals per transaction during a rebuild: large enough to be fast, small enough not to hold the single writer lock for long.</summary>
    internal const int RebuildBatchSize = 2000;

    // Title counts ten times the body: a signal named after the query beats one mentioning it in passing.
    // Column order: signal_id, workspace_id, title, body (unindexed columns get weight 0).
    private const string Bm25 = "bm25(signals_fts, 0.0, 0.0, 10.0, 1.0)";

    // CROSS JOIN fixes the loop order in SQLite: the full-text match drives, each hit probes signals by primary key.
    internal const string MatchingSql =
        """
        SELECT signals_fts.signal_id AS "Value"
        FROM signals_fts CROSS JOIN signals AS s ON s.id = signals_fts.signal_id
        WHERE signals_fts MATCH {0} AND s.workspace_id = {1} AND s.is_deleted = 0
        """;

    internal const string SearchSql =
        $$"""
        SELECT signals_fts.signal_id AS "SignalId", -{{Bm25}} AS "Rank"
        FROM signals_fts CROSS JOIN signals AS s ON s.id = signals_fts.signal_id
        WHERE signals_fts MATCH {0} AND signals_fts.rowid > {4} AND signals_fts.rowid <= {5} AND s.workspace_id = {1} AND s.is_deleted = 0
        ORDER BY "Rank" DESC, signals_fts.signal_id
        LIMIT {2} OFFSET {3}
        """;

    // FTS5 reads a doclist in rowid order (either way) without ranking anything, so skipping to the n-th newest match is
    // cheap however common the words are. Other workspaces' entries count too: the window is only sized by this.
    internal const string WindowStartSql =
        """
        SELECT rowid AS "Value" FROM signals_fts WHERE signals_fts MATCH {0} AND rowid <= {1} ORDER BY rowid DESC LIMIT 1 OFFSET {2}
        """;

    // Counting stops at the cap, so a common word costs no more than the cap. Not joined to signals (that join costs a
    // primary-key probe per match): the count only chooses how to query, it is never shown, and the queries it chooses
    // between both return exactly the workspace's live matches.
    // Up to {1} matches in any workspace, from the doclists alone (no content rows read).
    internal const string CountSql =
        """
        SELECT count(*) AS "Value" FROM (SELECT 1 FROM signals_fts WHERE signals_fts MATCH {0} LIMIT {1})
        """;

    // The match's rows through FTS5 alone (its UNINDEXED workspace_id and signal_id columns), no join with signals.
    internal const string MatchIdsSql =
        """
        SELECT signal_id AS "Value" FROM signals_fts WHERE signals_fts MATCH {0} AND workspace_id = {1} LIMIT {2}
        """;

    // Candidates drive (CROSS JOIN fixes the order) and find their FTS5 row through the c0 index; the match's rowids are
    // listed once (streaming a doclist is cheap even for a common word) and each candidate is looked up in that list.
    // The unary + keeps SQLite from turning the IN list into rowid probes of the content table, one per listed match
    // and candidate; probing FTS5 itself per candidate (MATCH with rowid =) re-opens every term's doclist each time.
    internal const string MatchingAmongSql =
        """
        SELECT c.c0 AS "Value"
        FROM json_each({2}) AS j
        CROSS JOIN signals_fts_content AS c ON c.c0 = j.value
        WHERE c.c1 = {1} AND +c.id IN (SELECT rowid FROM signals_fts WHERE signals_fts MATCH {0})
        """;

    // signals_fts_content is FTS5's own content table (rowid = id, signal_id = c0); migration 0004 indexes c0, which
    // turns "find this signal's row" into an index lookup instead of a scan of every indexed document.
    internal const string FindRowSql = "SELECT id FROM signals_fts_content WHERE c0 = $id";

    // Whether an entry still equals its signal. Deleting an FTS5 row re-tokenizes its old text, so skipping unchanged
    // entries makes re-indexing after classification or triage changes, and rebuilding a healthy index, cheap.
    private const string FindEntrySql =
        $"""
        SELECT c.id, coalesce(s.is_deleted = 0 AND f.workspace_id = s.workspace_id AND f.title = coalesce(s.title, '')
                              AND f.body = substr(coalesce(s.body_text, ''), 1, {SearchDocument.MaxBodyLengthSql}), 0)
        FROM signals_fts_content AS c
        JOIN signals_fts AS f ON f.rowid = c.id
        LEFT JOIN signals AS s ON s.id = c.c0
        WHERE c.c0 = $id
        """;
    private const string DeleteRowSql = "DELETE FROM signals_fts WHERE rowid = $rowid";

    private const string InsertSql =
        $"""
        INSERT INTO signals_fts (signal_id, workspace_id, title, body)
        SELECT id, workspace_id, coalesce(title, ''), substr(coalesce(body_text, ''), 1, {SearchDocument.MaxBodyLengthSql})
        FROM signals WHERE id = $id AND is_deleted = 0
        """;

    // Ids per JSON parameter of the set-based statements below.
    private const int BulkChunk = 2_000;

    // Which of the given signals have an entry at all (through the c0 index).
    private const string EntriesAmongSql = "SELECT DISTINCT c.c0 FROM json_each($ids) AS j JOIN signals_fts_content AS c ON c.c0 = j.value";

    // Same document as InsertSql, for many signals known to have no entry yet.
    private const string InsertManySql =
        $"""
        INSERT INTO signals_fts (signal_id, workspace_id, title, body)
        SELECT id, workspace_id, coalesce(title, ''), substr(coalesce(body_text, ''), 1, {SearchDocument.MaxBodyLengthSql})
        FROM signals WHERE id IN (SELECT value FROM json_each($ids)) AND is_deleted = 0
        """;

    public async Task IndexAsync(GitMeshDbContext db, IReadOnlyCollection<Guid> signalIds, CancellationToken cancellationToken)
    {
        if (signalIds.Count == 0)
        {
            return;
        }

        await InTransactionAsync(db, (connection, transaction) => WriteAsync(connection, transaction, signalIds, insert: true, cancellationToken), cancellationToken);
    }

    public async Task RemoveAsync(GitMeshDbContext db, IReadOnlyCollection<Guid> signalIds, CancellationToken cancellationToken)
    {
        if (signalIds.Count == 0)
        {
            return;
        }

        await InTransactionAsync(db, (connection, transaction) => WriteAsync(connection, transaction, signalIds, insert: false, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Re-indexes every signal of the scope (deleted ones are removed) in batches of <see cref="RebuildBatchSize"/>,
    /// one transaction each, so searches keep working during the rebuild and writers are never locked out for long;
    /// then removes entries whose signal no longer exists. Returns the number of signals now indexed.
    /// </summary>
    public async Task<long> RebuildAsync(GitMeshDbContext db, Guid? workspaceId, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var workspace = workspaceId is { } ws ? Text(ws) : null;
            long processed = 0;
            long indexed = 0;
            string? after = null;
            while (true)
            {
                var ids = await NextBatchAsync(connection, db.Database.CurrentTransaction?.GetDbTransaction(), workspace, after, cancellationToken);
                if (ids.Count == 0)
                {
                    break;
                }

                indexed += await InTransactionAsync(db, (c, t) => WriteTextIdsAsync(c, t, ids, insert: true, cancellationToken), cancellationToken);
                processed += ids.Count;
                after = ids[^1];
                progress?.Report(processed);
            }

            await InTransactionAsync(db, async (c, t) =>
            {
                await using var orphans = Command(c, t,
                    """
                    DELETE FROM signals_fts WHERE rowid IN (
                        SELECT f.rowid FROM signals_fts AS f LEFT JOIN signals AS s ON s.id = f.signal_id
                        WHERE s.id IS NULL AND ($ws IS NULL OR f.workspace_id = $ws))
                    """);
                orphans.Parameters.AddWithValue("$ws", (object?)workspace ?? DBNull.Value);
                await orphans.ExecuteNonQueryAsync(cancellationToken);
                if (workspace is null)
                {
                    // Merges the b-tree segments the batches left behind into one: fewer segments, faster queries.
                    await using var optimize = Command(c, t, "INSERT INTO signals_fts (signals_fts) VALUES ('optimize')");
                    await optimize.ExecuteNonQueryAsync(cancellationToken);
                }

                return 0L;
            }, cancellationToken);
            return indexed;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public IQueryable<Guid> Matching(GitMeshDbContext db, Guid workspaceId, string query)
    {
        var parsed = WebSearchQuery.Parse(query);
        return parsed.IsEmpty
            ? SearchDocument.NoMatches(db)
            : db.Database.SqlQueryRaw<Guid>(MatchingSql, parsed.ToFts5(), Text(workspaceId));
    }

    public Task<IReadOnlyList<SearchHit>> SearchAsync(GitMeshDbContext db, Guid workspaceId, string query, int limit, int offset, CancellationToken cancellationToken) =>
        SearchAsync(db, workspaceId, query, limit, offset, SearchWindow.All, cancellationToken);

    public async Task<IReadOnlyList<SearchHit>> SearchAsync(GitMeshDbContext db, Guid workspaceId, string query, int limit, int offset, SearchWindow window, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var parsed = WebSearchQuery.Parse(query);
        if (parsed.IsEmpty || limit == 0 || window.Through <= window.After)
        {
            return [];
        }

        return await db.Database.SqlQueryRaw<SearchHit>(SearchSql, parsed.ToFts5(), Text(workspaceId), limit, offset, window.After, window.Through).ToListAsync(cancellationToken);
    }

    public async Task<long> LastPositionAsync(GitMeshDbContext db, Guid workspaceId, CancellationToken cancellationToken) =>
        // FTS5's content table keys its rows by the entry's rowid, so this is one b-tree descent (max(rowid) on the
        // virtual table itself would scan it).
        await db.Database.SqlQueryRaw<long>("""SELECT coalesce(max(id), 0) AS "Value" FROM signals_fts_content""").SingleAsync(cancellationToken);

    public async Task<long> WindowStartAsync(GitMeshDbContext db, Guid workspaceId, string query, long end, int matches, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(matches);
        var parsed = WebSearchQuery.Parse(query);
        if (parsed.IsEmpty || end <= 0)
        {
            return 0;
        }

        // The (matches + 1)-th newest match at or below end is just outside a window of exactly `matches` matches.
        var found = await db.Database.SqlQueryRaw<long>(WindowStartSql, parsed.ToFts5(), end, matches).ToListAsync(cancellationToken);
        return found.Count == 0 ? 0 : found[0];
    }

    public async Task<IReadOnlySet<Guid>?> MatchIdsAsync(GitMeshDbContext db, Guid workspaceId, string query, int atMost, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(atMost);
        var parsed = WebSearchQuery.Parse(query);
        if (parsed.IsEmpty)
        {
            return new HashSet<Guid>();
        }

        // Counting streams the doclists only (all workspaces: an upper bound), reading ids costs a content row each, so
        // a common word is turned away before any row is read.
        if (await db.Database.SqlQueryRaw<int>(CountSql, parsed.ToFts5(), atMost + 1).SingleAsync(cancellationToken) <= atMost)
        {
            var ids = await db.Database.SqlQueryRaw<Guid>(MatchIdsSql, parsed.ToFts5(), Text(workspaceId), atMost + 1).ToListAsync(cancellationToken);
            if (ids.Count <= atMost)
            {
                return ids.ToHashSet();
            }
        }

        return null;
    }

    public async Task<IReadOnlySet<Guid>> MatchingAmongAsync(GitMeshDbContext db, Guid workspaceId, string query, IReadOnlyCollection<Guid> signalIds, CancellationToken cancellationToken)
    {
        var parsed = WebSearchQuery.Parse(query);
        if (parsed.IsEmpty || signalIds.Count == 0)
        {
            return new HashSet<Guid>();
        }

        var ids = System.Text.Json.JsonSerializer.Serialize(signalIds.Select(Text));
        var matches = await db.Database.SqlQueryRaw<Guid>(MatchingAmongSql, parsed.ToFts5(), Text(workspaceId), ids).ToListAsync(cancellationToken);
        return matches.ToHashSet();
    }

    /// <summary>The TEXT form EF Core's SQLite provider stores for a Guid.</summary>
    internal static string Text(Guid id) => id.ToString("D").ToUpperInvariant();

    private static async Task<List<string>> NextBatchAsync(SqliteConnection connection, DbTransaction? transaction, string? workspace, string? after, CancellationToken cancellationToken)
    {
        await using var cmd = Command(connection, (SqliteTransaction?)transaction,
            $"""
            SELECT id FROM signals
            WHERE ($ws IS NULL OR workspace_id = $ws) AND ($after IS NULL OR id > $after)
            ORDER BY id LIMIT {RebuildBatchSize}
            """);
        cmd.Parameters.AddWithValue("$ws", (object?)workspace ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$after", (object?)after ?? DBNull.Value);
        var ids = new List<string>(RebuildBatchSize);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private static Task<long> WriteAsync(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyCollection<Guid> signalIds, bool insert, CancellationToken cancellationToken) =>
        WriteTextIdsAsync(connection, transaction, signalIds.Distinct().Select(Text).ToList(), insert, cancellationToken);

    /// <summary>
    /// Makes each signal's entry match the signals table: when <paramref name="insert"/>, an up-to-date entry is kept,
    /// otherwise it is deleted and re-inserted if the signal is live; without, entries are deleted. Returns the number
    /// of signals indexed afterwards.
    /// </summary>
    private static async Task<long> WriteTextIdsAsync(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<string> ids, bool insert, CancellationToken cancellationToken)
    {
        long indexed = 0;
        if (insert)
        {
            // Signals without any entry yet (new ones: nearly all during ingest and a first rebuild) go in with one
            // INSERT … SELECT per chunk instead of a look-up and an insert each.
            var (fresh, known) = await SplitByEntryAsync(connection, transaction, ids, cancellationToken);
            foreach (var chunk in fresh.Chunk(BulkChunk))
            {
                await using var bulk = Command(connection, transaction, InsertManySql);
                bulk.Parameters.AddWithValue("$ids", System.Text.Json.JsonSerializer.Serialize(chunk));
                indexed += await bulk.ExecuteNonQueryAsync(cancellationToken);
            }

            ids = known;
        }

        await using var find = Prepared(connection, transaction, insert ? FindEntrySql : FindRowSql, "$id");
        await using var delete = Prepared(connection, transaction, DeleteRowSql, "$rowid");
        await using var add = insert ? Prepared(connection, transaction, InsertSql, "$id") : null;
        var rowIds = new List<long>(2);
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            find.Parameters[0].Value = id;
            rowIds.Clear();
            var current = false;
            await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    rowIds.Add(reader.GetInt64(0));
                    current = insert && reader.GetInt64(1) == 1;
                }
            }

            if (current && rowIds.Count == 1)
            {
                indexed++;
                continue;
            }

            foreach (var rowId in rowIds)
            {
                delete.Parameters[0].Value = rowId;
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }

            if (add is not null)
            {
                add.Parameters[0].Value = id;
                indexed += await add.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        return indexed;
    }

    /// <summary>Ids with no entry in the index (<c>Fresh</c>) and ids with one or more (<c>Known</c>), order kept.</summary>
    private static async Task<(List<string> Fresh, List<string> Known)> SplitByEntryAsync(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var indexed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in ids.Chunk(BulkChunk))
        {
            await using var cmd = Command(connection, transaction, EntriesAmongSql);
            cmd.Parameters.AddWithValue("$ids", System.Text.Json.JsonSerializer.Serialize(chunk));
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                indexed.Add(reader.GetString(0));
            }
        }

        var fresh = new List<string>(ids.Count);
        var known = new List<string>(indexed.Count);
        foreach (var id in ids)
        {
            (indexed.Contains(id) ? known : fresh).Add(id);
        }

        return (fresh, known);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in the caller's transaction when there is one (the ingest pipeline indexes inside
    /// its batch transaction), otherwise in a new IMMEDIATE transaction: taking the write lock up front avoids the
    /// SQLITE_BUSY a deferred transaction gets when it has to upgrade from reading to writing.
    /// </summary>
    private static async Task<long> InTransactionAsync(GitMeshDbContext db, Func<SqliteConnection, SqliteTransaction, Task<long>> work, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is { } current)
        {
            return await work((SqliteConnection)db.Database.GetDbConnection(), (SqliteTransaction)current.GetDbTransaction());
        }

        await using IDbContextTransaction transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var result = await work((SqliteConnection)db.Database.GetDbConnection(), (SqliteTransaction)transaction.GetDbTransaction());
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = sql;
        return cmd;
    }

    private static SqliteCommand Prepared(SqliteConnection connection, SqliteTransaction transaction, string sql, string parameter)
    {
        var cmd = Command(connection, transaction, sql);
        cmd.Parameters.Add(new SqliteParameter { ParameterName = parameter });
        cmd.Prepare();
        return cmd;
    }
}
