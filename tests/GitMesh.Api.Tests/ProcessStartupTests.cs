using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GitMesh.Data;
using GitMesh.TestCommon;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Tests;

/// <summary>Real Api processes (the built GitMesh.Api.dll), not the in-memory test server.</summary>
public sealed class ProcessStartupTests
{
    [Fact]
    public async Task Two_Api_processes_starting_at_once_on_one_PostgreSQL_database_both_come_up()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, migrate: false);
        var starts = Enumerable.Range(0, 2).Select(_ => StartApi(database.Info.ConnectionString)).ToList();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            foreach (var (process, port, output) in starts)
            {
                (await WaitForStatusAsync(http, $"http://127.0.0.1:{port}/readyz", process, output)).ShouldBe(HttpStatusCode.OK, output.ToString());
            }

            await using var context = database.CreateContext();
            var connection = context.Database.GetDbConnection();
            await connection.OpenAsync();
            (await Data.Migrations.MigrationRunner.GetAppliedAsync(connection, CancellationToken.None)).Count
                .ShouldBe(Data.Migrations.MigrationRunner.Load(DatabaseProvider.Postgres).Count);
        }
        finally
        {
            foreach (var (process, _, _) in starts)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                process.Dispose();
            }
        }
    }

    private static (Process Process, int Port, System.Text.StringBuilder Output) StartApi(string connectionString)
    {
        var port = FreePort();
        var dll = Path.Combine(AppContext.BaseDirectory, "GitMesh.Api.dll");
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" --urls http://127.0.0.1:{port}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        psi.Environment["Database__Provider"] = "Postgres";
        psi.Environment["Database__ConnectionString"] = connectionString;
        psi.Environment["GitMesh__DataDirectory"] = Directory.CreateTempSubdirectory("gitmesh-proc-").FullName;
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var output = new System.Text.StringBuilder();
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, port, output);
    }

    private static async Task<HttpStatusCode?> WaitForStatusAsync(HttpClient http, string url, Process process, System.Text.StringBuilder output)
    {
        // Bounded wait for a process to boot; this is a liveness deadline, not a performance assertion.
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                var response = await http.GetAsync(url);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return response.StatusCode;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // A slow first answer while the process is still warming up (e.g. a busy CI machine): ask again.
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"Api process did not become ready (exited: {process.HasExited}). Output:\n{output}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
