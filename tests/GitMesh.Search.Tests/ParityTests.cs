using GitMesh.Data;

namespace GitMesh.Search.Tests;

/// <summary>The same queries over the same data give the same signals on SQLite and PostgreSQL.</summary>
public sealed class ParityTests
{
    public static readonly string[] Queries =
    [
        "crash", "crashing", "\"crash on startup\"", "crash startup", "crash -windows", "dark or login",
        "installer windows or dark", "crash -\"crash on startup\" -linux", "exporting pdf", "-windows", "the crash",
        "Windows 11", "\"windows server\" 2022", "redirects", "redirecting login", "sso", "macos", "(crash", "title:crash",
        "crash*", "NEAR(crash startup)", "'; DROP TABLE signals; --", "\"\"", "🙂 crash", "Ünïcödé crash", "server-2022",
    ];

    [Fact]
    public async Task Sqlite_and_postgres_agree_on_every_query()
    {
        await using var sqlite = await SearchFixture.CreateAsync(DatabaseProvider.Sqlite);
        await using var postgres = await SearchFixture.CreateAsync(DatabaseProvider.Postgres);
        await sqlite.SeedCorpusAsync();
        await postgres.SeedCorpusAsync();

        var differences = new List<string>();
        foreach (var query in Queries)
        {
            var s = await sqlite.TitlesAsync(query);
            var p = await postgres.TitlesAsync(query);
            if (!s.SequenceEqual(p))
            {
                differences.Add($"{query}: sqlite [{string.Join(", ", s)}] postgres [{string.Join(", ", p)}]");
            }
        }

        differences.ShouldBeEmpty();
    }
}
