using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace GitMesh.Data;

/// <summary>
/// Per-connection SQLite settings. In WAL mode, synchronous=NORMAL is durable across application crashes (a
/// killed process loses nothing committed) and only a power loss can roll back the last transactions; FULL would
/// fsync on every commit and cost an order of magnitude in write throughput on the embedded profile.
/// </summary>
public static class SqliteConnectionSettings
{
    public const string Pragmas = "PRAGMA synchronous=NORMAL;";

    public static void Apply(DbConnection connection)
    {
        if (connection is SqliteConnection sqlite)
        {
            using var cmd = sqlite.CreateCommand();
            cmd.CommandText = Pragmas;
            cmd.ExecuteNonQuery();
        }
    }

    public static async Task ApplyAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (connection is SqliteConnection sqlite)
        {
            await using var cmd = sqlite.CreateCommand();
            cmd.CommandText = Pragmas;
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}

internal sealed class SqlitePragmaInterceptor : DbConnectionInterceptor
{
    public static readonly SqlitePragmaInterceptor Instance = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) =>
        SqliteConnectionSettings.Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default) =>
        SqliteConnectionSettings.ApplyAsync(connection, cancellationToken);
}
