using System.Net;
using System.Net.Http.Json;
using GitMesh.Api.Tests.Signals;
using GitMesh.Data;
using GitMesh.Domain.Intelligence;
using GitMesh.Intelligence;
using GitMesh.Intelligence.Classification;
using GitMesh.TestCommon;
using Microsoft.EntityFrameworkCore;
using static GitMesh.Api.Tests.Triage.TriageHttp;

namespace GitMesh.Api.Tests.Intelligence;

public sealed record FieldAccuracyDto(string Field, int Examples, double BaseAccuracy, double CorrectedAccuracy);

public sealed record AccuracyDto(DateTime? UpdatedAt, int Examples, int CorrectionsSeen, List<FieldAccuracyDto> Fields);

public sealed record ProductAreaDto(Guid Id, string Name, List<string> Keywords, List<string> Examples, DateTime CreatedAt, DateTime UpdatedAt);

public sealed class IntelligenceTests
{
    private static readonly Dictionary<string, string?> FastRetraining = new() { ["Intelligence:RetrainInterval"] = "00:00:00.300" };

    private static readonly string[] Contexts =
    [
        "for the mobile app", "in the desktop client", "on Android", "on iOS", "for the web editor", "for shared notebooks",
        "for tablets", "in the browser extension", "for attachments", "for comments", "for the calendar", "for tasks",
        "for drawings", "for checklists", "for team spaces", "on Linux", "on macOS", "on Windows", "for templates",
        "for voice notes", "for tags", "for reminders", "for the kanban board", "for documents", "for spreadsheets",
        "for the wiki", "for bookmarks", "for photos", "for the inbox", "for archived pages",
    ];

    private static (string Title, string Body) OfflineSync(int i) =>
        ($"Please add offline sync {Contexts[i % Contexts.Length]}",
         $"Every time the connection drops I lose my edits {Contexts[i % Contexts.Length]}. Please add offline sync so changes are kept and uploaded later. Variant {i}.");

