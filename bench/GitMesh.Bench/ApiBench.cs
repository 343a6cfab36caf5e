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
/// `bench api [--signals 1000000] [--provider sqlite|postgres] [--connection ADMIN_CONNSTRING] [--requests 200]`:
/// starts the real Api (src/Api/bin/Release/net10.0/GitMesh.Api.dll) as a child process on a fresh database, seeds N
/// signals (and ~N/50 clusters) with batched raw INSERTs, rebuilds the search index, ANALYZEs, then times the inbox and
/// cluster list endpoints over HTTP, sequentially, after warm-up. Build the Api first:
/// <c>dotnet build -c Release src/Api</c>.
/// </summary>
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

    private static readonly string[] Subjects =
    [
        "the sync job", "the login page", "the API client", "the dashboard", "the webhook handler", "the CLI", "the mobile app",
        "the export", "the search box", "the billing page", "the importer", "the scheduler", "the GitHub integration", "the Slack bot",
        "the docs site", "the settings page", "the notification service", "the upload dialog", "the report builder", "the auth flow",
    ];

    private static readonly string[] Problems =
    [
        "crashes with an error", "hangs until a timeout", "returns a 500 error", "is very slow", "shows a blank screen", "loses data",
        "fails to authenticate", "leaks memory", "throws a null reference exception", "ignores the config", "duplicates entries",
        "renders incorrectly", "logs a permission error", "drops the connection", "never finishes", "works great",
    ];

    private static readonly string[] Contexts =
    [
        "after upgrading to v2", "on Windows", "when the network is flaky", "with large files", "since yesterday", "in dark mode",
        "behind a proxy", "on first run", "with SSO enabled", "under load", "on Linux", "in the nightly build", "with many users",
    ];

    private static readonly string[] Extras =
    [
        "Would love a way to configure this.", "Is there a workaround?", "Thanks for the great tool!", "Steps to reproduce are below.",
        "Logs attached.", "This blocks our release.", "Any ETA on a fix?", "Same as the other report.", "It worked in the previous version.",
        "Please add an option for retries.", "We see this on every deploy.", "Happy to help test a fix.", "Could this be a regression?",
    ];

    private static readonly string[] Tech =
    [
        "postgres", "redis", "docker", "kubernetes", "oauth", "csv", "json", "yaml", "rust", "python", "node", "ios", "android", "firefox",
        "chrome", "safari", "linux", "macos", "token", "cache", "queue", "cron", "graphql", "grpc", "s3", "azure", "gcp", "nginx", "ssl",
        "dns", "websocket", "pagination", "markdown", "unicode", "timezone", "locale", "proxy", "certificate", "sqlite", "terraform",
    ];

    public string Name => "api";

    public string Description => "HTTP latency of the signal inbox and cluster list on a seeded database (--signals, --provider, --connection, --requests)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = int.Parse(Arg(args, "--signals") ?? "1000000", CultureInfo.InvariantCulture);
        var requests = int.Parse(Arg(args, "--requests") ?? "200", CultureInfo.InvariantCulture);
        var provider = (Arg(args, "--provider") ?? "sqlite").Equals("postgres", StringComparison.OrdinalIgnoreCase) ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
        var apiDll = FindUp("src/Api/bin/Release/net10.0/GitMesh.Api.dll")
            ?? throw new InvalidOperationException("src/Api/bin/Release/net10.0/GitMesh.Api.dll not found: run `dotnet build -c Release src/Api` first.");

        var dataDirectory = Directory.CreateTempSubdirectory("gitmesh-apibench-").FullName;
        var connectionString = provider == DatabaseProvider.Postgres
            ? await CreatePostgresDatabaseAsync(Arg(args, "--connection"))
            : $"Data Source={Path.Combine(dataDirectory, "gitmesh.db")};Default Timeout=30";
        var database = new DatabaseInfo(provider, connectionString);
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        Console.WriteLine($"api bench: {count:N0} signals, {provider}, {requests} requests per query, Api on {baseAddress}, {Environment.ProcessorCount} cores");

        using var api = StartApi(apiDll, provider, connectionString, dataDirectory, baseAddress);
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

            using var setup = await http.PostAsJsonAsync("api/v1/setup", new { email = Email, password = Password, workspace = "Bench" }, cancellationToken);
            var setupBody = await setup.Content.ReadAsStringAsync(cancellationToken);
            if (!setup.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"setup failed: {(int)setup.StatusCode} {setupBody}");
                return 1;
            }

            var workspaceId = JsonDocument.Parse(setupBody).RootElement.GetProperty("workspaceId").GetGuid();

            var seedClock = Stopwatch.StartNew();
            var clusterCount = await SeedAsync(database, workspaceId, count, cancellationToken);
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
                var indexed = await index.RebuildAsync(db, workspaceId, progress, cancellationToken);
                indexSeconds = indexClock.Elapsed.TotalSeconds;
                Console.WriteLine($"search index: {indexed:N0} signals in {indexSeconds:N1} s");
            }

            var analyzeClock = Stopwatch.StartNew();
            await ExecuteAsync(database, "ANALYZE", cancellationToken);
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
            var searched = $"{signals}?limit=50&q={Uri.EscapeDataString("error -timeout")}&status=new";
            var clusters = $"api/v1/workspaces/{workspaceId}/clusters?sort=size&limit=50";

            var (searchedItems, cursor) = await PageAsync(http, searched, cancellationToken);
            var (filteredItems, _) = await PageAsync(http, filtered, cancellationToken);
            var (clusterItems, _) = await PageAsync(http, clusters, cancellationToken);
            if (cursor is null)
            {
                Console.Error.WriteLine($"the searched query returned no next cursor ({searchedItems} items); cannot measure page 2.");
                return 1;
            }

            var nextPage = $"{searched}&cursor={Uri.EscapeDataString(cursor)}";
            var (nextItems, _) = await PageAsync(http, nextPage, cancellationToken);
            Console.WriteLine($"first responses: filtered {filteredItems} items, searched {searchedItems}, next page {nextItems}, clusters {clusterItems}");

            var results = new List<(string Name, string Path, double[] Latencies)>();
            foreach (var (name, path) in new[]
                     {
                         ("(a) filtered source=github&intent=bug", filtered),
                         ("(b) q='error -timeout'&status=new", searched),
                         ("(c) (b) next page via cursor", nextPage),
                         ("(d) clusters sort=size", clusters),
                     })
            {
                results.Add((name, path, await MeasureAsync(http, path, requests, cancellationToken)));
            }

            Console.WriteLine();
            Console.WriteLine($"provider:   {provider}");
            Console.WriteLine($"signals:    {count:N0} in {clusterCount:N0} clusters; seed {seedSeconds:N1} s, index {indexSeconds:N1} s");
            Console.WriteLine($"requests:   {requests} sequential per query after {WarmUp} warm-up");
            foreach (var (name, _, latencies) in results)
            {
                var p95 = Percentile(latencies, 0.95);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-40} p50 {Percentile(latencies, 0.50),7:F1} ms  p95 {p95,7:F1} ms  p99 {Percentile(latencies, 0.99),7:F1} ms  p95<100ms: {(p95 < 100 ? "yes" : "NO")}"));
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

    private static Process StartApi(string apiDll, DatabaseProvider provider, string connectionString, string dataDirectory, Uri baseAddress)
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
    private static async Task<int> SeedAsync(DatabaseInfo database, Guid workspaceId, int count, CancellationToken ct)
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
                    Add(cmd, $"@t{i}", Capitalize($"{Pick(rng, Subjects)} {Pick(rng, Problems)} {Pick(rng, Contexts)}"));
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

        try
        {
            foreach (var chunk in Enumerable.Range(0, count).Chunk(5_000))
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
                        var (title, body) = Text(rng);
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

    private static readonly string[] SignalParameters = ["id", "s", "x", "u", "t", "b", "at", "in", "ic", "se", "ss", "ur", "c", "st"];

    private static (string Title, string Body) Text(Random rng)
    {
        var subject = Pick(rng, Subjects);
        var title = Capitalize($"{subject} {Pick(rng, Problems)} {Pick(rng, Contexts)} ({Pick(rng, Tech)}, {Pick(rng, Tech)})");
        var sb = new StringBuilder();
        var sentences = 2 + rng.Next(4);
        for (var i = 0; i < sentences; i++)
        {
            sb.Append(Capitalize(i == 0 ? subject : Pick(rng, Subjects))).Append(' ').Append(Pick(rng, Problems)).Append(' ').Append(Pick(rng, Contexts))
                .Append(" using ").Append(Pick(rng, Tech)).Append(" and ").Append(Pick(rng, Tech)).Append(". ");
            if (rng.Next(2) == 0)
            {
                sb.Append(Pick(rng, Extras)).Append(' ');
            }
        }

        return (title, sb.ToString().TrimEnd());
    }

    private static string Pick(Random rng, string[] values) => values[rng.Next(values.Length)];

    private static string Capitalize(string value) => value.Length == 0 ? value : char.ToUpperInvariant(value[0]) + value[1..];

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

    private static async Task<string> CreatePostgresDatabaseAsync(string? adminConnection)
    {
        adminConnection ??= Environment.GetEnvironmentVariable("GITMESH_TEST_POSTGRES")
            ?? throw new InvalidOperationException("--provider postgres needs --connection \"Host=...;Username=...;Database=postgres\" (an account that may CREATE DATABASE) or GITMESH_TEST_POSTGRES.");
        var name = $"apibench_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(adminConnection);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await cmd.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(adminConnection) { Database = name }.ToString();
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>Reports on the calling thread, in order.</summary>
    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
