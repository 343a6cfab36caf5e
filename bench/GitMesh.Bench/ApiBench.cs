using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using GitMesh.Data;
using GitMesh.Search;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace GitMesh.Bench;

/// <summary>
/// `bench api [--signals 1000000] [--provider sqlite|postgres] [--connection ADMIN_CONNSTRING] [--requests 200]
/// [--data DIR] [--sql-log FILE] [--keep] [--rebuild-index] [--reuse CONNSTRING]`: starts the real Api (src/Api/bin/Release/net10.0/GitMesh.Api.dll) as a
/// child process on a fresh database, seeds N signals (and up to N/50 clusters of skewed sizes) with batched raw
/// INSERTs (PostgreSQL: binary COPY), fills the search index in bulk (--rebuild-index: with the product's
/// RebuildAsync instead), ANALYZEs, then times the inbox and cluster list endpoints over HTTP,
/// sequentially, after warm-up. Build the Api first: <c>dotnet build -c Release src/Api</c>.
/// </summary>
/// <remarks>
/// Signal texts are real issue, Stack Overflow and Jira texts from ../shared/data (--data), recombined so that rows
/// differ; the searched words are picked from that corpus by document frequency (a common, a mid-frequency and a rare
/// word), so searches are not tuned to a synthetic vocabulary. PostgreSQL: --connection is an admin connection string
/// (or GITMESH_TEST_POSTGRES); the bench creates its own database. --sql-log writes the Api's SQL log (EF command
/// log) to FILE for EXPLAIN; --keep keeps the SQLite file / PostgreSQL database; --reuse CONNSTRING times a database a
/// kept run seeded (the Api applies newer migrations first) instead of seeding a new one. Besides wall-clock percentiles the
/// bench prints the Api process's CPU time per request, which is less sensitive to other load on the machine.
/// </remarks>
public sealed class ApiBench : IBenchmark
{
    private const int WarmUp = 20;
    private const string Email = "bench@example.test";
    private const string Password = "bench-password-123";

    private static readonly string[] Sources = ["github", "reddit", "stackoverflow", "x", "discord"];
    private static readonly string[] Intents = ["bug", "feature_request", "question", "complaint", "praise", "other"];
    private static readonly string[] Sentiments = ["negative", "neutral", "positive"];
    private static readonly string[] Urgencies = ["low", "medium", "high", "critical"];
    private static readonly string[] Statuses = ["New", "New", "New", "New", "Triaged", "Triaged", "Linked", "Dismissed", "Spam"];

    public string Name => "api";

    public string Description => "HTTP latency of the signal inbox and cluster list on a seeded database (--signals, --provider, --connection, --requests)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = int.Parse(BenchArgs.Arg(args, "--signals") ?? "1000000", CultureInfo.InvariantCulture);
        var requests = int.Parse(BenchArgs.Arg(args, "--requests") ?? "200", CultureInfo.InvariantCulture);
        var provider = (BenchArgs.Arg(args, "--provider") ?? "sqlite").Equals("postgres", StringComparison.OrdinalIgnoreCase) ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
        var apiDll = FindUp("src/Api/bin/Release/net10.0/GitMesh.Api.dll")
            ?? throw new InvalidOperationException("src/Api/bin/Release/net10.0/GitMesh.Api.dll not found: run `dotnet build -c Release src/Api` first.");

        var corpus = Corpus.Load(BenchArgs.Arg(args, "--data") ?? FindUpDirectory("shared/data")
            ?? throw new InvalidOperationException("../shared/data not found: pass --data DIR (the shared datasets folder)."));
        var sqlLog = BenchArgs.Arg(args, "--sql-log");
        var reuse = BenchArgs.Arg(args, "--reuse");
        var keep = args.Contains("--keep") || reuse is not null;
        var dataDirectory = Directory.CreateTempSubdirectory("gitmesh-apibench-").FullName;
        var connectionString = reuse ?? (provider == DatabaseProvider.Postgres
            ? await BenchArgs.CreatePostgresDatabaseAsync(BenchArgs.Arg(args, "--connection"), "apibench")
            : $"Data Source={Path.Combine(dataDirectory, "gitmesh.db")};Default Timeout=30");
        var database = new DatabaseInfo(provider, connectionString);
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        Console.WriteLine($"api bench: {count:N0} signals, {provider}, {requests} requests per query, Api on {baseAddress}, {Environment.ProcessorCount} cores");

