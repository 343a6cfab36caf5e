namespace GitMesh.Data;

public enum DatabaseProvider
{
    Sqlite = 0,
    Postgres = 1,
}

/// <summary>Bound from the "Database" configuration section.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Connection string. For SQLite, empty means "{DataDirectory}/gitmesh.db".</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Seconds a process waits for another one's migration lock before giving up.</summary>
    public int MigrationLockTimeoutSeconds { get; set; } = 120;
}