    [Theory, Providers]
    public async Task Corrections_retrain_the_workspace_model_and_change_predictions_only_in_that_workspace(DatabaseProvider provider)
    {
        await using var factory = await ApiFactory.CreateAsync(provider, FastRetraining);
        var a = await factory.CreateTenantAsync("Alpha");
        var b = await factory.CreateTenantAsync("Beta");
        using var clientA = factory.CreateClient(a.Token);
        using var clientB = factory.CreateClient(b.Token);

        var items = Enumerable.Range(0, 30).Select(i =>
        {
            var (title, body) = OfflineSync(i);
            return new { source = "github", kind = "issue", externalId = $"sync-{i}", title, body };
        }).ToList();
        (await clientA.PostAsJsonAsync($"{Ws(a.WorkspaceId)}/signals/ingest", items)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await IngestPipelineTests.WaitForIdleQueueAsync(factory, () => IngestPipelineTests.CountAsync(factory, a.WorkspaceId), 30);

        // Before any correction: no model, empty report.
        var empty = await (await clientA.GetAsync($"{Ws(a.WorkspaceId)}/intelligence/accuracy")).ReadAsync<AccuracyDto>();
        empty.UpdatedAt.ShouldBeNull();
        empty.Fields.ShouldBeEmpty();

        List<Guid> ids;
        await using (var db = factory.Database.CreateContext())
        {
            ids = await db.Signals.Where(s => s.WorkspaceId == a.WorkspaceId).Select(s => s.Id).ToListAsync();
        }

        ids.Count.ShouldBe(30);
        foreach (var id in ids)
        {
            (await clientA.PatchAsJsonAsync($"{Ws(a.WorkspaceId)}/signals/{id}", new { intent = "complaint" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        // The learning loop picks the corrections up on its own.
        AccuracyDto? report = null;
        await TestWait.UntilAsync(async () =>
        {
            report = await (await clientA.GetAsync($"{Ws(a.WorkspaceId)}/intelligence/accuracy")).ReadAsync<AccuracyDto>();
            return report.Fields.Any(f => f.Field == "intent" && f.Examples == 30);
        }, "workspace A retrained on 30 intent corrections");
        report!.UpdatedAt.ShouldNotBeNull();
        report.Examples.ShouldBe(30);
        report.CorrectionsSeen.ShouldBe(30);
        var intentReport = report.Fields.Single(f => f.Field == "intent");
        intentReport.CorrectedAccuracy.ShouldBeGreaterThanOrEqualTo(intentReport.BaseAccuracy);
        intentReport.CorrectedAccuracy.ShouldBeGreaterThan(0.9);
        var reportB = await (await clientB.GetAsync($"{Ws(b.WorkspaceId)}/intelligence/accuracy")).ReadAsync<AccuracyDto>();
        reportB.Examples.ShouldBe(0);
        reportB.Fields.ShouldBeEmpty();

        // A new, similar signal in each workspace.
        const string probeTitle = "Please add offline sync for the notes app";
        const string probeBody = "When the wifi drops I lose my edits in the notes app. Please add offline sync so my changes are kept and uploaded later.";
        var baseIntent = DefaultSignalClassifier.Shared.Classify(new SignalText(probeTitle, probeBody)).Intent.ToLabel();
        baseIntent.ShouldNotBe("complaint", "the probe must not already be a complaint for the base model");
        var probe = new[] { new { source = "github", kind = "issue", externalId = "probe", title = probeTitle, body = probeBody } };
        (await clientA.PostAsJsonAsync($"{Ws(a.WorkspaceId)}/signals/ingest", probe)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await clientB.PostAsJsonAsync($"{Ws(b.WorkspaceId)}/signals/ingest", probe)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await IngestPipelineTests.WaitForIdleQueueAsync(factory, () => IngestPipelineTests.CountAsync(factory, a.WorkspaceId), 31);
        await IngestPipelineTests.WaitForIdleQueueAsync(factory, () => IngestPipelineTests.CountAsync(factory, b.WorkspaceId), 1);

        await using (var db = factory.Database.CreateContext())
        {
            var inA = await db.Signals.SingleAsync(s => s.WorkspaceId == a.WorkspaceId && s.ExternalId == "probe");
            var inB = await db.Signals.SingleAsync(s => s.WorkspaceId == b.WorkspaceId && s.ExternalId == "probe");
            inA.Intent.ShouldBe("complaint");
            inB.Intent.ShouldBe(baseIntent);
            inA.ClassificationLocked.ShouldBeFalse();
            // No taxonomy anywhere: product areas are left alone.
            inA.ProductAreas.ShouldBeNull();
            inB.ProductAreas.ShouldBeNull();
            (await db.Set<WorkspaceModel>().CountAsync(m => m.WorkspaceId == b.WorkspaceId)).ShouldBe(0);
        }

        // Tenant isolation: B's member cannot read A's report.
        (await clientB.GetAsync($"{Ws(a.WorkspaceId)}/intelligence/accuracy")).StatusCode.ShouldBeOneOf(HttpStatusCode.Forbidden, HttpStatusCode.NotFound);
    }

    [Theory, Providers]
    public async Task Product_area_taxonomy_is_managed_by_admins_and_assigned_by_the_pipeline(DatabaseProvider provider)
    {
        await using var factory = await ApiFactory.CreateAsync(provider, FastRetraining);
        var owner = await factory.CreateTenantAsync();
        var other = await factory.CreateTenantAsync("Other");
        using var client = factory.CreateClient(owner.Token);
        var url = $"{Ws(owner.WorkspaceId)}/product-areas";

        var sync = await (await client.PostAsJsonAsync(url, new
        {
            name = "Sync",
            keywords = new[] { "offline sync", "synchronization" },
            examples = new[] { "Changes made offline are not uploaded when I reconnect" },
        })).ReadAsync<ProductAreaDto>();
        sync.Name.ShouldBe("Sync");
        sync.Keywords.ShouldBe(["offline sync", "synchronization"]);
        sync.Examples.Count.ShouldBe(1);
        var billing = await (await client.PostAsJsonAsync(url, new { name = "Billing", keywords = new[] { "invoice", "credit card" } })).ReadAsync<ProductAreaDto>();

        // Validation and conflicts.
        (await client.PostAsJsonAsync(url, new { name = "sync" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await client.PostAsJsonAsync(url, new { name = "A,B" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.PostAsJsonAsync(url, new { name = "" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.PostAsJsonAsync(url, new { name = "Kw", keywords = new[] { "a,b" } })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.PatchAsJsonAsync($"{url}/{billing.Id}", new { name = "SYNC" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await client.PatchAsJsonAsync($"{url}/{Guid.NewGuid()}", new { name = "X" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // Roles: members and viewers read, only admins change.
        var (_, memberToken) = await AddMemberAsync(factory, owner, "member");
        var (_, viewerToken) = await AddMemberAsync(factory, owner, "viewer");
        var (_, adminToken) = await AddMemberAsync(factory, owner, "admin");
        using (var member = factory.CreateClient(memberToken))
        using (var viewer = factory.CreateClient(viewerToken))
        using (var admin = factory.CreateClient(adminToken))
        {
            (await viewer.GetFromJsonAsync<List<ProductAreaDto>>(url))!.Select(a => a.Name).ShouldBe(["Billing", "Sync"]);
            (await member.PostAsJsonAsync(url, new { name = "Search" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await member.PatchAsJsonAsync($"{url}/{sync.Id}", new { name = "Nope" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await viewer.DeleteAsync($"{url}/{sync.Id}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            var renamed = await (await admin.PatchAsJsonAsync($"{url}/{billing.Id}", new { name = "Payments", keywords = new[] { "invoice", "refund" } })).ReadAsync<ProductAreaDto>();
            renamed.Name.ShouldBe("Payments");
            renamed.Keywords.ShouldBe(["invoice", "refund"]);
            renamed.UpdatedAt.ShouldBeGreaterThan(billing.UpdatedAt);
        }

        // Another tenant sees nothing of it and cannot change it.
        using (var stranger = factory.CreateClient(other.Token))
        {
            (await stranger.GetAsync(url)).StatusCode.ShouldBeOneOf(HttpStatusCode.Forbidden, HttpStatusCode.NotFound);
            (await stranger.DeleteAsync($"{url}/{sync.Id}")).StatusCode.ShouldBeOneOf(HttpStatusCode.Forbidden, HttpStatusCode.NotFound);
            (await stranger.GetFromJsonAsync<List<ProductAreaDto>>($"{Ws(other.WorkspaceId)}/product-areas"))!.ShouldBeEmpty();
            // Same id under the stranger's own workspace: not found (the row belongs to another workspace).
            (await stranger.DeleteAsync($"{Ws(other.WorkspaceId)}/product-areas/{sync.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        var items = new object[]
        {
            new { source = "github", kind = "issue", externalId = "s-1", title = "Offline sync loses my edits", body = "I edited a page on the train and nothing was uploaded when I got back online." },
            new { source = "github", kind = "issue", externalId = "s-2", title = "Refund for a duplicate invoice", body = "We were charged twice this month, please send a refund." },
            new { source = "github", kind = "issue", externalId = "s-3", title = "Dark mode", body = "The sidebar is too bright at night." },
        };
        (await client.PostAsJsonAsync($"{Ws(owner.WorkspaceId)}/signals/ingest", items)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await factory.CreateClient(other.Token).PostAsJsonAsync($"{Ws(other.WorkspaceId)}/signals/ingest", new[] { items[0] })).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await IngestPipelineTests.WaitForIdleQueueAsync(factory, () => IngestPipelineTests.CountAsync(factory, owner.WorkspaceId), 3);
        await IngestPipelineTests.WaitForIdleQueueAsync(factory, () => IngestPipelineTests.CountAsync(factory, other.WorkspaceId), 1);
        await using (var db = factory.Database.CreateContext())
        {
            var byId = await db.Signals.Where(s => s.WorkspaceId == owner.WorkspaceId).ToDictionaryAsync(s => s.ExternalId);
            byId["s-1"].ProductAreas.ShouldBe("Sync");
            byId["s-2"].ProductAreas.ShouldBe("Payments");
            byId["s-3"].ProductAreas.ShouldBeNull();
            (await db.Signals.SingleAsync(s => s.WorkspaceId == other.WorkspaceId)).ProductAreas.ShouldBeNull("the other workspace has no taxonomy");
        }

        // Delete: the next signal no longer gets the area.
        (await client.DeleteAsync($"{url}/{sync.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await client.DeleteAsync($"{url}/{sync.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetFromJsonAsync<List<ProductAreaDto>>(url))!.Select(a => a.Name).ShouldBe(["Payments"]);
        (await client.PostAsJsonAsync($"{Ws(owner.WorkspaceId)}/signals/ingest", new[] { new { source = "github", kind = "issue", externalId = "s-4", title = "Offline sync is broken again", body = "Nothing uploads." } }))
            .StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await IngestPipelineTests.WaitForIdleQueueAsync(factory, () => IngestPipelineTests.CountAsync(factory, owner.WorkspaceId), 4);
        await using (var db = factory.Database.CreateContext())
        {
            (await db.Signals.SingleAsync(s => s.WorkspaceId == owner.WorkspaceId && s.ExternalId == "s-4")).ProductAreas.ShouldBeNull();
            (await db.AuditLog.CountAsync(e => e.WorkspaceId == owner.WorkspaceId && e.Action.StartsWith("product_area."))).ShouldBe(4);
        }
    }
}
