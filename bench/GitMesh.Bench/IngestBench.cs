using System.Data.Common;
using System.Diagnostics;
using GitMesh.Connectors;
using GitMesh.Data;
using GitMesh.Domain.Signals;
using GitMesh.Domain.Workspaces;
using GitMesh.Hosting;
using GitMesh.Ingest;
using GitMesh.Ingest.Pipeline;
using GitMesh.Intelligence.Evaluation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace GitMesh.Bench;

/// <summary>
/// `bench ingest [--count 100000] [--provider sqlite|postgres] [--connection ADMIN_CONNSTRING] [--consumers 1]`:
/// N real texts through the full pipeline (queue → normalize → dedup/cluster → classify → persist → index), on a
/// fresh database, then — same run, same database — the same number of signal rows inserted with batched plain SQL.
/// </summary>
public sealed class IngestBench : IBenchmark
{
    public string Name => "ingest";

    public string Description => "end-to-end ingest throughput and latency vs raw batched INSERTs (--count, --provider, --connection)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = int.Parse(BenchArgs.Arg(args, "--count") ?? "100000", System.Globalization.CultureInfo.InvariantCulture);
        var provider = (BenchArgs.Arg(args, "--provider") ?? "sqlite").Equals("postgres", StringComparison.OrdinalIgnoreCase) ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
        var consumers = BenchArgs.Arg(args, "--consumers") ?? "1";
        var texts = LoadTexts();
        Console.WriteLine($"ingest bench: {count:N0} signals, {provider}, {texts.Count:N0} distinct source texts, {Environment.ProcessorCount} cores");

