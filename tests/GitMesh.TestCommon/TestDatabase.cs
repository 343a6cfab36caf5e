using GitMesh.Data;
using GitMesh.Data.Migrations;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitMesh.TestCommon;

/// <summary>An empty database of either provider, dropped on dispose.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _sqliteDirectory;

    private TestDatabase(DatabaseInfo info, string? sqliteDirectory)
    {
        Info = info;
        _sqliteDirectory = sqliteDirectory;
    }

    public DatabaseInfo Info { get; }

    public DatabaseProvider Provider => Info.Provider;

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider, bool migrate = true)
    {
        TestDatabase db;
        if (provider == DatabaseProvider.Postgres)
        {
            db = new TestDatabase(new DatabaseInfo(provider, await PostgresServer.CreateDatabaseAsync()), null);
        }
        else
        {
            var dir = Directory.CreateTempSubdirectory("gitmesh-sqlite-").FullName;
            db = new TestDatabase(new DatabaseInfo(provider, $"Data Source={Path.Combine(dir, "gitmesh.db")};Default Timeout=30"), dir);
        }

        if (migrate)
        {
            await db.MigrateAsync();
        }

        return db;
    }

    public Task<MigrationResult> MigrateAsync() =>
        new MigrationRunner(NullLogger<MigrationRunner>.Instance).MigrateAsync(Info.Provider, Info.ConnectionString, TimeSpan.FromSeconds(60), CancellationToken.None);

    public GitMeshDbContext CreateContext(WorkspaceScope? scope = null) => DataServiceCollectionExtensions.CreateContext(Info, scope);

    public async ValueTask DisposeAsync()
    {
        if (Info.Provider == DatabaseProvider.Postgres)
        {
            await PostgresServer.DropDatabaseAsync(Info.ConnectionString);
        }
        else if (_sqliteDirectory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_sqliteDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a pooled connection on another thread; the temp folder is cleaned later.
            }
        }
    }
}