        Console.WriteLine($"corpus: {corpus.Documents.Count:N0} texts; search words: common '{corpus.Common}', mid '{corpus.Mid}', rare '{corpus.Rare}', excluded '{corpus.Excluded}'");
        using var api = StartApi(apiDll, provider, connectionString, dataDirectory, baseAddress, sqlLog is not null);
        var apiLog = new StringBuilder();
        api.OutputDataReceived += (_, e) => { lock (apiLog) { apiLog.AppendLine(e.Data); } };
        api.ErrorDataReceived += (_, e) => { lock (apiLog) { apiLog.AppendLine(e.Data); } };
        api.BeginOutputReadLine();
        api.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };
            if (!await WaitReadyAsync(http, api, cancellationToken))
            {
                lock (apiLog)
                {
                    Console.Error.WriteLine("Api did not become ready; its output:\n" + apiLog);
                }

                return 1;
            }

            Guid workspaceId;
            double seedSeconds;
            double indexSeconds;
            int clusterCount;
            if (reuse is not null)
            {
                // A database an earlier run seeded and kept (--keep): the Api has applied any newer migrations.
                await using var db = DataServiceCollectionExtensions.CreateContext(database);
                workspaceId = await db.Workspaces.Select(w => w.Id).SingleAsync(cancellationToken);
                count = await db.Signals.CountAsync(cancellationToken);
                clusterCount = await db.Clusters.CountAsync(cancellationToken);
                (seedSeconds, indexSeconds) = (0, 0);
                Console.WriteLine($"reusing {count:N0} signals in {clusterCount:N0} clusters");
            }
            else
            {
                (workspaceId, clusterCount, seedSeconds, indexSeconds) = await SetUpAsync(http, database, count, corpus, args, cancellationToken);
            }

            var analyzeClock = Stopwatch.StartNew();
            // PostgreSQL: VACUUM too, as autovacuum would soon after a bulk load (index-only scans need the visibility map).
            await ExecuteAsync(database, provider == DatabaseProvider.Postgres ? "VACUUM (ANALYZE)" : "ANALYZE", cancellationToken);
            Console.WriteLine($"ANALYZE: {analyzeClock.Elapsed.TotalSeconds:N1} s");

            using var token = await http.PostAsJsonAsync("api/v1/auth/token", new { email = Email, password = Password }, cancellationToken);
            var tokenBody = await token.Content.ReadAsStringAsync(cancellationToken);
            if (!token.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"token failed: {(int)token.StatusCode} {tokenBody}");
                return 1;
            }

            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JsonDocument.Parse(tokenBody).RootElement.GetProperty("accessToken").GetString());

            var signals = $"api/v1/workspaces/{workspaceId}/signals";
            var filtered = $"{signals}?limit=50&source=github&intent=bug";
            var searchText = $"{corpus.Common} -{corpus.Excluded}";
            var searched = $"{signals}?limit=50&q={Uri.EscapeDataString(searchText)}&status=new";
            var clusters = $"api/v1/workspaces/{workspaceId}/clusters?sort=size&limit=50";

            var (searchedItems, cursor) = await PageAsync(http, searched, cancellationToken);
            if (cursor is null)
            {
                Console.Error.WriteLine($"the searched query returned no next cursor ({searchedItems} items); cannot measure page 2.");
                return 1;
            }

            var nextPage = $"{searched}&cursor={Uri.EscapeDataString(cursor)}";
            var relevance = $"{signals}?limit=50&q={Uri.EscapeDataString(corpus.Common)}&sort=relevance";
            var (_, relevanceCursor) = await PageAsync(http, relevance, cancellationToken);
            var queries = new[]
            {
                ("(a) filtered source=github&intent=bug", filtered),
                ($"(b) q='{searchText}'&status=new", searched),
                ("(c) (b) next page via cursor", nextPage),
                ($"(e) q='{corpus.Mid}' (mid-frequency word)", $"{signals}?limit=50&q={Uri.EscapeDataString(corpus.Mid)}"),
                ($"(f) q='{corpus.Rare}' (rare word)", $"{signals}?limit=50&q={Uri.EscapeDataString(corpus.Rare)}"),
                ($"(g) q='{corpus.Common}'&sort=relevance", relevance),
                ("(h) (g) next page via cursor", relevanceCursor is null ? relevance : $"{relevance}&cursor={Uri.EscapeDataString(relevanceCursor)}"),
                ("(d) clusters sort=size", clusters),
            };
            var firstCounts = new List<string>();
            foreach (var (name, path) in queries)
            {
                firstCounts.Add($"{name.Split(' ')[0]} {(await PageAsync(http, path, cancellationToken)).Items}");
            }

            Console.WriteLine($"first responses (items): {string.Join(", ", firstCounts)}");

            var results = new List<(string Name, string Path, double[] Latencies, double CpuMs)>();
            foreach (var (name, path) in queries)
            {
                api.Refresh();
                var cpuBefore = api.TotalProcessorTime;
                var latencies = await MeasureAsync(http, path, requests, cancellationToken);
                api.Refresh();
                results.Add((name, path, latencies, (api.TotalProcessorTime - cpuBefore).TotalMilliseconds / (requests + WarmUp)));
            }

            Console.WriteLine();
            Console.WriteLine($"provider:   {provider}");
            Console.WriteLine($"signals:    {count:N0} in {clusterCount:N0} clusters; seed {seedSeconds:N1} s, index {indexSeconds:N1} s");
            Console.WriteLine($"requests:   {requests} sequential per query after {WarmUp} warm-up");
            foreach (var (name, _, latencies, cpuMs) in results)
            {
                var p95 = Percentile(latencies, 0.95);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-48} p50 {Percentile(latencies, 0.50),7:F1} ms  p95 {p95,7:F1} ms  p99 {Percentile(latencies, 0.99),7:F1} ms  Api CPU {cpuMs,6:F1} ms/req  p95<100ms: {(p95 < 100 ? "yes" : "NO")}"));
            }

            return 0;
        }
        finally
        {
            if (!api.HasExited)
            {
                api.Kill(entireProcessTree: true);
                await api.WaitForExitAsync(CancellationToken.None);
            }

            Console.WriteLine($"Api process {api.Id} stopped");
            if (sqlLog is not null)
            {
                lock (apiLog)
                {
                    File.WriteAllText(sqlLog, apiLog.ToString());
                }

                Console.WriteLine($"Api log with SQL: {sqlLog}");
            }

            if (keep)
            {
                Console.WriteLine($"kept: {connectionString}");
            }
            else
            {
                try
                {
                    Directory.Delete(dataDirectory, recursive: true);
                }
                catch (IOException)
                {
                    Console.WriteLine($"could not delete {dataDirectory}");
                }
            }
        }
    }

    private static Process StartApi(string apiDll, DatabaseProvider provider, string connectionString, string dataDirectory, Uri baseAddress, bool logSql)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(apiDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(apiDll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
        info.Environment["Database__Provider"] = provider.ToString();
        info.Environment["Database__ConnectionString"] = connectionString;
        info.Environment["GitMesh__DataDirectory"] = dataDirectory;
        info.Environment["GitMesh__RunAllRolesInProcess"] = "false";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        if (logSql)
        {
            info.Environment["Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command"] = "Information";
            info.Environment["Logging__Console__FormatterName"] = "simple";
        }

        return Process.Start(info) ?? throw new InvalidOperationException("Could not start the Api.");
    }

    private static async Task<bool> WaitReadyAsync(HttpClient http, Process api, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(2) && !api.HasExited)
        {
            try
            {
                using var response = await http.GetAsync("readyz", ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Console.WriteLine($"Api ready after {clock.Elapsed.TotalSeconds:N1} s");
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250, ct);
        }

        return false;
    }

    private static async Task<(int Items, string? NextCursor)> PageAsync(HttpClient http, string path, CancellationToken ct)
    {
        using var response = await http.GetAsync(path, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {path} → {(int)response.StatusCode}: {body}");
        }

        var root = JsonDocument.Parse(body).RootElement;
        var next = root.TryGetProperty("nextCursor", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        return (root.GetProperty("items").GetArrayLength(), next);
    }

    private static async Task<double[]> MeasureAsync(HttpClient http, string path, int requests, CancellationToken ct)
    {
        for (var i = 0; i < WarmUp; i++)
        {
            await GetAsync(http, path, ct);
        }

        var latencies = new double[requests];
        for (var i = 0; i < requests; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await GetAsync(http, path, ct);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(latencies);
        return latencies;
    }

    private static async Task GetAsync(HttpClient http, string path, CancellationToken ct)
    {
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {path} → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        }
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>Clusters first (signals reference them), then signals in 5,000-row transactions of 200-row multi-row INSERTs.</summary>
    private static async Task<(Guid WorkspaceId, int Clusters, double SeedSeconds, double IndexSeconds)> SetUpAsync(
        HttpClient http, DatabaseInfo database, int count, Corpus corpus, string[] args, CancellationToken cancellationToken)
    {
        var provider = database.Provider;
        using var setup = await http.PostAsJsonAsync("api/v1/setup", new { email = Email, password = Password, workspace = "Bench" }, cancellationToken);
        var setupBody = await setup.Content.ReadAsStringAsync(cancellationToken);
        if (!setup.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"setup failed: {(int)setup.StatusCode} {setupBody}");
        }

        var workspaceId = JsonDocument.Parse(setupBody).RootElement.GetProperty("workspaceId").GetGuid();
        var seedClock = Stopwatch.StartNew();
        var clusterCount = await SeedAsync(database, workspaceId, count, corpus, cancellationToken);
        var seedSeconds = seedClock.Elapsed.TotalSeconds;
        Console.WriteLine($"seeded {count:N0} signals in {clusterCount:N0} clusters in {seedSeconds:N1} s ({count / seedSeconds:N0} rows/s)");

        var indexClock = Stopwatch.StartNew();
        double indexSeconds;
        long lastPrinted = 0;
        await using (var db = DataServiceCollectionExtensions.CreateContext(database))
        {
            var index = SearchServiceCollectionExtensions.Create(provider);
            var progress = new SyncProgress(done =>
            {
                if (done - lastPrinted >= 100_000 || done == count)
                {
                    lastPrinted = done;
                    Console.WriteLine($"  index: {done:N0}/{count:N0} ({indexClock.Elapsed.TotalSeconds:N1} s)");
                }
            });
            // --rebuild-index: the product's own rebuild, signal by signal (slow at a million signals).
            var indexed = args.Contains("--rebuild-index")
                ? await index.RebuildAsync(db, workspaceId, progress, cancellationToken)
                : await FillSearchIndexAsync(database, workspaceId, cancellationToken);
            indexSeconds = indexClock.Elapsed.TotalSeconds;
            Console.WriteLine($"search index: {indexed:N0} signals in {indexSeconds:N1} s");
        }

        return (workspaceId, clusterCount, seedSeconds, indexSeconds);
    }

    private static async Task<int> SeedAsync(DatabaseInfo database, Guid workspaceId, int count, Corpus corpus, CancellationToken ct)
    {
        var sqlite = database.Provider == DatabaseProvider.Sqlite;
        var rng = new Random(42);
        var now = DateTime.UtcNow;
        var clusterCount = Math.Max(1, Math.Min(20_000, count / 50));

        // Skewed cluster sizes (a few big, a long tail of small ones) and ingestion times spread over 90 days.
        var clusterOf = new int[count];
        var ingestedAt = new DateTime[count];
        var size = new int[clusterCount];
        var first = new DateTime[clusterCount];
        var last = new DateTime[clusterCount];
        Array.Fill(first, DateTime.MaxValue);
        for (var i = 0; i < count; i++)
        {
            var c = (int)(clusterCount * Math.Pow(rng.NextDouble(), 2.5));
            clusterOf[i] = c;
            ingestedAt[i] = now.AddSeconds(-rng.NextDouble() * 90 * 86_400);
            size[c]++;
            if (ingestedAt[i] < first[c])
            {
                first[c] = ingestedAt[i];
            }

            if (ingestedAt[i] > last[c])
            {
                last[c] = ingestedAt[i];
            }
        }

        var clusterIds = Enumerable.Range(0, clusterCount).Select(_ => Guid.CreateVersion7()).ToArray();
        await using var db = DataServiceCollectionExtensions.CreateContext(database);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        object Id(Guid id) => sqlite ? id.ToString().ToUpperInvariant() : id;
        object Time(DateTime t) => sqlite ? t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) : t;
        var ws = Id(workspaceId);

        var live = Enumerable.Range(0, clusterCount).Where(c => size[c] > 0).ToArray();
        foreach (var chunk in live.Chunk(5_000))
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            foreach (var statement in chunk.Chunk(200))
            {
                await using var cmd = connection.CreateCommand();
                cmd.Transaction = transaction;
                var sb = new StringBuilder("INSERT INTO clusters (id, workspace_id, title, size, platforms, first_seen_at, last_seen_at, created_at, updated_at, merged_into_id, version) VALUES ");
                for (var i = 0; i < statement.Length; i++)
                {
                    var c = statement[i];
                    sb.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $"(@id{i},@ws,@t{i},{size[c]},@p{i},@f{i},@l{i},@f{i},@l{i},NULL,1)");
                    Add(cmd, $"@id{i}", Id(clusterIds[c]));
                    Add(cmd, $"@t{i}", corpus.Documents[rng.Next(corpus.Documents.Count)].Title);
                    Add(cmd, $"@p{i}", size[c] > 3 ? "github,reddit,stackoverflow" : Pick(rng, Sources));
                    Add(cmd, $"@f{i}", Time(first[c]));
                    Add(cmd, $"@l{i}", Time(last[c]));
                }

                Add(cmd, "@ws", ws);
                cmd.CommandText = sb.ToString();
                await cmd.ExecuteNonQueryAsync(ct);
            }

            await transaction.CommitAsync(ct);
        }

        var falseLiteral = sqlite ? "0" : "false";
        var clock = Stopwatch.StartNew();
        var done = 0;
        // One command per statement size, built and prepared once: only parameter values change between statements.
        var commands = new Dictionary<int, DbCommand>();
        DbCommand CommandFor(int rows)
        {
            if (commands.TryGetValue(rows, out var cached))
            {
                return cached;
            }

            var cmd = connection.CreateCommand();
            var sb = new StringBuilder(
                "INSERT INTO signals (id, workspace_id, source, kind, external_id, url, title, body, body_text, source_created_at, ingested_at, updated_at, " +
                "content_hash, intent, intent_confidence, sentiment, sentiment_score, urgency, cluster_id, triage_status, classification_locked, is_deleted, version) VALUES ");
            for (var i = 0; i < rows; i++)
            {
                sb.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                    $"(@id{i},@ws,@s{i},'post',@x{i},@u{i},@t{i},@b{i},@b{i},@at{i},@at{i},@at{i},@x{i},@in{i},@ic{i},@se{i},@ss{i},@ur{i},@c{i},@st{i},{falseLiteral},{falseLiteral},1)");
                foreach (var name in SignalParameters)
                {
                    Add(cmd, $"@{name}{i}", DBNull.Value);
                }
            }

            Add(cmd, "@ws", ws);
            cmd.CommandText = sb.ToString();
            commands[rows] = cmd;
            return cmd;
        }

        if (!sqlite)
        {
            await CopySignalsAsync((NpgsqlConnection)connection, workspaceId, count, corpus, rng, ingestedAt, clusterOf, clusterIds, ct);
            return live.Length;
        }

        // The seeding connection only: a large page cache keeps the signals indexes in memory while they grow.
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA cache_size = -524288; PRAGMA synchronous = OFF";
            await pragma.ExecuteNonQueryAsync(ct);
        }

        try
        {
            foreach (var chunk in Enumerable.Range(0, count).Chunk(20_000))
            {
                await using var transaction = await connection.BeginTransactionAsync(ct);
                foreach (var statement in chunk.Chunk(200))
                {
                    var cmd = CommandFor(statement.Length);
                    cmd.Transaction = transaction;
                    for (var i = 0; i < statement.Length; i++)
                    {
                        var n = statement[i];
                        var source = Sources[rng.Next(Sources.Length)];
                        var (title, body) = corpus.Text(rng);
                        var p = cmd.Parameters;
                        var o = i * SignalParameters.Length;
                        p[o].Value = Id(Guid.CreateVersion7());
                        p[o + 1].Value = source;
                        p[o + 2].Value = $"bench-{n}";
                        p[o + 3].Value = $"https://example.test/{source}/{n}";
                        p[o + 4].Value = title;
                        p[o + 5].Value = body;
                        p[o + 6].Value = Time(ingestedAt[n]);
                        p[o + 7].Value = Intents[rng.Next(Intents.Length)];
                        p[o + 8].Value = Math.Round(0.4 + (rng.NextDouble() * 0.6), 3);
                        p[o + 9].Value = Sentiments[rng.Next(Sentiments.Length)];
                        p[o + 10].Value = Math.Round((rng.NextDouble() * 2) - 1, 3);
                        p[o + 11].Value = Urgencies[rng.Next(Urgencies.Length)];
                        p[o + 12].Value = Id(clusterIds[clusterOf[n]]);
                        p[o + 13].Value = Statuses[rng.Next(Statuses.Length)];
                    }

                    await cmd.ExecuteNonQueryAsync(ct);
                }

                await transaction.CommitAsync(ct);
                var before = done;
                done += chunk.Length;
                if (done / 100_000 != before / 100_000 || done == count)
                {
                    Console.WriteLine($"  seeded {done:N0}/{count:N0} ({done / clock.Elapsed.TotalSeconds:N0} rows/s)");
                }
            }

        }
        finally
        {
            foreach (var cmd in commands.Values)
            {
                await cmd.DisposeAsync();
            }
        }

        return live.Length;
    }

    /// <summary>PostgreSQL: one binary COPY of every signal, the fastest way in.</summary>
    private static async Task CopySignalsAsync(NpgsqlConnection connection, Guid workspaceId, int count, Corpus corpus, Random rng,
        DateTime[] ingestedAt, int[] clusterOf, Guid[] clusterIds, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY signals (id, workspace_id, source, kind, external_id, url, title, body, body_text, source_created_at, ingested_at, updated_at, " +
            "content_hash, intent, intent_confidence, sentiment, sentiment_score, urgency, cluster_id, triage_status, classification_locked, is_deleted, version) " +
            "FROM STDIN (FORMAT BINARY)", ct);
        // Completing a million-row COPY (index builds included) outlasts any ordinary command timeout on a busy machine.
        copy.Timeout = TimeSpan.FromHours(1);
        for (var n = 0; n < count; n++)
        {
            var source = Sources[rng.Next(Sources.Length)];
            var (title, body) = corpus.Text(rng);
            var at = DateTime.SpecifyKind(ingestedAt[n], DateTimeKind.Utc);
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlTypes.NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(workspaceId, NpgsqlTypes.NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(source, NpgsqlTypes.NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync("post", NpgsqlTypes.NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync($"bench-{n}", NpgsqlTypes.NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync($"https://example.test/{source}/{n}", NpgsqlTypes.NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(title, NpgsqlTypes.NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(body, NpgsqlTypes.NpgsqlDbType.Text, ct);
            await copy.WriteAsync(body, NpgsqlTypes.NpgsqlDbType.Text, ct);
            await copy.WriteAsync(at, NpgsqlTypes.NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(at, NpgsqlTypes.NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(at, NpgsqlTypes.NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync($"bench-{n}", NpgsqlTypes.NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(Intents[rng.Next(Intents.Length)], NpgsqlTypes.NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(Math.Round(0.4 + (rng.NextDouble() * 0.6), 3), NpgsqlTypes.NpgsqlDbType.Double, ct);
            await copy.WriteAsync(Sentiments[rng.Next(Sentiments.Length)], NpgsqlTypes.NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(Math.Round((rng.NextDouble() * 2) - 1, 3), NpgsqlTypes.NpgsqlDbType.Double, ct);
            await copy.WriteAsync(Urgencies[rng.Next(Urgencies.Length)], NpgsqlTypes.NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(clusterIds[clusterOf[n]], NpgsqlTypes.NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(Statuses[rng.Next(Statuses.Length)], NpgsqlTypes.NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(false, NpgsqlTypes.NpgsqlDbType.Boolean, ct);
            await copy.WriteAsync(false, NpgsqlTypes.NpgsqlDbType.Boolean, ct);
            await copy.WriteAsync(1, NpgsqlTypes.NpgsqlDbType.Integer, ct);
            if ((n + 1) % 100_000 == 0 || n + 1 == count)
            {
                Console.WriteLine($"  seeded {n + 1:N0}/{count:N0} ({(n + 1) / clock.Elapsed.TotalSeconds:N0} rows/s)");
            }
        }

        await copy.CompleteAsync(ct);
    }

    /// <summary>
    /// Fills the freshly created, empty search index with one INSERT … SELECT: the same documents the adapters write
    /// (SqliteSignalSearchIndex.InsertSql; PostgresSignalSearchIndex.Document and migration 0004), built in bulk instead
    /// of signal by signal. PostgreSQL builds the GIN index after the rows, which is several times faster.
    /// </summary>
    private static async Task<long> FillSearchIndexAsync(DatabaseInfo database, Guid workspaceId, CancellationToken ct)
    {
        await using var db = DataServiceCollectionExtensions.CreateContext(database);
        db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            await db.Database.ExecuteSqlRawAsync(
                """
                INSERT INTO signals_fts (signal_id, workspace_id, title, body)
                SELECT id, workspace_id, coalesce(title, ''), substr(coalesce(body_text, ''), 1, 100000)
                FROM signals WHERE workspace_id = {0} AND is_deleted = 0 ORDER BY id
                """, [workspaceId.ToString().ToUpperInvariant()], ct);
            await db.Database.ExecuteSqlRawAsync("INSERT INTO signals_fts (signals_fts) VALUES ('optimize')", ct);
            return await db.Database.SqlQueryRaw<long>("""SELECT count(*) AS "Value" FROM signals_fts""").SingleAsync(ct);
        }

        await db.Database.ExecuteSqlRawAsync("DROP INDEX ix_signal_search_document", ct);
        await db.Database.ExecuteSqlRawAsync(
            """
            INSERT INTO signal_search (signal_id, workspace_id, document)
            SELECT id, workspace_id, setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || setweight(to_tsvector('english'::regconfig, left(coalesce(body_text, ''), 100000)), 'B')
            FROM signals WHERE workspace_id = {0} AND NOT is_deleted
            """, [workspaceId], ct);
        await db.Database.ExecuteSqlRawAsync("CREATE INDEX ix_signal_search_document ON signal_search USING GIN (document)", ct);
        return await db.Database.SqlQueryRaw<long>("""SELECT count(*) AS "Value" FROM signal_search""").SingleAsync(ct);
    }

    private static readonly string[] SignalParameters = ["id", "s", "x", "u", "t", "b", "at", "in", "ic", "se", "ss", "ur", "c", "st"];

    private static string Pick(Random rng, string[] values) => values[rng.Next(values.Length)];

    private static async Task ExecuteAsync(DatabaseInfo database, string sql, CancellationToken ct)
    {
        await using var db = DataServiceCollectionExtensions.CreateContext(database);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.CommandTimeout = 3600;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string? FindUpDirectory(string relative)
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, relative)))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, relative));
            }
        }

        return null;
    }

    private static string? FindUp(string relative)
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        return null;
    }



    /// <summary>Reports on the calling thread, in order.</summary>
    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    /// <summary>
    /// Real texts (issue reports, Stack Overflow posts, Jira bug reports) and the search words picked from them by
    /// document frequency: common ≈ 10% of texts, mid ≈ 1%, rare ≈ 0.05%, and an excluded word ≈ 3%.
    /// </summary>
    private sealed class Corpus
    {
        private const int MaxBody = 2000;

        private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
        {
            "that", "this", "with", "from", "have", "when", "what", "which", "there", "their", "would", "should", "could", "been", "were", "will",
            "your", "they", "them", "then", "than", "also", "into", "only", "some", "just", "like", "does", "here", "about", "other", "more",
            "because", "these", "those", "after", "before", "where", "while", "each", "very", "being", "such", "using", "used", "make",
        };

        public required IReadOnlyList<(string Title, string Body)> Documents { get; init; }
        public required string Common { get; init; }
        public required string Mid { get; init; }
        public required string Rare { get; init; }
        public required string Excluded { get; init; }

        public static Corpus Load(string dataDirectory)
        {
            var docs = new List<(string Title, string Body)>();
            void AddFile(string relative, Func<IReadOnlyDictionary<string, string>, (string, string)> map)
            {
                var path = Path.Combine(dataDirectory, relative);
                if (File.Exists(path))
                {
                    // Titles are varchar(1000) on PostgreSQL; real ones are short.
                    docs.AddRange(GitMesh.Intelligence.Evaluation.CsvReader.ReadFile(path).Select(map)
                        .Select(d => (d.Item1.Length <= 300 ? d.Item1 : d.Item1[..300], d.Item2)).Where(d => d.Item1.Length > 0 || d.Item2.Length > 0));
                }
            }

            // PostgreSQL text cannot hold NUL; the ingest pipeline's normalisation drops it too.
            static string Cap(string value)
            {
                value = value.Replace("\0", "", StringComparison.Ordinal);
                return value.Length <= MaxBody ? value : value[..MaxBody];
            }

            static string FirstWords(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Take(12));
            AddFile("intent/train.csv", r => (Cap(r["title"]), Cap(r["body"])));
            AddFile("intent/dev.csv", r => (Cap(r["title"]), Cap(r["body"])));
            AddFile("duplicates/hadoop/items.csv", r => (Cap(r["title"]), Cap(r["body"])));
            AddFile("sentiment/stackoverflow_train.csv", r => (FirstWords(Cap(r["text"])), Cap(r["text"])));
            AddFile("sentiment/stackoverflow_test.csv", r => (FirstWords(Cap(r["text"])), Cap(r["text"])));
            if (docs.Count < 1000)
            {
                throw new InvalidOperationException($"Only {docs.Count} texts found under {dataDirectory}; expected the shared datasets (intent/, sentiment/, duplicates/).");
            }

            var frequency = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (title, body) in docs)
            {
                foreach (var word in Words(title + " " + body).Distinct(StringComparer.Ordinal))
                {
                    frequency[word] = frequency.GetValueOrDefault(word) + 1;
                }
            }

            string Pick(double share, string? not = null) => frequency
                .Where(w => w.Key != not && !StopWords.Contains(w.Key))
                .OrderBy(w => Math.Abs(w.Value - (share * docs.Count))).ThenBy(w => w.Key, StringComparer.Ordinal).First().Key;
            var common = Pick(0.10);
            return new Corpus { Documents = docs, Common = common, Mid = Pick(0.01), Rare = Pick(0.0005), Excluded = Pick(0.03, common) };
        }

        /// <summary>A real title and body; half the bodies get a sentence of another text appended so rows are not all copies.</summary>
        public (string Title, string Body) Text(Random rng)
        {
            var (title, body) = Documents[rng.Next(Documents.Count)];
            if (rng.Next(2) == 0)
            {
                var other = Documents[rng.Next(Documents.Count)].Body;
                var end = other.IndexOf(". ", StringComparison.Ordinal);
                body = body + "\n\n" + (end > 0 ? other[..(end + 1)] : other[..Math.Min(other.Length, 200)]);
            }

            return (title.Length > 0 ? title : body[..Math.Min(body.Length, 80)], body);
        }

        // Lower-case letter-only words of 4 to 12 letters: plain words both FTS5 (porter) and PostgreSQL (english) stem alike.
        private static IEnumerable<string> Words(string text) => text.ToLowerInvariant().Split(NonLetters, StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.Length is >= 4 and <= 12);

        private static readonly char[] NonLetters = Enumerable.Range(0, 128).Select(i => (char)i).Where(c => !char.IsAsciiLetter(c)).ToArray();
    }
}
