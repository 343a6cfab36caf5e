using System.Diagnostics;
using GitMesh.Data;
using GitMesh.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GitMesh.Workflows.Tests.Support;

public sealed record CrashInput(string LogFile, string BlockFile);

/// <summary>
/// Writes every real step execution to a file. Step "two" blocks while <see cref="CrashInput.BlockFile"/> exists, so a
/// test can kill the worker process while the step is in flight.
/// </summary>
public sealed class CrashableWorkflow : IWorkflow<CrashInput, string>
{
    public async Task<string> RunAsync(WorkflowContext context, CrashInput input)
    {
        await context.StepAsync("one", async ctx => await AppendAsync(input.LogFile, $"one|{ctx.IdempotencyKey}|{ctx.Attempt}|{Environment.ProcessId}"));
        await context.StepAsync("two", async ctx =>
        {
            await AppendAsync(input.LogFile, $"two|{ctx.IdempotencyKey}|{ctx.Attempt}|{Environment.ProcessId}");
            while (File.Exists(input.BlockFile))
            {
                await Task.Delay(20, ctx.CancellationToken);
            }
        });
        await context.StepAsync("three", async ctx => await AppendAsync(input.LogFile, $"three|{ctx.IdempotencyKey}|{ctx.Attempt}|{Environment.ProcessId}"));
        return "done";
    }

    private static async Task AppendAsync(string file, string line)
    {
        await using var stream = new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        await using var writer = new StreamWriter(stream);
        await writer.WriteLineAsync(line);
    }
}

public sealed record EffectInput(int Index);

/// <summary>One side effect per run, recorded in table test_effects with the executing process id.</summary>
public sealed class EffectWorkflow(GitMeshDbContext db) : IWorkflow<EffectInput, int>
{
    public async Task<int> RunAsync(WorkflowContext context, EffectInput input)
    {
        await context.StepAsync("effect", async ctx =>
        {
            await Task.Delay(5, ctx.CancellationToken);
            await db.Database.ExecuteSqlRawAsync("INSERT INTO test_effects (run_id, pid) VALUES ({0}, {1})",
                [ctx.RunId.ToString(), Environment.ProcessId], ctx.CancellationToken);
        });
        return input.Index;
    }
}

/// <summary>
/// Entry point when the test assembly runs as a worker process:
/// <c>dotnet GitMesh.Workflows.Tests.dll worker {sqlite|postgres} {connection string} {lease ms}</c>.
/// Prints "ready" once the worker is polling; runs until killed or its stdin closes.
/// </summary>
public static class WorkerProcessProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length < 4 || args[0] != "worker")
        {
            await Console.Error.WriteLineAsync("usage: worker {sqlite|postgres} {connection} {leaseMs}");
            return 2;
        }

        var provider = args[1] == "postgres" ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
        var info = new DatabaseInfo(provider, args[2]);
        var lease = TimeSpan.FromMilliseconds(int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
        var services = WorkflowTestHost.CreateServices(info, TimeProvider.System, o =>
        {
            o.LeaseDuration = lease;
            o.HeartbeatInterval = lease / 4;
            o.PollInterval = TimeSpan.FromMilliseconds(20);
            o.Concurrency = 16;
        });
        services.AddWorkflow<CrashableWorkflow>();
        services.AddWorkflow<EffectWorkflow>();
        services.AddWorkflowWorker();
        await using var provider2 = services.BuildServiceProvider();
        var worker = provider2.GetServices<IHostedService>().OfType<WorkflowWorker>().Single();
        await worker.StartAsync(CancellationToken.None);
        Console.WriteLine($"ready {Environment.ProcessId}");
        // Until the parent closes our stdin (or kills us).
        await Console.In.ReadToEndAsync();
        await worker.StopAsync(CancellationToken.None);
        return 0;
    }
}

/// <summary>Starts this test assembly as a separate worker process.</summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;

    private WorkerProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public static async Task<WorkerProcess> StartAsync(DatabaseInfo info, TimeSpan lease)
    {
        var dll = typeof(WorkerProcessProgram).Assembly.Location;
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var psi = new ProcessStartInfo(dotnet)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("worker");
        psi.ArgumentList.Add(info.Provider == DatabaseProvider.Postgres ? "postgres" : "sqlite");
        psi.ArgumentList.Add(info.ConnectionString);
        psi.ArgumentList.Add(((int)lease.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var process = Process.Start(psi)!;
        _ = process.StandardError.ReadToEndAsync();
        using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(ready.Token)
                ?? throw new InvalidOperationException($"Worker process exited before it was ready (exit code {(process.HasExited ? process.ExitCode : -1)}).");
            if (line.StartsWith("ready", StringComparison.Ordinal))
            {
                break;
            }
        }

        _ = process.StandardOutput.ReadToEndAsync();
        return new WorkerProcess(process);
    }

    /// <summary>A crash: no shutdown code runs, leases are left to expire.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }
}
