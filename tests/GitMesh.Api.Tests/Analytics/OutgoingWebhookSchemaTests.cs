using System.Data.Common;
using GitMesh.Data;
using GitMesh.TestCommon;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Tests.Analytics;

/// <summary>Migration 0009 creates exactly the columns the EF model describes for its tables (the full check lives in GitMesh.Data.Tests).</summary>
public sealed class OutgoingWebhookSchemaTests
{
    [Theory, Providers]
    public async Task Migration_0009_matches_the_EF_model(DatabaseProvider provider)
    {
        await using var migrated = await TestDatabase.CreateAsync(provider);
        await using var modelOnly = await TestDatabase.CreateAsync(provider, migrate: false);
        await using (var context = modelOnly.CreateContext())
        {
            await context.Database.EnsureCreatedAsync();
        }

        foreach (var table in new[] { "outgoing_webhooks", "outgoing_webhook_deliveries" })
        {
            var expected = await DescribeAsync(modelOnly, table);
            expected.ShouldNotBeEmpty();
            (await DescribeAsync(migrated, table)).ShouldBe(expected, $"columns of {table}");
            (await IndexesAsync(migrated, table)).ShouldBe(await IndexesAsync(modelOnly, table), ignoreOrder: true, $"indexes of {table}");
        }
    }

    private static Task<List<string>> DescribeAsync(TestDatabase db, string table) => QueryAsync(db, db.Provider == DatabaseProvider.Postgres
        ? $"SELECT column_name || ':' || data_type || ':' || is_nullable || ':' || coalesce(character_maximum_length, 0) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{table}' ORDER BY column_name"
        : $"SELECT p.name || ':' || p.type || ':' || p.\"notnull\" FROM pragma_table_info('{table}') p ORDER BY p.name");

    private static Task<List<string>> IndexesAsync(TestDatabase db, string table) => QueryAsync(db, db.Provider == DatabaseProvider.Postgres
        ? $"SELECT indexname FROM pg_indexes WHERE tablename = '{table}'"
        : $"SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '{table}' AND name NOT LIKE 'sqlite_%'");

    private static async Task<List<string>> QueryAsync(TestDatabase db, string sql)
    {
        await using var context = db.CreateContext();
        var connection = context.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        var result = new List<string>();
        await using DbDataReader reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            result.Add(reader.GetString(0));
        }

        return result;
    }
}
