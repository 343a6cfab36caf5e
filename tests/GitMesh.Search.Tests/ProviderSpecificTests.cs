using GitMesh.Data;
using GitMesh.Search.Postgres;
using GitMesh.Search.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace GitMesh.Search.Tests;

/// <summary>What each adapter relies on inside its database: the indexes that keep it fast, the table it writes.</summary>
public sealed class ProviderSpecificTests
{
    [Fact]
    public async Task Postgres_queries_use_the_gin_index()
    {
        await using var f = await SearchFixture.CreateAsync(DatabaseProvider.Postgres);
        await f.SeedCorpusAsync();
        await using var connection = new NpgsqlConnection(f.Database.Info.ConnectionString);
        await connection.OpenAsync();
        // Realistic statistics: a large workspace in which the searched word is rare, so the planner has a reason to
        // pick the full-text index over the workspace indexes.
        await using (var seed = new NpgsqlCommand(
            """
            INSERT INTO signals (id, workspace_id, source, kind, external_id, title, body_text, ingested_at, updated_at,
                                 classification_locked, triage_status, is_deleted, version)
            SELECT gen_random_uuid(), @ws, 'github', 'issue', 'bulk-' || g, 'Feature idea ' || g,
                   'Please add a setting for the dashboard number ' || g, now(), now(), false, 'New', false, 1
            FROM generate_series(1, 5000) AS g;
            """, connection))
        {
            seed.Parameters.AddWithValue("ws", f.WorkspaceId);
            await seed.ExecuteNonQueryAsync();
        }

        await using (var db = f.CreateContext())
        {
            await f.Index.RebuildAsync(db, null, null, CancellationToken.None);
        }

        // VACUUM flushes the GIN pending list the bulk insert filled (autovacuum does this in production).
        foreach (var sql in new[] { "VACUUM ANALYZE signals", "VACUUM ANALYZE signal_search", "SET enable_seqscan = off" })
        {
            await using var prepare = new NpgsqlCommand(sql, connection);
            await prepare.ExecuteNonQueryAsync();
        }

        // The adapter's own SQL, so a query the GIN index cannot serve fails here.
        foreach (var sql in new[] { PostgresSignalSearchIndex.MatchingSql, PostgresSignalSearchIndex.SearchSql })
        {
            await using var explain = new NpgsqlCommand("EXPLAIN " + string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, "@q", "@ws", "10", "0"), connection);
            explain.Parameters.AddWithValue("q", "\"crash\" -\"windows\"");
            explain.Parameters.AddWithValue("ws", f.WorkspaceId);
            var plan = new List<string>();
            await using var reader = await explain.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }

            string.Join("\n", plan).ShouldContain("ix_signal_search_document", customMessage: string.Join(" / ", plan));
        }
    }

    [Fact]
    public async Task Sqlite_finds_a_signals_index_row_through_the_content_index()
    {
        await using var f = await SearchFixture.CreateAsync(DatabaseProvider.Sqlite);
        await using var db = f.CreateContext();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + SqliteSignalSearchIndex.FindRowSql;
        var id = explain.CreateParameter();
        id.ParameterName = "$id";
        id.Value = "x";
        explain.Parameters.Add(id);
        var plan = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(3));
        }

        string.Join('\n', plan).ShouldContain("ix_signals_fts_content_signal_id");
    }

    [Fact]
    public async Task Sqlite_keeps_one_row_per_live_signal_and_stores_ids_as_ef_does()
    {
        await using var f = await SearchFixture.CreateAsync(DatabaseProvider.Sqlite);
        var signals = await f.SeedCorpusAsync();
        await f.IndexAsync([.. signals.Values.Select(s => s.Id)]);
        await f.UpdateAsync(signals["Login loop"].Id, s => s.IsDeleted = true);
        await f.IndexAsync([signals["Login loop"].Id]);

        await using var db = f.CreateContext();
        (await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM signals_fts").SingleAsync()).ShouldBe(SearchFixture.Corpus.Length - 1);
        var joined = await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM signals_fts JOIN signals ON signals.id = signals_fts.signal_id AND signals.workspace_id = signals_fts.workspace_id").SingleAsync();
        joined.ShouldBe(SearchFixture.Corpus.Length - 1);
    }

    [Fact]
    public async Task Sqlite_rebuild_drops_entries_of_signals_that_no_longer_exist()
    {
        await using var f = await SearchFixture.CreateAsync(DatabaseProvider.Sqlite);
        var signals = await f.SeedCorpusAsync();
        await using var db = f.CreateContext();
        await db.Signals.Where(s => s.Id == signals["Login loop"].Id).ExecuteDeleteAsync();

        (await f.Index.RebuildAsync(db, f.WorkspaceId, null, CancellationToken.None)).ShouldBe(SearchFixture.Corpus.Length - 1);

        (await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM signals_fts").SingleAsync()).ShouldBe(SearchFixture.Corpus.Length - 1);
    }

    [Fact]
    public async Task Sqlite_fts_table_has_the_columns_the_adapter_writes()
    {
        await using var f = await SearchFixture.CreateAsync(DatabaseProvider.Sqlite);
        await using var db = f.CreateContext();
        var columns = await db.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM pragma_table_info('signals_fts') ORDER BY cid").ToListAsync();
        columns.ShouldBe(["signal_id", "workspace_id", "title", "body"]);
    }

    [Fact]
    public async Task Indexing_joins_the_callers_transaction()
    {
        await using var f = await SearchFixture.CreateAsync(DatabaseProvider.Sqlite);
        var signal = await f.AddAsync("Keyboard shortcuts", "vim bindings", index: false);
        await using (var db = f.CreateContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await f.Index.IndexAsync(db, [signal.Id], CancellationToken.None);
            await transaction.RollbackAsync();
        }

        (await f.TitlesAsync("vim")).ShouldBeEmpty();
        await f.IndexAsync([signal.Id]);
        (await f.TitlesAsync("vim")).ShouldBe(["Keyboard shortcuts"]);
    }

    [Fact]
    public void The_body_cap_is_spelled_the_same_in_sql()
    {
        SearchDocument.MaxBodyLengthSql.ShouldBe(SearchDocument.MaxBodyLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
        PostgresSignalSearchIndex.Document.ShouldContain(SearchDocument.MaxBodyLengthSql);
        var migration = GitMesh.Data.Migrations.MigrationRunner.Load(DatabaseProvider.Postgres).Single(m => m.Version == "0004").Sql;
        migration.ShouldContain(PostgresSignalSearchIndex.Document.Replace("s.", "", StringComparison.Ordinal));
    }
}
