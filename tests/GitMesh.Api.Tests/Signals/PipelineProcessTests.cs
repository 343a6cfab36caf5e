using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using GitMesh.Data;
using GitMesh.TestCommon;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Tests.Signals;

/// <summary>Crash safety and competing consumers with real processes.</summary>
public sealed partial class PipelineProcessTests
{
    [Fact]
    public async Task A_consumer_killed_mid_batch_loses_and_duplicates_nothing_once_restarted()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("gitmesh-crash-").FullName;
        var environment = new Dictionary<string, string>
        {
            ["GitMesh__DataDirectory"] = dataDirectory,
            ["Ingest__BatchSize"] = "100",
            ["Queue__VisibilityTimeout"] = "00:00:02",
        };
        const int total = 4_000;
        string token;
        Guid workspaceId;
        var first = HostProcess.Start("Api", environment);
        try
        {
            await first.WaitUntilReadyAsync();
            using var http = new HttpClient { BaseAddress = new Uri(first.BaseUrl) };
            var setup = await (await http.PostAsJsonAsync("/api/v1/setup", new { email = "admin@example.test", password = "a-long-password-1", workspace = "Crash" }))
                .Content.ReadFromJsonAsync<SetupResponseDto>();
            workspaceId = setup!.WorkspaceId;
            token = (await (await http.PostAsJsonAsync("/api/v1/auth/token", new { email = "admin@example.test", password = "a-long-password-1" }))
                .Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            foreach (var chunk in Enumerable.Range(0, total).Chunk(1_000))
            {
                var items = chunk.Select(i => { var (t, b) = SignalTexts.Make(i); return new { source = "github", kind = "issue", externalId = $"c-{i}", title = t, body = b }; });
                (await http.PostAsJsonAsync($"/api/v1/workspaces/{workspaceId}/signals/ingest", items)).EnsureSuccessStatusCode();
            }

            await TestWait.UntilAsync(async () => (await CountAsync(dataDirectory, workspaceId)) >= 200, "some batches committed");
        }
        finally
        {
            await first.KillAsync();
        }

        var atKill = await CountAsync(dataDirectory, workspaceId);
        atKill.ShouldBeLessThan(total, "the kill must land while work remains");

        await using var second = HostProcess.Start("Api", environment);
        await second.WaitUntilReadyAsync();
        await TestWait.UntilAsync(async () => (await CountAsync(dataDirectory, workspaceId)) >= total, "all signals after restart");
        using var http2 = new HttpClient { BaseAddress = new Uri(second.BaseUrl) };
        http2.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await TestWait.UntilAsync(async () =>
        {
            var stats = await http2.GetFromJsonAsync<IngestStatsDto>("/api/v1/ingest/stats");
            return stats!.QueueVisible == 0 && stats.QueueInFlight == 0;
        }, "queue drained");

        await using var db = SqliteContext(dataDirectory);
        (await db.Signals.CountAsync()).ShouldBe(total);
        (await db.Signals.Select(s => s.ExternalId).Distinct().CountAsync()).ShouldBe(total);
        (await db.Clusters.SumAsync(c => c.Size)).ShouldBe(total, "cluster sizes count each signal once");
        (await db.OutboxEvents.CountAsync(e => e.Type == "signalCreated")).ShouldBe(total, "one creation event per signal, none replayed");
        (await db.QueueMessages.CountAsync(m => m.DeadLetteredAt != null)).ShouldBe(0);
    }

