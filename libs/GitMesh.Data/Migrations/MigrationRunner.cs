using System.Data;
using System.Data.Common;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace GitMesh.Data.Migrations;

/// <summary>One versioned SQL script, embedded as Migrations/{Provider}/{version}_{name}.sql.</summary>
public sealed record Migration(string Version, string Name, string Sql)
{
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));
}

public sealed record MigrationResult(IReadOnlyList<string> Applied, int AlreadyApplied);

/// <summary>
/// Applies the embedded SQL migrations in version order and records them in <c>__gitmesh_migrations</c>.
/// Two processes may run it at once: PostgreSQL serialises them with an advisory lock, SQLite with an
/// IMMEDIATE transaction (the database's single writer lock). The loser waits, then finds nothing to do.
/// An applied migration whose text changed is refused: old migrations are never edited, new ones are added.
/// </summary>
public sealed class MigrationRunner(ILogger<MigrationRunner> logger)
{
    private const string HistoryTable = "__gitmesh_migrations";

    // Any constant works; it only has to be the same for every GitMesh process sharing the database.
    private const long AdvisoryLockKey = 0x6769746d657368;

    public static IReadOnlyList<Migration> Load(DatabaseProvider provider)
    {
        var assembly = typeof(MigrationRunner).Assembly;
        var prefix = $"{assembly.GetName().Name}.Migrations.{provider}.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[prefix.Length..^4];
                var underscore = file.IndexOf('_', StringComparison.Ordinal);
                var version = underscore < 0 ? file : file[..underscore];
                var name = underscore < 0 ? file : file[(underscore + 1)..];
                return new Migration(version, name, ReadResource(assembly, n));
            })
            .OrderBy(m => m.Version, StringComparer.Ordinal)
            .ToList();
    }

    public async Task<MigrationResult> MigrateAsync(DatabaseProvider provider, string connectionString, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        var migrations = Load(provider);
        return provider switch
        {
            DatabaseProvider.Postgres => await MigratePostgresAsync(migrations, connectionString, lockTimeout, cancellationToken),
            _ => await MigrateSqliteAsync(migrations, connectionString, lockTimeout, cancellationToken),
        };
    }

    /// <summary>Versions recorded as applied, for readiness checks of processes that do not migrate themselves.</summary>
    public static async Task<IReadOnlySet<string>> GetAppliedAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var applied = new HashSet<string>(StringComparer.Ordinal);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT version FROM {HistoryTable}";
        try
        {
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetString(0));
            }
        }
        catch (DbException)
        {
            // No history table yet: nothing applied.
        }

        return applied;
    }

    private async Task<MigrationResult> MigratePostgresAsync(IReadOnlyList<Migration> migrations, string connectionString, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, $"SET lock_timeout = '{(int)lockTimeout.TotalMilliseconds}ms'", cancellationToken);

        // Session-level advisory lock: held across the per-migration transactions below, released on close.
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(lockTimeout);
            await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({AdvisoryLockKey})", timeout.Token);
        }

        try
        {
            await ExecuteAsync(connection, null,
                $"CREATE TABLE IF NOT EXISTS {HistoryTable} (version varchar(50) PRIMARY KEY, name varchar(200) NOT NULL, checksum varchar(64) NOT NULL, applied_at timestamptz NOT NULL)",
                cancellationToken);
            return await ApplyPendingAsync(connection, migrations, isolation: IsolationLevel.ReadCommitted, cancellationToken);
        }
        finally
        {
            await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    private async Task<MigrationResult> MigrateSqliteAsync(IReadOnlyList<Migration> migrations, string connectionString, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { DefaultTimeout = (int)lockTimeout.TotalSeconds };
        if (!string.IsNullOrEmpty(builder.DataSource) && builder.DataSource != ":memory:" && builder.Mode != SqliteOpenMode.Memory)
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
        }

        await using var connection = new SqliteConnection(builder.ToString());
        await connection.OpenAsync(cancellationToken);
        // WAL lets readers run beside the single writer; the setting is stored in the database file.
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL", cancellationToken);
        await ExecuteAsync(connection, null,
            $"CREATE TABLE IF NOT EXISTS {HistoryTable} (version TEXT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
            cancellationToken);
        return await ApplyPendingAsync(connection, migrations, IsolationLevel.Serializable, cancellationToken);
    }

    private async Task<MigrationResult> ApplyPendingAsync(DbConnection connection, IReadOnlyList<Migration> migrations, IsolationLevel isolation, CancellationToken cancellationToken)
    {
        var appliedNow = new List<string>();
        var already = 0;
        foreach (var migration in migrations)
        {
            // On SQLite, Serializable opens the transaction with BEGIN IMMEDIATE: it takes the write lock before
            // reading the history, so two processes cannot both decide a migration is pending.
            await using var transaction = await connection.BeginTransactionAsync(isolation, cancellationToken);
            var recorded = await GetChecksumAsync(connection, transaction, migration.Version, cancellationToken);
            if (recorded is not null)
            {
                if (!string.Equals(recorded, migration.Checksum, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException(
                        $"Migration {migration.Version}_{migration.Name} was changed after it was applied (checksum {recorded} in the database, {migration.Checksum} now). Add a new migration instead of editing an applied one.");
                }

                already++;
                await transaction.RollbackAsync(cancellationToken);
                continue;
            }

            logger.LogInformation("Applying migration {Version} {Name}", migration.Version, migration.Name);
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
            await using (var insert = connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = $"INSERT INTO {HistoryTable} (version, name, checksum, applied_at) VALUES (@v, @n, @c, @a)";
                AddParameter(insert, "@v", migration.Version);
                AddParameter(insert, "@n", migration.Name);
                AddParameter(insert, "@c", migration.Checksum);
                AddParameter(insert, "@a", connection is NpgsqlConnection ? DateTime.UtcNow : DateTime.UtcNow.ToString("O"));
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            appliedNow.Add(migration.Version);
        }

        return new MigrationResult(appliedNow, already);
    }

    private static async Task<string?> GetChecksumAsync(DbConnection connection, DbTransaction transaction, string version, CancellationToken cancellationToken)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = $"SELECT checksum FROM {HistoryTable} WHERE version = @v";
        AddParameter(cmd, "@v", version);
        return await cmd.ExecuteScalarAsync(cancellationToken) as string;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = sql;
        cmd.CommandTimeout = 0;
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddParameter(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
