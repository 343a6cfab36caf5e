using System.Data.Common;
using GitMesh.Data;
using GitMesh.TestCommon;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Tests.Intelligence;

/// <summary>Migration 0008 describes exactly what the EF model maps for the learning tables (columns, types, nullability, indexes).</summary>
public sealed class IntelligenceSchemaTests
{
    [Theory, Providers]
    public async Task Migration_0008_matches_the_EF_model(DatabaseProvider provider)
    {
        await using var migrated = await TestDatabase.CreateAsync(provider);
        await using var modelOnly = await TestDatabase.CreateAsync(provider, migrate: false);
        await using (var context = modelOnly.CreateContext())
        {
            await context.Database.EnsureCreatedAsync();
        }

        foreach (var table in new[] { "workspace_models", "product_areas" })
        {
            var expected = await DescribeAsync(modelOnly, table);
            expected.ShouldNotBeEmpty(table);
            (await DescribeAsync(migrated, table)).ShouldBe(expected, table);
        }
    }

    private static async Task<List<string>> DescribeAsync(TestDatabase db, string table)
    {
        await using var context = db.CreateContext();
        var connection = context.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = db.Provider == DatabaseProvider.Postgres
            ? $"""
               SELECT 'col ' || column_name || ':' || data_type || ':' || coalesce(character_maximum_length::text, '') || ':' || is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{table}'
               UNION ALL SELECT 'idx ' || indexname || ':' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = '{table}'
               """
            : $"""
               SELECT 'col ' || name || ':' || type || ':' || "notnull" || ':' || pk FROM pragma_table_info('{table}')
               UNION ALL SELECT 'idx ' || name || ':' || "unique" FROM pragma_index_list('{table}') WHERE origin = 'c'
               UNION ALL SELECT 'fk ' || "table" || ':' || "from" || ':' || on_delete FROM pragma_foreign_key_list('{table}')
               """;
        var result = new List<string>();
        await using DbDataReader reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            result.Add(reader.GetString(0));
        }

        result.Sort(StringComparer.Ordinal);
        return result;
    }
}
