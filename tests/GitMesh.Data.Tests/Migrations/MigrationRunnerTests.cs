using System.Data.Common;
using GitMesh.Data;
using GitMesh.Data.Migrations;
using GitMesh.TestCommon;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitMesh.Data.Tests.Migrations;

public sealed class MigrationRunnerTests
{
    [Theory, Providers]
    public async Task Migrations_apply_from_empty_and_rerunning_is_a_no_op(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, migrate: false);
        var expected = MigrationRunner.Load(provider).Select(m => m.Version).ToList();
        expected.ShouldNotBeEmpty();

        var first = await db.MigrateAsync();
        first.Applied.ShouldBe(expected);
        first.AlreadyApplied.ShouldBe(0);

        var second = await db.MigrateAsync();
        second.Applied.ShouldBeEmpty();
        second.AlreadyApplied.ShouldBe(expected.Count);

        await using var context = db.CreateContext();
        (await context.Workspaces.CountAsync()).ShouldBe(0);
    }

    [Theory, Providers]
    public async Task Concurrent_runners_apply_each_migration_once(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, migrate: false);
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(db.MigrateAsync)));

        results.Sum(r => r.Applied.Count).ShouldBe(MigrationRunner.Load(provider).Count);
        await using var context = db.CreateContext();
        var connection = context.Database.GetDbConnection();
        await connection.OpenAsync();
        (await MigrationRunner.GetAppliedAsync(connection, CancellationToken.None)).Count.ShouldBe(MigrationRunner.Load(provider).Count);
    }

    [Theory, Providers]
    public async Task An_applied_migration_edited_afterwards_is_refused(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using (var context = db.CreateContext())
        {
            await context.Database.ExecuteSqlRawAsync("UPDATE __gitmesh_migrations SET checksum = 'tampered' WHERE version = '0001'");
        }

        var ex = await Should.ThrowAsync<InvalidOperationException>(db.MigrateAsync);
        ex.Message.ShouldContain("changed after it was applied");
    }

    /// <summary>
    /// The SQL migrations are the schema; the EF model must describe exactly that schema. A later migration that
    /// forgets a column (or a model change without a migration) fails here instead of in production.
    /// </summary>
    [Theory, Providers]
    public async Task Migrated_schema_matches_the_EF_model(DatabaseProvider provider)
    {
        await using var migrated = await TestDatabase.CreateAsync(provider);
        await using var modelOnly = await TestDatabase.CreateAsync(provider, migrate: false);
        await using (var context = modelOnly.CreateContext())
        {
            await context.Database.EnsureCreatedAsync();
        }

        var expected = await DescribeSchemaAsync(modelOnly);
        var actual = await DescribeSchemaAsync(migrated);
        actual.Remove("__gitmesh_migrations");
        if (provider == DatabaseProvider.Sqlite)
        {
            // The search index (migration 0004): an FTS5 virtual table, which EnsureCreated cannot build from any
            // EF mapping, and the shadow tables FTS5 creates for it. GitMesh.Search.Tests checks its columns.
            foreach (var fts in new[] { "signals_fts", "signals_fts_data", "signals_fts_idx", "signals_fts_content", "signals_fts_docsize", "signals_fts_config" })
            {
                actual.Remove(fts).ShouldBeTrue(fts);
            }
        }

        actual.Keys.Order().ShouldBe(expected.Keys.Order());
        foreach (var (table, columns) in expected)
        {
            actual[table].ShouldBe(columns, $"columns of {table}");
        }
    }

    private static async Task<Dictionary<string, List<string>>> DescribeSchemaAsync(TestDatabase db)
    {
        await using var context = db.CreateContext();
        var connection = context.Database.GetDbConnection();
        await connection.OpenAsync();
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = db.Provider == DatabaseProvider.Postgres
            ? "SELECT table_name, column_name || ':' || data_type || ':' || is_nullable FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name"
            : "SELECT m.name, p.name || ':' || p.type || ':' || p.\"notnull\" FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.name";
        await using DbDataReader reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var table = reader.GetString(0);
            if (!result.TryGetValue(table, out var list))
            {
                result[table] = list = [];
            }

            list.Add(reader.GetString(1));
        }

        return result;
    }
}