    [Fact]
    public async Task Two_worker_processes_on_PostgreSQL_share_the_work_and_never_store_a_signal_twice()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, migrate: false);
        var common = new Dictionary<string, string>
        {
            ["Database__Provider"] = "Postgres",
            ["Database__ConnectionString"] = database.Info.ConnectionString,
            ["GitMesh__KeysDirectory"] = Directory.CreateTempSubdirectory("gitmesh-keys-").FullName,
            ["Ingest__BatchSize"] = "50",
            ["Ingest__StatsLogInterval"] = "00:00:00.500",
        };
        await using var api = HostProcess.Start("Api", new Dictionary<string, string>(common)
        {
            ["GitMesh__RunAllRolesInProcess"] = "false",
            ["GitMesh__DataDirectory"] = Directory.CreateTempSubdirectory("gitmesh-api-").FullName,
        });
        await api.WaitUntilReadyAsync();
        await using var worker1 = HostProcess.Start("Workers", new Dictionary<string, string>(common) { ["GitMesh__DataDirectory"] = Directory.CreateTempSubdirectory("gitmesh-w1-").FullName });
        await using var worker2 = HostProcess.Start("Workers", new Dictionary<string, string>(common) { ["GitMesh__DataDirectory"] = Directory.CreateTempSubdirectory("gitmesh-w2-").FullName });

        using var http = new HttpClient { BaseAddress = new Uri(api.BaseUrl) };
        var setup = await (await http.PostAsJsonAsync("/api/v1/setup", new { email = "admin@example.test", password = "a-long-password-1", workspace = "Scale" }))
            .Content.ReadFromJsonAsync<SetupResponseDto>();
        var token = (await (await http.PostAsJsonAsync("/api/v1/auth/token", new { email = "admin@example.test", password = "a-long-password-1" }))
            .Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        const int total = 3_000;
        foreach (var chunk in Enumerable.Range(0, total).Chunk(1_000))
        {
            // Every item twice in the same request: two consumers racing on the same key must still store one row.
            var items = chunk.SelectMany(i => { var (t, b) = SignalTexts.Make(i); var item = new { source = "github", kind = "issue", externalId = $"w-{i}", title = t, body = b }; return new[] { item, item }; }).ToList();
            foreach (var half in items.Chunk(1_000))
            {
                (await http.PostAsJsonAsync($"/api/v1/workspaces/{setup!.WorkspaceId}/signals/ingest", half)).EnsureSuccessStatusCode();
            }
        }

        await TestWait.UntilAsync(async () =>
        {
            var stats = await http.GetFromJsonAsync<IngestStatsDto>("/api/v1/ingest/stats");
            await using var db = database.CreateContext();
            return stats!.QueueVisible == 0 && stats.QueueInFlight == 0 && await db.Signals.CountAsync() >= total;
        }, "workers drained the queue");
        await Task.Delay(1_500); // let each worker log its counters once more

        await using (var db = database.CreateContext())
        {
            (await db.Signals.CountAsync()).ShouldBe(total);
            (await db.Clusters.SumAsync(c => c.Size)).ShouldBe(total);
            (await db.QueueMessages.CountAsync(m => m.DeadLetteredAt != null)).ShouldBe(0);
        }

        LastProcessed(worker1.Output).ShouldBeGreaterThan(0, worker1.Output);
        LastProcessed(worker2.Output).ShouldBeGreaterThan(0, worker2.Output);
        (LastProcessed(worker1.Output) + LastProcessed(worker2.Output)).ShouldBeGreaterThanOrEqualTo(total * 2);
    }

    private static long LastProcessed(string output) =>
        ProcessedCounter().Matches(output).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();

    private static async Task<int> CountAsync(string dataDirectory, Guid workspaceId)
    {
        await using var db = SqliteContext(dataDirectory);
        return await db.Signals.CountAsync(s => s.WorkspaceId == workspaceId);
    }

    private static GitMeshDbContext SqliteContext(string dataDirectory) =>
        DataServiceCollectionExtensions.CreateContext(new DatabaseInfo(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(dataDirectory, "gitmesh.db")};Default Timeout=30"));

    [GeneratedRegex(@"processed (\d+), failed")]
    private static partial Regex ProcessedCounter();
}

public sealed record IngestStatsDto(long QueueVisible, long QueueInFlight, long DeadLettered, double LagSeconds, long Processed, long Created, long Updated, long Unchanged, long Failed);
