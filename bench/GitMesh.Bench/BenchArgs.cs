using Npgsql;

namespace GitMesh.Bench;

/// <summary>Command-line and database helpers shared by the benchmarks.</summary>
internal static class BenchArgs
{
    /// <summary>The value after <paramref name="name"/>, or null when the option is absent.</summary>
    public static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>Creates a fresh database named <paramref name="prefix"/>_{guid} through an admin connection; returns its connection string.</summary>
    public static async Task<string> CreatePostgresDatabaseAsync(string? adminConnection, string prefix)
    {
        adminConnection ??= Environment.GetEnvironmentVariable("GITMESH_TEST_POSTGRES")
            ?? throw new InvalidOperationException("--provider postgres needs --connection \"Host=...;Username=...;Database=postgres\" (an account that may CREATE DATABASE) or GITMESH_TEST_POSTGRES.");
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(adminConnection);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await cmd.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(adminConnection) { Database = name }.ToString();
    }
}
