using System.Net;
using System.Net.Http.Json;
using GitMesh.Data;
using GitMesh.Domain.Signals;
using GitMesh.Ingest;
using GitMesh.Messaging;
using GitMesh.Search;
using GitMesh.TestCommon;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GitMesh.Api.Tests.Signals;

public sealed class IngestPipelineTests
{
    [Theory, Providers]
    public async Task Ten_thousand_signals_through_the_API_land_exactly_once_replay_changes_nothing_and_edits_update(DatabaseProvider provider)
    {
        await using var factory = await ApiFactory.CreateAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        using var client = factory.CreateClient(tenant.Token);
        const int total = 10_000;
        var items = Enumerable.Range(0, total).Select(i =>
        {
            var (title, body) = SignalTexts.Make(i);
            return new { source = i % 3 == 0 ? "reddit" : "github", kind = "issue", externalId = $"ext-{i}", url = $"https://example.test/{i}", title, body, author = new { username = $"user{i % 250}" }, createdAt = DateTime.UtcNow.AddMinutes(-i) };
        }).ToList();

        foreach (var chunk in items.Chunk(1_000))
        {
            var response = await client.PostAsJsonAsync($"/api/v1/workspaces/{tenant.WorkspaceId}/signals/ingest", chunk);
            response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
            (await response.Content.ReadFromJsonAsync<IngestResult>())!.Accepted.ShouldBe(1_000);
        }

        await WaitForIdleQueueAsync(factory, () => CountAsync(factory, tenant.WorkspaceId), total);
        await using (var db = factory.Database.CreateContext())
        {
            (await db.Signals.CountAsync(s => s.WorkspaceId == tenant.WorkspaceId)).ShouldBe(total);
            (await db.Signals.Where(s => s.WorkspaceId == tenant.WorkspaceId).Select(s => s.ExternalId).Distinct().CountAsync()).ShouldBe(total);
            (await db.Clusters.Where(c => c.WorkspaceId == tenant.WorkspaceId).SumAsync(c => c.Size)).ShouldBe(total);
            (await db.Signals.CountAsync(s => s.WorkspaceId == tenant.WorkspaceId && s.Intent == null)).ShouldBe(0);
            (await db.Authors.CountAsync(a => a.WorkspaceId == tenant.WorkspaceId)).ShouldBe(250 + 250, "one author per (source, username)");
            var search = factory.Services.GetRequiredService<ISignalSearchIndex>();
            (await search.Matching(db, tenant.WorkspaceId, "zebra").CountAsync()).ShouldBe(total);
        }

        var before = await SnapshotAsync(factory, tenant.WorkspaceId);
        var outboxBefore = await OutboxCountAsync(factory, tenant.WorkspaceId);
        foreach (var chunk in items.Chunk(1_000))
        {
            (await client.PostAsJsonAsync($"/api/v1/workspaces/{tenant.WorkspaceId}/signals/ingest", chunk)).EnsureSuccessStatusCode();
        }

        var metrics = factory.Services.GetRequiredService<Ingest.Pipeline.IngestMetrics>();
        await WaitForIdleQueueAsync(factory, () => Task.FromResult(metrics.Unchanged >= total ? total : 0), total);
        (await SnapshotAsync(factory, tenant.WorkspaceId)).ShouldBe(before, "a replay changes nothing");
        (await OutboxCountAsync(factory, tenant.WorkspaceId)).ShouldBe(outboxBefore);

        var edited = items[42] with { body = "Completely rewritten: the export button does nothing in Safari." };
        (await client.PostAsJsonAsync($"/api/v1/workspaces/{tenant.WorkspaceId}/signals/ingest", new[] { edited })).EnsureSuccessStatusCode();
        await TestWait.UntilAsync(async () =>
        {
            await using var db = factory.Database.CreateContext();
            return await db.Signals.AnyAsync(s => s.ExternalId == "ext-42" && s.Version == 2);
        }, "edit applied");
        await using (var db = factory.Database.CreateContext())
        {
            var signal = await db.Signals.SingleAsync(s => s.WorkspaceId == tenant.WorkspaceId && s.ExternalId == "ext-42");
            signal.BodyText.ShouldBe("Completely rewritten: the export button does nothing in Safari.");
            (await db.Signals.CountAsync(s => s.WorkspaceId == tenant.WorkspaceId)).ShouldBe(total);
            var search = factory.Services.GetRequiredService<ISignalSearchIndex>();
            (await search.Matching(db, tenant.WorkspaceId, "safari").ToListAsync()).ShouldBe([signal.Id]);
        }
    }