        var dataDirectory = Directory.CreateTempSubdirectory("gitmesh-bench-").FullName;
        var connection = provider == DatabaseProvider.Postgres ? await BenchArgs.CreatePostgresDatabaseAsync(BenchArgs.Arg(args, "--connection"), "bench") : null;
        var builder = Host.CreateApplicationBuilder([]);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GitMesh:DataDirectory"] = dataDirectory,
            ["Database:Provider"] = provider.ToString(),
            ["Database:ConnectionString"] = connection,
            ["Ingest:Consumers"] = consumers,
            ["Ingest:StatsLogInterval"] = "00:10:00",
        });
        builder.AddGitMeshDefaults(appliesMigrations: true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddGitMeshIngest(builder.Configuration, runConsumer: true);
        using var host = builder.Build();
        var startClock = Stopwatch.StartNew();
        await host.StartAsync(cancellationToken);
        // The clock starts once the consumer reports ready (models, corpus and text paths warmed up), as a load
        // balancer would wait for /readyz; the start-up time is printed on its own.
        var readiness = host.Services.GetRequiredService<ReadinessState>();
        while (!readiness.Components.TryGetValue(IngestConsumer.ComponentName, out var running) || !running)
        {
            await Task.Delay(50, cancellationToken);
        }

        var readySeconds = startClock.Elapsed.TotalSeconds;
        try
        {
            var database = host.Services.GetRequiredService<DatabaseInfo>();
            var workspaceId = await CreateWorkspaceAsync(database, "bench", cancellationToken);
            var sink = host.Services.GetRequiredService<ISignalSink>();
            var metrics = host.Services.GetRequiredService<IngestMetrics>();

            var envelopes = Enumerable.Range(0, count).Select(i => Envelope(i, texts)).ToList();
            var process = Process.GetCurrentProcess();
            var cpuStart = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            foreach (var chunk in envelopes.Chunk(1_000))
            {
                await sink.EnqueueAsync(workspaceId, null, chunk, cancellationToken);
            }

            var enqueueSeconds = clock.Elapsed.TotalSeconds;
            var lastReport = TimeSpan.Zero;
            // Second half of the run: the rate once JIT tiering and caches have settled (the whole run is reported too).
            (double Seconds, double Cpu, long Processed)? half = null;
            while (metrics.Processed + metrics.Failed < count)
            {
                await Task.Delay(50, cancellationToken);
                if (half is null && metrics.Processed >= count / 2)
                {
                    process.Refresh();
                    half = (clock.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpuStart).TotalSeconds, metrics.Processed);
                }

                if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(10))
                {
                    lastReport = clock.Elapsed;
                    Console.WriteLine($"  … {metrics.Processed:N0}/{count:N0} processed ({metrics.Processed / clock.Elapsed.TotalSeconds:N0}/s)");
                }
            }

            var seconds = clock.Elapsed.TotalSeconds;
            process.Refresh();
            var pipelineCpu = (process.TotalProcessorTime - cpuStart).TotalSeconds;
            var pipelineRate = count / seconds;
            await using (var db = DataServiceCollectionExtensions.CreateContext(database))
            {
                var stored = await db.Signals.CountAsync(s => s.WorkspaceId == workspaceId, cancellationToken);
                var clusters = await db.Clusters.CountAsync(c => c.WorkspaceId == workspaceId, cancellationToken);
                Console.WriteLine($"stored signals: {stored:N0} in {clusters:N0} clusters; failed messages: {metrics.Failed:N0}");
            }

            var rawWorkspace = await CreateWorkspaceAsync(database, "raw", cancellationToken);
            process.Refresh();
            var rawCpuStart = process.TotalProcessorTime;
            var rawSeconds = await RawInsertAsync(database, rawWorkspace, envelopes, cancellationToken);
            process.Refresh();
            var rawCpu = (process.TotalProcessorTime - rawCpuStart).TotalSeconds;
            var rawRate = count / rawSeconds;

            Console.WriteLine();
            Console.WriteLine("per-stage time, per signal (wall: per-item stages summed over threads; CPU: process CPU during batch stages —");
            Console.WriteLine("the next batch is prepared while one commits, so a commit stage's CPU includes some of that preparation):");
            foreach (var stage in metrics.Stages.Snapshot())
            {
                var cpu = stage.Cpu is { } c ? $"{c.TotalMilliseconds / count,8:N3} ms CPU" : "       — CPU";
                Console.WriteLine($"  {stage.Stage,-22} wall {stage.Total.TotalMilliseconds / count,8:N3} ms  {cpu}   ({stage.Total.TotalSeconds:N1} s wall over {stage.Calls:N0} timings)");
            }

            Console.WriteLine();
            Console.WriteLine($"provider:                      {provider}");
            Console.WriteLine($"enqueue (queue send):          {count / enqueueSeconds:N0} signals/s");
            Console.WriteLine($"host start → consumer ready:   {readySeconds:N1} s (not in the figures below)");
            Console.WriteLine($"end to end:                    {pipelineRate:N0} signals/s ({seconds:N1} s for {count:N0})");
            if (half is { } h && seconds > h.Seconds)
            {
                var n = metrics.Processed - h.Processed;
                Console.WriteLine($"second half of the run:        {n / (seconds - h.Seconds):N0} signals/s, {n / Math.Max(pipelineCpu - h.Cpu, 1e-9):N0} signals per CPU-second ({n:N0} signals)");
            }

            Console.WriteLine($"ingest→committed latency:      p50 {metrics.LatencyPercentile(0.50):N0} ms, p99 {metrics.LatencyPercentile(0.99):N0} ms");
            Console.WriteLine($"peak working set:              {Process.GetCurrentProcess().PeakWorkingSet64 / 1024 / 1024:N0} MiB");
            Console.WriteLine($"raw batched INSERT baseline:   {rawRate:N0} rows/s (same rows, same database)");
            Console.WriteLine($"pipeline / raw:                {pipelineRate / rawRate:P1}");
            // Process CPU (all threads, including the host's background work): less sensitive to other load on the machine.
            Console.WriteLine($"CPU time, pipeline:            {pipelineCpu:N1} s ({count / Math.Max(pipelineCpu, 1e-9):N0} signals per CPU-second)");
            Console.WriteLine($"CPU time, raw INSERT:          {rawCpu:N1} s ({count / Math.Max(rawCpu, 1e-9):N0} rows per CPU-second; client side only)");
            return 0;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private static SignalEnvelope Envelope(int i, IReadOnlyList<(string Title, string Body)> texts)
    {
        var (title, body) = texts[i % texts.Count];
        var round = i / texts.Count;
        var sources = new[] { SignalSources.GitHub, SignalSources.Reddit, SignalSources.StackOverflow, SignalSources.X, SignalSources.Discord };
        return new SignalEnvelope
        {
            Source = sources[i % sources.Length],
            Kind = "post",
            ExternalId = $"bench-{i}",
            Url = $"https://example.test/{i}",
            // Later rounds reuse texts with a small variation: realistic re-posts that the pipeline must cluster.
            Title = round == 0 ? title : $"{title} ({round})",
            Body = round == 0 ? body : $"{body}\n\nSeen again (report {round}).",
            Author = new SignalAuthor($"user{i % 5_000}"),
            CreatedAt = DateTimeOffset.UtcNow.AddSeconds(-i),
        };
    }

    /// <summary>Real texts: labelled GitHub issues, Stack Overflow posts and Hadoop Jira reports.</summary>
    private static List<(string Title, string Body)> LoadTexts()
    {
        var shared = FindUp("shared/data") ?? FindUp("../shared/data");
        var texts = new List<(string, string)>();
        void AddCsv(string path, string titleColumn, string bodyColumn)
        {
            if (File.Exists(path))
            {
                texts.AddRange(CsvReader.ReadFile(path).Select(r => (r.GetValueOrDefault(titleColumn) ?? string.Empty, r.GetValueOrDefault(bodyColumn) ?? string.Empty)));
            }
        }

        if (shared is not null)
        {
            AddCsv(Path.Combine(shared, "intent/train.csv"), "title", "body");
            AddCsv(Path.Combine(shared, "intent/dev.csv"), "title", "body");
            AddCsv(Path.Combine(shared, "duplicates/hadoop/items.csv"), "title", "body");
            AddCsv(Path.Combine(shared, "sentiment/stackoverflow_train.csv"), "label", "text");
        }

        if (texts.Count == 0)
        {
            AddCsv(FindUp("libs/GitMesh.Intelligence/TrainingData/intent/train.csv") ?? "", "title", "body");
        }

        return texts.Count > 0 ? texts : throw new InvalidOperationException("No texts found (../shared/data or libs/GitMesh.Intelligence/TrainingData).");
    }

    private static string? FindUp(string relative)
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (Directory.Exists(candidate) || File.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        return null;
    }

    private static async Task<Guid> CreateWorkspaceAsync(DatabaseInfo database, string name, CancellationToken ct)
    {
        await using var db = DataServiceCollectionExtensions.CreateContext(database);
        var now = DateTime.UtcNow;
        var workspace = new Workspace { Name = name, Slug = $"{name}-{Guid.NewGuid():N}", CreatedAt = now, UpdatedAt = now };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync(ct);
        return workspace.Id;
    }

    /// <summary>The same signal rows, inserted with multi-row INSERT statements in 1,000-row transactions.</summary>
    private static async Task<double> RawInsertAsync(DatabaseInfo database, Guid workspaceId, List<SignalEnvelope> envelopes, CancellationToken ct)
    {
        await using var db = DataServiceCollectionExtensions.CreateContext(database);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        var sqlite = database.Provider == DatabaseProvider.Sqlite;
        var clock = Stopwatch.StartNew();
        foreach (var chunk in envelopes.Chunk(1_000))
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            foreach (var statement in chunk.Chunk(100))
            {
                await using var cmd = connection.CreateCommand();
                cmd.Transaction = transaction;
                var sb = new System.Text.StringBuilder("INSERT INTO signals (id, workspace_id, source, kind, external_id, url, title, body, body_text, ingested_at, updated_at, content_hash, triage_status, classification_locked, is_deleted, version) VALUES ");
                for (var i = 0; i < statement.Length; i++)
                {
                    var e = statement[i];
                    sb.Append(i == 0 ? "" : ",").Append($"(@id{i},@ws{i},@s{i},@k{i},@x{i},@u{i},@t{i},@b{i},@bt{i},@at{i},@at{i},@h{i},'New',{(sqlite ? "0" : "false")},{(sqlite ? "0" : "false")},1)");
                    Add(cmd, $"@id{i}", sqlite ? Guid.CreateVersion7().ToString().ToUpperInvariant() : Guid.CreateVersion7());
                    Add(cmd, $"@ws{i}", sqlite ? workspaceId.ToString().ToUpperInvariant() : workspaceId);
                    Add(cmd, $"@s{i}", e.Source);
                    Add(cmd, $"@k{i}", e.Kind);
                    Add(cmd, $"@x{i}", e.ExternalId);
                    Add(cmd, $"@u{i}", e.Url!);
                    Add(cmd, $"@t{i}", (e.Title ?? string.Empty).Replace("\0", string.Empty, StringComparison.Ordinal));
                    // Without U+0000, as the pipeline stores it (PostgreSQL text cannot hold it).
                    var body = (e.Body ?? string.Empty).Replace("\0", string.Empty, StringComparison.Ordinal);
                    Add(cmd, $"@b{i}", body);
                    Add(cmd, $"@bt{i}", body);
                    Add(cmd, $"@at{i}", sqlite ? DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture) : DateTime.UtcNow);
                    Add(cmd, $"@h{i}", e.ExternalId);
                }

                cmd.CommandText = sb.ToString();
                await cmd.ExecuteNonQueryAsync(ct);
            }

            await transaction.CommitAsync(ct);
        }

        return clock.Elapsed.TotalSeconds;
    }

    private static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }


}
