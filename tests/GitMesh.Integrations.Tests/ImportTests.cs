using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GitMesh.Api.Tests;
using GitMesh.Data;
using GitMesh.Messaging;
using GitMesh.TestCommon;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Integrations.Tests;

public sealed class ImportTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Theory, Providers]
    public async Task Large_csv_import_queues_good_rows_in_batches_and_reports_bad_lines(DatabaseProvider provider)
    {
        // Own host with the consumer off, so the test counts exactly what the import queued (50k signals through the
        // whole pipeline would measure the pipeline, not the import).
        await using var factory = await ApiFactory.CreateAsync(provider, new Dictionary<string, string?> { ["Ingest:ConsumerEnabled"] = "false" });
        var tenant = await factory.CreateTenantAsync();
        using var client = factory.CreateClient(tenant.Token);

        const int rows = 50_000;
        var badLines = new HashSet<long> { 2, 17_003, 49_999 };
        var csv = new StringBuilder("externalId,title,body,author,createdAt\n");
        for (var i = 1; i <= rows; i++)
        {
            var line = i + 1; // line 1 is the header
            csv.Append(line switch
            {
                2 => $"row-{i},,,alice,2024-01-01T00:00:00Z\n",                // neither title nor body
                17_003 => $"row-{i},Title {i},Body,alice,2024-01-01T00:00:00Z,extra\n", // one field too many
                49_999 => $"row-{i},Title {i},Body,alice,not-a-date\n",        // unparseable date
                _ => $"row-{i},Title {i},Body of row {i},alice,2024-01-01T00:00:00Z\n",
            });
        }

        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv.ToString()));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "feedback.csv");
        var response = await client.PostAsync($"/api/v1/workspaces/{tenant.WorkspaceId}/imports", form);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var result = JsonDocument.Parse(text).RootElement;
        var rejected = result.GetProperty("rejected").EnumerateArray().Select(r => r.GetProperty("line").GetInt64()).ToList();
        rejected.ShouldBe(badLines.Order().ToList());
        var imported = result.GetProperty("imported").GetInt64();
        imported.ShouldBe(rows - badLines.Count);
        result.GetProperty("rejectedCount").GetInt64().ShouldBe(badLines.Count);

        await factory.WithDbAsync(async db =>
        {
            (await db.QueueMessages.CountAsync(m => m.Queue == QueueNames.Ingest)).ShouldBe((int)imported);
            var progress = await db.OutboxEvents.IgnoreQueryFilters().Where(e => e.WorkspaceId == tenant.WorkspaceId && e.Type == "importProgress")
                .OrderBy(e => e.Id).Select(e => e.PayloadJson).ToListAsync();
            progress.Count.ShouldBeGreaterThan(1);
            var last = JsonDocument.Parse(progress[^1]).RootElement;
            last.GetProperty("imported").GetInt64().ShouldBe(imported);
            last.GetProperty("done").GetBoolean().ShouldBeTrue();
            last.GetProperty("bytesRead").GetInt64().ShouldBe(last.GetProperty("totalBytes").GetInt64());
            return 0;
        });
    }

    [Theory, Providers]
    public async Task Jsonl_import_from_raw_body_ingests_signals_and_numbers_bad_lines(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        using var client = factory.CreateClient(tenant.Token);
        var lines = new[]
        {
            """{"externalId":"j-1","title":"Dark mode","body":"Please add dark mode"}""",
            """{"externalId":"j-2","title":"Crash on start""",
            "",
            """{"externalId":"j-3","title":"Faster sync","body":"Sync takes minutes"}""",
            """{"externalId":"j-4","deleted":"yes"}""",
        };
        var content = new StringContent(string.Join('\n', lines), Encoding.UTF8, "application/octet-stream");
        var response = await client.PostAsync($"/api/v1/workspaces/{tenant.WorkspaceId}/imports?format=jsonl", content);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var result = JsonDocument.Parse(text).RootElement;
        result.GetProperty("imported").GetInt64().ShouldBe(2);
        result.GetProperty("rejected").EnumerateArray().Select(r => r.GetProperty("line").GetInt64()).ShouldBe([2L, 5L]);

        await TestWait.UntilAsync(async () => await factory.WithDbAsync(db => db.Signals.IgnoreQueryFilters().CountAsync(s => s.WorkspaceId == tenant.WorkspaceId)) == 2,
            "imported signals are ingested");

        (await client.PostAsync($"/api/v1/workspaces/{tenant.WorkspaceId}/imports", new StringContent("x"))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}
