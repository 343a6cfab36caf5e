using System.Diagnostics;
using GitMesh.Data;
using GitMesh.Data.Migrations;
using GitMesh.Domain.Workflows;
using GitMesh.Workflows;
using GitMesh.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitMesh.Bench;

/// <summary>
/// Durable workflow throughput: runs of N steps executed by one worker, against the same step function called
/// directly in a loop. Overhead per step = (durable time - direct time) / steps.
/// </summary>
public sealed class WorkflowsBench : IBenchmark
{
    public string Name => "workflows";

    public string Description => "durable workflow steps/s and per-step overhead vs direct calls [--provider sqlite|postgres --connection ... --runs 50 --steps 10]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var provider = Option(args, "--provider") == "postgres" ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
        var runs = int.Parse(Option(args, "--runs") ?? "50", System.Globalization.CultureInfo.InvariantCulture);
        var steps = int.Parse(Option(args, "--steps") ?? "10", System.Globalization.CultureInfo.InvariantCulture);
        string? tempDir = null;
        var connection = Option(args, "--connection");
        if (provider == DatabaseProvider.Sqlite && connection is null)
        {
            tempDir = Directory.CreateTempSubdirectory("gitmesh-bench-").FullName;
            connection = $"Data Source={Path.Combine(tempDir, "bench.db")}";
        }

        if (connection is null)
        {
            await Console.Error.WriteLineAsync("--connection is required for postgres");
            return 2;
        }

        var info = new DatabaseInfo(provider, connection);
        await new MigrationRunner(NullLogger<MigrationRunner>.Instance).MigrateAsync(provider, connection, TimeSpan.FromSeconds(60), cancellationToken);

        // Baseline: the same step body, called directly.
        var direct = Stopwatch.StartNew();
        long sink = 0;
        for (var r = 0; r < runs; r++)
        {
            for (var s = 0; s < steps; s++)
            {
                sink += await BenchWorkflow.StepBodyAsync(r, s);
            }
        }

        direct.Stop();

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(info);
        services.AddScoped<WorkspaceScope>();
        services.AddDbContext<GitMeshDbContext>(b => DataServiceCollectionExtensions.Configure(b, info));
        services.AddGitMeshWorkflows(new ConfigurationBuilder().Build());
        services.Configure<WorkflowOptions>(o =>
        {
            o.PollInterval = TimeSpan.FromMilliseconds(50);
            o.Concurrency = provider == DatabaseProvider.Sqlite ? 4 : 8;
        });
        services.AddWorkflow<BenchWorkflow>();
        services.AddWorkflowWorker();
        await using var sp = services.BuildServiceProvider();
        var batch = Guid.NewGuid().ToString("N")[..8];
        var durable = Stopwatch.StartNew();
        await using (var scope = sp.CreateAsyncScope())
        {
            var client = scope.ServiceProvider.GetRequiredService<IWorkflowClient>();
            for (var r = 0; r < runs; r++)
            {
                await client.StartAsync<BenchWorkflow, BenchInput>($"bench:{batch}:{r}", new BenchInput(r, steps), cancellationToken: cancellationToken);
            }
        }

        var worker = sp.GetServices<IHostedService>().OfType<WorkflowWorker>().Single();
        await worker.StartAsync(cancellationToken);
        while (true)
        {
            await using var scope = sp.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
            var done = await db.WorkflowRuns.CountAsync(x => x.WorkflowId.StartsWith($"bench:{batch}:") && x.Status == WorkflowRunStatus.Completed, cancellationToken);
            if (done == runs)
            {
                break;
            }

            await Task.Delay(20, cancellationToken);
        }

        durable.Stop();
        await worker.StopAsync(CancellationToken.None);

        var total = runs * steps;
        var overheadMs = (durable.Elapsed.TotalMilliseconds - direct.Elapsed.TotalMilliseconds) / total;
        Console.WriteLine($"workflows  provider={provider} runs={runs} steps/run={steps} total steps={total} (checksum {sink})");
        Console.WriteLine($"  direct calls   {direct.Elapsed.TotalMilliseconds,10:0.0} ms   {total / direct.Elapsed.TotalSeconds,12:0} steps/s");
        Console.WriteLine($"  durable runs   {durable.Elapsed.TotalMilliseconds,10:0.0} ms   {total / durable.Elapsed.TotalSeconds,12:0} steps/s   ({runs / durable.Elapsed.TotalSeconds:0.0} runs/s, start to last completion)");
        Console.WriteLine($"  overhead/step  {overheadMs,10:0.000} ms   (2 lease-fenced transactions per step: mark running, record result)");
        if (tempDir is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(tempDir, recursive: true);
        }

        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}

public sealed record BenchInput(int Run, int Steps);

public sealed class BenchWorkflow : IWorkflow<BenchInput, long>
{
    public static Task<long> StepBodyAsync(int run, int step) => Task.FromResult((long)((run * 31) + step));

    public async Task<long> RunAsync(WorkflowContext context, BenchInput input)
    {
        long sum = 0;
        for (var s = 0; s < input.Steps; s++)
        {
            var step = s;
            sum += await context.StepAsync($"step-{step}", _ => StepBodyAsync(input.Run, step));
        }

        return sum;
    }
}