    [Theory, Providers]
    public async Task Bad_items_are_rejected_with_reasons_and_good_ones_in_the_same_request_still_accepted(DatabaseProvider provider)
    {
        await using var factory = await ApiFactory.CreateAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        using var client = factory.CreateClient(tenant.Token);
        var body = """
            [
              {"source":"github","kind":"issue","externalId":"ok-1","title":"Valid one","body":"text"},
              {"source":"github","kind":"issue","title":"no id"},
              {"source":"github","kind":"issue","externalId":"x","title":"t","colour":"blue"},
              42,
              {"source":"github","kind":"issue","externalId":"ok-2","title":"Valid two","url":"https://example.test/2"}
            ]
            """;
        var response = await client.PostAsync($"/api/v1/workspaces/{tenant.WorkspaceId}/signals/ingest", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var result = await response.Content.ReadFromJsonAsync<IngestResult>();
        result!.Accepted.ShouldBe(2);
        result.Rejected.Select(r => r.Index).ShouldBe([1, 2, 3]);
        result.Rejected[0].Error.ShouldContain("externalId");
        result.Rejected[1].Error.ShouldContain("colour");

        var notArray = await client.PostAsJsonAsync($"/api/v1/workspaces/{tenant.WorkspaceId}/signals/ingest", new { source = "github" });
        await SetupAndAuthTests.AssertProblemAsync(notArray, HttpStatusCode.BadRequest, "JSON array");

        var viewerKey = await (await client.PostAsJsonAsync($"/api/v1/workspaces/{tenant.WorkspaceId}/api-keys", new { name = "ro", role = "viewer" })).Content.ReadFromJsonAsync<CreatedKeyDto>();
        using var viewer = factory.CreateClient(viewerKey!.Key);
        (await viewer.PostAsync($"/api/v1/workspaces/{tenant.WorkspaceId}/signals/ingest", new StringContent("[]", System.Text.Encoding.UTF8, "application/json")))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        await WaitForIdleQueueAsync(factory, () => CountAsync(factory, tenant.WorkspaceId), 2);
    }

    [Theory, Providers]
    public async Task Near_duplicates_across_sources_share_a_cluster_and_unrelated_texts_do_not(DatabaseProvider provider)
    {
        await using var factory = await ApiFactory.CreateAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        using var client = factory.CreateClient(tenant.Token);
        const string original = "The Android app crashes every time I open the settings screen after updating to version 4.2. I tap the gear icon, the screen flashes white and the app closes. Reinstalling did not help and clearing the cache did not help either.";
        var items = new object[]
        {
            new { source = "github", kind = "issue", externalId = "gh-1", title = "Android app crashes when opening settings", body = original },
            new { source = "reddit", kind = "post", externalId = "rd-1", title = "Android app crashes when opening settings!", body = original.Replace("did not help either", "didn't help either", StringComparison.Ordinal).Replace("gear icon", "gear", StringComparison.Ordinal) + " Anyone else?" },
            new { source = "x", kind = "post", externalId = "x-1", title = "Please add a dark theme", body = "Would love a dark theme for the web dashboard, my eyes hurt at night. Any plans for this feature?" },
        };
        (await client.PostAsJsonAsync($"/api/v1/workspaces/{tenant.WorkspaceId}/signals/ingest", items)).EnsureSuccessStatusCode();
        await WaitForIdleQueueAsync(factory, () => CountAsync(factory, tenant.WorkspaceId), 3);

        await using var db = factory.Database.CreateContext();
        var byId = await db.Signals.Where(s => s.WorkspaceId == tenant.WorkspaceId).ToDictionaryAsync(s => s.ExternalId);
        byId["rd-1"].ClusterId.ShouldBe(byId["gh-1"].ClusterId);
        byId["x-1"].ClusterId.ShouldNotBe(byId["gh-1"].ClusterId);
        var cluster = await db.Clusters.SingleAsync(c => c.Id == byId["gh-1"].ClusterId);
        cluster.Size.ShouldBe(2);
        cluster.Platforms.ShouldBe("github,reddit");
        // Model quality is measured by the evaluation commands; here every signal just has to be classified.
        byId.Values.ShouldAllBe(s => s.Intent != null && s.Sentiment != null && s.Urgency != null && s.IntentConfidence > 0);
    }

    [Theory, Providers]
    public async Task A_poison_message_is_retried_then_dead_lettered_without_blocking_the_rest_and_can_be_redriven(DatabaseProvider provider)
    {
        await using var factory = await ApiFactory.CreateAsync(provider, new Dictionary<string, string?>
        {
            ["Queue:MaxReceives"] = "2",
            ["Queue:BaseBackoff"] = "00:00:00.050",
            ["Queue:MaxBackoff"] = "00:00:00.200",
        });
        var owner = await factory.CreateTenantAsync();
        var queue = factory.Services.GetRequiredService<IMessageQueue>();
        var messages = Enumerable.Range(0, 5)
            .Select(i => new IngestMessage(owner.WorkspaceId, null, new SignalEnvelope { Source = "github", Kind = "issue", ExternalId = $"good-{i}", Title = SignalTexts.Make(i).Title, Body = SignalTexts.Make(i).Body }, DateTime.UtcNow).Serialize())
            .ToList();
        // A workspace that does not exist: the insert violates its foreign key, every time.
        messages.Insert(2, new IngestMessage(Guid.NewGuid(), null, new SignalEnvelope { Source = "github", Kind = "issue", ExternalId = "poison", Title = "poison", Body = "poison" }, DateTime.UtcNow).Serialize());
        await queue.SendBatchAsync(QueueNames.Ingest, messages, CancellationToken.None);

        await TestWait.UntilAsync(async () => (await queue.GetStatsAsync(QueueNames.Ingest, CancellationToken.None)).DeadLettered == 1, "poison dead-lettered");
        (await CountAsync(factory, owner.WorkspaceId)).ShouldBe(5);
        var dead = (await queue.ListDeadLettersAsync(QueueNames.Ingest, 10, CancellationToken.None)).ShouldHaveSingleItem();
        dead.Body.ShouldContain("poison");
        dead.ReceiveCount.ShouldBe(2);
        dead.LastError.ShouldNotBeNullOrEmpty();

        var (_, adminToken) = (owner.UserId, owner.Token);
        using var admin = factory.CreateClient(adminToken);
        var redrive = await admin.PostAsJsonAsync("/api/v1/queues/ingest/dead-letters/redrive", new { });
        redrive.StatusCode.ShouldBe(HttpStatusCode.OK, await redrive.Content.ReadAsStringAsync());
        (await redrive.Content.ReadAsStringAsync()).ShouldContain("1");
        // Re-driven, it fails again and returns to the dead letters: nothing is lost either way.
        await TestWait.UntilAsync(async () => (await queue.GetStatsAsync(QueueNames.Ingest, CancellationToken.None)) is { DeadLettered: 1, Visible: 0, InFlight: 0 }, "poison dead-lettered again");
    }

    internal static async Task<int> CountAsync(ApiFactory factory, Guid workspaceId)
    {
        await using var db = factory.Database.CreateContext();
        return await db.Signals.CountAsync(s => s.WorkspaceId == workspaceId);
    }

    internal static async Task WaitForIdleQueueAsync(ApiFactory factory, Func<Task<int>> count, int expected)
    {
        var queue = factory.Services.GetRequiredService<IMessageQueue>();
        await TestWait.UntilAsync(async () =>
        {
            var stats = await queue.GetStatsAsync(QueueNames.Ingest, CancellationToken.None);
            return stats.Visible == 0 && stats.InFlight == 0 && await count() >= expected;
        }, $"{expected} signals processed");
    }

    private static async Task<List<string>> SnapshotAsync(ApiFactory factory, Guid workspaceId)
    {
        await using var db = factory.Database.CreateContext();
        return (await db.Signals.Where(s => s.WorkspaceId == workspaceId)
                .Select(s => new { s.Id, s.Version, s.UpdatedAt, s.ClusterId, s.ContentHash }).ToListAsync())
            .Select(s => $"{s.Id}|{s.Version}|{s.UpdatedAt:O}|{s.ClusterId}|{s.ContentHash}").Order(StringComparer.Ordinal).ToList();
    }

    private static async Task<int> OutboxCountAsync(ApiFactory factory, Guid workspaceId)
    {
        await using var db = factory.Database.CreateContext();
        return await db.OutboxEvents.CountAsync(e => e.WorkspaceId == workspaceId);
    }
}

public sealed record IngestResult(int Accepted, List<IngestRejectionDto> Rejected);

public sealed record IngestRejectionDto(int Index, string Error);
