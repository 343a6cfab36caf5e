using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace GitMesh.TestCommon;

/// <summary>
/// A real PostgreSQL for tests. The test script starts one and passes GITMESH_TEST_POSTGRES (an admin connection
/// string); without it, the first test that needs PostgreSQL starts a throw-away cluster with initdb + pg_ctl on a
/// free loopback port and stops it when the test process exits. Each test gets its own database.
/// </summary>
public static class PostgresServer
{
    public const string EnvironmentVariable = "GITMESH_TEST_POSTGRES";

    private static readonly Lazy<Task<string>> AdminConnection = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Task<string> GetAdminConnectionStringAsync() => AdminConnection.Value;

    public static async Task<string> CreateDatabaseAsync(string prefix = "t")
    {
        var admin = await GetAdminConnectionStringAsync();
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 33)];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await cmd.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true, MaxPoolSize = 50 }.ToString();
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        var admin = await GetAdminConnectionStringAsync();
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<string> StartAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            return given;
        }

        var bin = FindBinDirectory() ?? throw new InvalidOperationException(
            $"PostgreSQL binaries (initdb, pg_ctl) not found. Install PostgreSQL or set {EnvironmentVariable} to an admin connection string.");
        var dir = Directory.CreateTempSubdirectory("gitmesh-pg-").FullName;
        var port = FreePort();
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        if (runAs is not null)
        {
            await RunAsync("chown", $"-R {runAs} {dir}", null);
        }

        await RunAsync(Path.Combine(bin, "initdb"), $"-D {dir}/data -U postgres -A trust --no-sync -E UTF8", runAs);
        await RunAsync(Path.Combine(bin, "pg_ctl"),
            $"-D {dir}/data -l {dir}/log -w -o \"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" start",
            runAs);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                RunAsync(Path.Combine(bin, "pg_ctl"), $"-D {dir}/data -m immediate stop", runAs).GetAwaiter().GetResult();
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception)
            {
                // Best effort at exit: a leaked temp cluster is harmless.
            }
        };
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=30;Command Timeout=120";
    }

    private static string? FindBinDirectory()
    {
        var candidates = new List<string> { "/usr/local/bin", "/usr/bin" };
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.InsertRange(0, Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin")));
        }

        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, string arguments, string? runAs)
    {
        var psi = runAs is null
            ? new ProcessStartInfo(file, arguments)
            : new ProcessStartInfo("runuser", $"-u {runAs} -- {file} {arguments}");
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {await stdout} {await stderr}");
        }
    }
}
