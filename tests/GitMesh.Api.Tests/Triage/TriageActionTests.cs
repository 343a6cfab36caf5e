using System.Net;
using System.Net.Http.Json;
using GitMesh.Data;
using GitMesh.Domain.Clusters;
using GitMesh.Domain.Signals;
using GitMesh.TestCommon;
using Microsoft.EntityFrameworkCore;
using static GitMesh.Api.Tests.Triage.TriageHttp;

namespace GitMesh.Api.Tests.Triage;

public sealed class TriageActionTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Theory, Providers]
    public async Task Patch_triages_records_corrections_locks_classification_audits_and_publishes(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var seed = new TriageSeed(factory, tenant.WorkspaceId);
        var signal = (await seed.AddAsync(1)).Single();
        using var client = factory.CreateClient(tenant.Token);
        var url = $"{Ws(tenant.WorkspaceId)}/signals/{signal.Id}";

        var updated = await (await client.PatchAsJsonAsync(url, new
        {
            triageStatus = "triaged",
            assigneeUserId = tenant.UserId,
            tags = new[] { "P1", "safari" },
            intent = "feature_request",
            sentiment = "positive",
            productAreas = new[] { "Export" },
            note = "Customer call",
        })).ReadAsync<SignalItemDto>();
        updated.TriageStatus.ShouldBe("triaged");
        updated.Tags.ShouldBe(["p1", "safari"]);
        updated.Intent.ShouldBe("feature_request");
        updated.Sentiment.ShouldBe("positive");
        updated.ProductAreas.ShouldBe(["Export"]);

        await using (var db = factory.Database.CreateContext())
        {
            var row = await db.Signals.SingleAsync(s => s.Id == signal.Id);
            row.ClassificationLocked.ShouldBeTrue();
            row.AssigneeUserId.ShouldBe(tenant.UserId);
            row.Version.ShouldBe(1);
            var corrections = await db.Set<SignalCorrection>().Where(c => c.SignalId == signal.Id).ToListAsync();
            corrections.Select(c => (c.Field, c.OldValue, c.NewValue)).ShouldBe(
                [("intent", "bug", "feature_request"), ("sentiment", "neutral", "positive"), ("product_areas", null, "Export")], ignoreOrder: true);
            corrections.ShouldAllBe(c => c.CorrectedByUserId == tenant.UserId && c.WorkspaceId == tenant.WorkspaceId);
            var audit = await db.AuditLog.SingleAsync(a => a.WorkspaceId == tenant.WorkspaceId && a.Action == "signal.updated");
            audit.EntityId.ShouldBe(signal.Id.ToString());
            audit.BeforeJson!.ShouldContain("\"triageStatus\":\"new\"");
            audit.AfterJson!.ShouldContain("Customer call");
            var outbox = await db.OutboxEvents.SingleAsync(e => e.WorkspaceId == tenant.WorkspaceId && e.Type == "signalUpdated");
            outbox.PayloadJson.ShouldContain(signal.Id.ToString());
        }

        // Unknown values are validation problems and change nothing.
        foreach (var bad in new object[] { new { triageStatus = "open" }, new { intent = "rant" }, new { sentiment = 3 }, new { tags = "a" }, new { colour = "blue" }, new { assigneeUserId = Guid.NewGuid() } })
        {
            var response = await client.PatchAsJsonAsync(url, bad);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, System.Text.Json.JsonSerializer.Serialize(bad));
            (await response.Content.ReadAsStringAsync()).ShouldContain("errors");
        }

        var (_, viewerToken) = await AddMemberAsync(factory, tenant, "viewer");
        using var viewer = factory.CreateClient(viewerToken);
        (await viewer.PatchAsJsonAsync(url, new { triageStatus = "spam" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await viewer.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await using (var db = factory.Database.CreateContext())
        {
            (await db.Signals.SingleAsync(s => s.Id == signal.Id)).TriageStatus.ShouldBe(TriageStatus.Triaged);
            (await db.AuditLog.CountAsync(a => a.WorkspaceId == tenant.WorkspaceId && a.Action == "signal.updated")).ShouldBe(1);
        }
    }

    [Theory, Providers]
    public async Task Bulk_update_of_twenty_thousand_signals_completes_with_progress_events_and_audit(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var seed = new TriageSeed(factory, tenant.WorkspaceId);
        await seed.AddAsync(Enumerable.Range(0, 20_000).Select(i => TriageSeed.Make(tenant.WorkspaceId, i, s => s.Tags = i % 2 == 0 ? "old" : null)).ToList(), index: false);
        var untouched = (await seed.AddAsync([TriageSeed.Make(tenant.WorkspaceId, 99_999, s => s.Source = "reddit")], index: false)).Single();
        using var client = factory.CreateClient(tenant.Token);

        var response = await client.PostAsJsonAsync($"{Ws(tenant.WorkspaceId)}/signals/bulk", new
        {
            filter = new { source = "github" },
            set = new { triageStatus = "triaged", assigneeUserId = tenant.UserId, addTags = new[] { "reviewed" }, removeTags = new[] { "old" } },
        });
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var job = (await response.Content.ReadFromJsonAsync<BulkJobDto>())!;
        job.Total.ShouldBe(20_000);
        var jobUrl = $"{Ws(tenant.WorkspaceId)}/bulk-jobs/{job.Id}";
        await TestWait.UntilAsync(async () => (await (await client.GetAsync(jobUrl)).ReadAsync<BulkJobDto>()).Status is "completed" or "failed", "bulk job finished");
        job = await (await client.GetAsync(jobUrl)).ReadAsync<BulkJobDto>();
        job.ShouldBe(job with { Status = "completed", Processed = 20_000, Total = 20_000, Updated = 20_000, Error = null });

        await using var db = factory.Database.CreateContext();
        var mine = db.Signals.Where(s => s.WorkspaceId == tenant.WorkspaceId);
        (await mine.CountAsync(s => s.TriageStatus == TriageStatus.Triaged && s.AssigneeUserId == tenant.UserId && s.Tags == "reviewed")).ShouldBe(20_000);
        (await mine.SingleAsync(s => s.Id == untouched.Id)).TriageStatus.ShouldBe(TriageStatus.New);
        var progress = await db.OutboxEvents.Where(e => e.WorkspaceId == tenant.WorkspaceId && e.Type == "bulkProgress").OrderBy(e => e.Id).Select(e => e.PayloadJson).ToListAsync();
        progress.Count.ShouldBe(40);
        progress[^1].ShouldContain("\"processed\":20000");
        progress.ShouldAllBe(p => p.Contains(job.Id.ToString()) && p.Contains("\"total\":20000"));
        var audit = await db.AuditLog.SingleAsync(a => a.WorkspaceId == tenant.WorkspaceId && a.Action == "signals.bulk_updated");
        audit.EntityId.ShouldBe(job.Id.ToString());
        audit.AfterJson!.ShouldContain("\"total\":20000");

        // By ids, and validation.
        var byIds = await (await client.PostAsJsonAsync($"{Ws(tenant.WorkspaceId)}/signals/bulk", new { ids = new[] { untouched.Id }, set = new { triageStatus = "spam" } })).ReadAsync<BulkJobDto>();
        byIds.Total.ShouldBe(1);
        await TestWait.UntilAsync(async () => (await (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/bulk-jobs/{byIds.Id}")).ReadAsync<BulkJobDto>()).Status == "completed", "ids job");
        (await client.PostAsJsonAsync($"{Ws(tenant.WorkspaceId)}/signals/bulk", new { set = new { triageStatus = "spam" } })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.PostAsJsonAsync($"{Ws(tenant.WorkspaceId)}/signals/bulk", new { ids = new[] { untouched.Id }, set = new { triageStatus = "closed" } })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.PostAsJsonAsync($"{Ws(tenant.WorkspaceId)}/signals/bulk", new { filter = new { status = "open" }, set = new { triageStatus = "spam" } })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Theory, Providers]
    public async Task Merge_split_move_and_suggestions_keep_cluster_sizes_right(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var seed = new TriageSeed(factory, tenant.WorkspaceId);
        var a = await seed.ClusterAsync("A");
        var b = await seed.ClusterAsync("B");
        var c = await seed.ClusterAsync("C");
        var signals = await seed.AddAsync(7, (i, s) =>
        {
            s.ClusterId = i < 3 ? a.Id : i < 5 ? b.Id : c.Id;
            s.Source = i == 3 ? "reddit" : "github";
            s.Intent = i < 3 ? "bug" : "question";
        });
        using var client = factory.CreateClient(tenant.Token);
        var ws = Ws(tenant.WorkspaceId);
        async Task<Dictionary<Guid, int>> SizesAsync()
        {
            await using var db = factory.Database.CreateContext();
            var clusters = await db.Clusters.Where(x => x.WorkspaceId == tenant.WorkspaceId).ToListAsync();
            foreach (var cluster in clusters)
            {
                cluster.Size.ShouldBe(await db.Signals.CountAsync(s => s.ClusterId == cluster.Id && !s.IsDeleted), $"stored size of {cluster.Title}");
            }

            return clusters.ToDictionary(x => x.Id, x => x.Size);
        }

        // B and C tie on size; C was seen more recently. (Their ids alone would not order them: two version-7 ids
        // made in the same millisecond compare at random.)
        await using (var db = factory.Database.CreateContext())
        {
            var later = await db.Clusters.SingleAsync(x => x.Id == c.Id);
            later.LastSeenAt = later.LastSeenAt.AddMinutes(1);
            await db.SaveChangesAsync();
        }

        var list = await (await client.GetAsync($"{ws}/clusters?sort=size")).ReadAsync<ClusterPageDto>();
        list.Items.Select(x => (x.Title, x.Size, x.TopIntent)).ShouldBe([("A", 3, "bug"), ("C", 2, "question"), ("B", 2, "question")], "ties: most recently seen first");
        var paged = await (await client.GetAsync($"{ws}/clusters?sort=recent&limit=2")).ReadAsync<ClusterPageDto>();
        paged.Items.Count.ShouldBe(2);
        (await (await client.GetAsync($"{ws}/clusters?sort=recent&limit=2&cursor={Uri.EscapeDataString(paged.NextCursor!)}")).ReadAsync<ClusterPageDto>()).Items.Count.ShouldBe(1);
        (await client.GetAsync($"{ws}/clusters?sort=velocity&window=30")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var merged = await (await client.PostAsJsonAsync($"{ws}/clusters/{a.Id}/merge", new { otherClusterId = b.Id })).ReadAsync<ClusterItemDto>();
        merged.Size.ShouldBe(5);
        merged.Platforms.ShouldBe(["github", "reddit"]);
        (await SizesAsync()).ShouldBe(new Dictionary<Guid, int> { [a.Id] = 5, [b.Id] = 0, [c.Id] = 2 }, ignoreOrder: true);
        (await (await client.GetAsync($"{ws}/clusters/{b.Id}")).ReadAsync<ClusterDetailDto>()).MergedIntoId.ShouldBe(a.Id);
        (await client.PostAsJsonAsync($"{ws}/clusters/{c.Id}/merge", new { otherClusterId = b.Id })).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        var split = await (await client.PostAsJsonAsync($"{ws}/clusters/{a.Id}/split", new { signalIds = new[] { signals[3].Id, signals[4].Id } })).ReadAsync<ClusterItemDto>();
        split.Size.ShouldBe(2);
        (await SizesAsync())[a.Id].ShouldBe(3);
        (await client.PostAsJsonAsync($"{ws}/clusters/{a.Id}/split", new { signalIds = new[] { signals[5].Id } })).StatusCode.ShouldBe(HttpStatusCode.BadRequest, "not a member");

        var moved = await (await client.PostAsJsonAsync($"{ws}/signals/{signals[0].Id}/move", new { clusterId = c.Id })).ReadAsync<SignalItemDto>();
        moved.ClusterId.ShouldBe(c.Id);
        moved.ClusterSize.ShouldBe(3);
        (await SizesAsync()).ShouldBe(new Dictionary<Guid, int> { [a.Id] = 2, [b.Id] = 0, [c.Id] = 3, [split.Id] = 2 }, ignoreOrder: true);
        var detail = await (await client.GetAsync($"{ws}/clusters/{c.Id}")).ReadAsync<ClusterDetailDto>();
        detail.Signals.Select(s => s.Id).ShouldBe([signals[0].Id, signals[5].Id, signals[6].Id], ignoreOrder: true);

        // Suggestions: signals[1] (cluster A, size 2) ~ signals[5] (cluster C, size 3); signals[2] ~ signals[6].
        Guid confirmId, rejectId;
        await using (var db = factory.Database.CreateContext())
        {
            var confirm = new DuplicateDecision { WorkspaceId = tenant.WorkspaceId, SignalAId = signals[1].Id, SignalBId = signals[5].Id, Score = 0.8, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow };
            var reject = new DuplicateDecision { WorkspaceId = tenant.WorkspaceId, SignalAId = signals[2].Id, SignalBId = signals[3].Id, Score = 0.6, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow };
            db.DuplicateDecisions.AddRange(confirm, reject);
            await db.SaveChangesAsync();
            (confirmId, rejectId) = (confirm.Id, reject.Id);
        }

        var suggestions = await (await client.GetAsync($"{ws}/clusters/suggestions")).ReadAsync<List<SuggestionDto>>();
        suggestions.Select(s => s.Id).ShouldBe([confirmId, rejectId]);
        suggestions[0].SignalA.Id.ShouldBe(signals[1].Id);
        suggestions[0].SignalB.Id.ShouldBe(signals[5].Id);

        var confirmed = await (await client.PostAsync($"{ws}/clusters/suggestions/{confirmId}/confirm", null)).ReadAsync<SuggestionDecisionDto>();
        confirmed.ClusterId.ShouldBe(c.Id, "the signal of the smaller cluster joins the larger one");
        (await SizesAsync()).ShouldBe(new Dictionary<Guid, int> { [a.Id] = 1, [b.Id] = 0, [c.Id] = 4, [split.Id] = 2 }, ignoreOrder: true);
        var rejected = await (await client.PostAsync($"{ws}/clusters/suggestions/{rejectId}/reject", null)).ReadAsync<SuggestionDecisionDto>();
        rejected.Decision.ShouldBe("not_duplicate");
        (await (await client.GetAsync($"{ws}/clusters/suggestions")).ReadAsync<List<SuggestionDto>>()).ShouldBeEmpty();
        (await client.PostAsync($"{ws}/clusters/suggestions/{rejectId}/confirm", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        await using (var db = factory.Database.CreateContext())
        {
            (await db.DuplicateDecisions.SingleAsync(d => d.Id == rejectId)).Decision.ShouldBe(DuplicateDecisionKind.NotDuplicate);
            (await db.DuplicateDecisions.SingleAsync(d => d.Id == confirmId)).Decision.ShouldBe(DuplicateDecisionKind.Confirmed);
            var actions = await db.AuditLog.Where(x => x.WorkspaceId == tenant.WorkspaceId).Select(x => x.Action).ToListAsync();
            actions.ShouldContain("cluster.merged");
            actions.ShouldContain("cluster.split");
            actions.ShouldContain("signal.moved");
            actions.ShouldContain("duplicate.confirmed");
            actions.ShouldContain("duplicate.rejected");
            var mergeAudit = await db.AuditLog.SingleAsync(x => x.WorkspaceId == tenant.WorkspaceId && x.Action == "cluster.merged");
            mergeAudit.BeforeJson!.ShouldContain("\"size\":3");
            mergeAudit.AfterJson!.ShouldContain("\"size\":5");
            (await db.OutboxEvents.CountAsync(e => e.WorkspaceId == tenant.WorkspaceId && e.Type == "clusterUpdated")).ShouldBeGreaterThanOrEqualTo(8);
        }
    }

    [Theory, Providers]
    public async Task Personal_views_are_private_and_shared_views_are_edited_by_owner_or_admin(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var owner = await factory.CreateTenantAsync();
        var (_, aliceToken) = await AddMemberAsync(factory, owner, "member");
        var (_, bobToken) = await AddMemberAsync(factory, owner, "member");
        using var alice = factory.CreateClient(aliceToken);
        using var bob = factory.CreateClient(bobToken);
        using var admin = factory.CreateClient(owner.Token);
        var views = $"{Ws(owner.WorkspaceId)}/views";

        var personal = await (await alice.PostAsJsonAsync(views, new { name = "My bugs", filter = new { intent = "bug", status = new[] { "new", "triaged" } }, sort = "newest" })).ReadAsync<ViewDto>();
        var shared = await (await alice.PostAsJsonAsync(views, new { name = "Team inbox", filter = new { status = "new" }, shared = true })).ReadAsync<ViewDto>();
        personal.Filter.GetProperty("intent").GetString().ShouldBe("bug");

        (await (await alice.GetAsync(views)).ReadAsync<List<ViewDto>>()).Select(v => v.Name).ShouldBe(["My bugs", "Team inbox"]);
        (await (await bob.GetAsync(views)).ReadAsync<List<ViewDto>>()).Select(v => v.Name).ShouldBe(["Team inbox"]);
        (await bob.GetAsync($"{views}/{personal.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await bob.PatchAsJsonAsync($"{views}/{personal.Id}", new { name = "mine" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await admin.GetAsync($"{views}/{personal.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound, "personal means personal, even for admins");
        (await bob.PatchAsJsonAsync($"{views}/{shared.Id}", new { name = "Bob's now" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await bob.DeleteAsync($"{views}/{shared.Id}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await (await admin.PatchAsJsonAsync($"{views}/{shared.Id}", new { name = "Triage inbox" })).ReadAsync<ViewDto>()).Name.ShouldBe("Triage inbox");
        (await (await alice.PatchAsJsonAsync($"{views}/{personal.Id}", new { shared = true, sort = "velocity" })).ReadAsync<ViewDto>()).Sort.ShouldBe("velocity");
        (await (await bob.GetAsync(views)).ReadAsync<List<ViewDto>>()).Count.ShouldBe(2);
        (await alice.PostAsJsonAsync(views, new { name = "bad", filter = new { status = "open" } })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await alice.PostAsJsonAsync(views, new { name = "bad", filter = new { colour = "blue" } })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await alice.PostAsJsonAsync(views, new { name = "", filter = new { } })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await admin.DeleteAsync($"{views}/{shared.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var (_, viewerToken) = await AddMemberAsync(factory, owner, "viewer");
        using var viewer = factory.CreateClient(viewerToken);
        (await viewer.PostAsJsonAsync(views, new { name = "x", filter = new { } })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await (await viewer.GetAsync(views)).ReadAsync<List<ViewDto>>()).Count.ShouldBe(1);
    }

    [Theory, Providers]
    public async Task Events_catch_up_by_sequence_and_the_audit_log_is_filtered_and_paged_for_admins(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var other = await factory.CreateTenantAsync();
        var seed = new TriageSeed(factory, tenant.WorkspaceId);
        var signals = await seed.AddAsync(3);
        await new TriageSeed(factory, other.WorkspaceId).AddAsync(1);
        using var client = factory.CreateClient(tenant.Token);
        using var otherClient = factory.CreateClient(other.Token);
        var ws = Ws(tenant.WorkspaceId);

        var start = await (await client.GetAsync($"{ws}/events?since=0")).ReadAsync<EventsPageDto>();
        var since = start.LastSequence;
        foreach (var s in signals)
        {
            (await client.PatchAsJsonAsync($"{ws}/signals/{s.Id}", new { triageStatus = "dismissed" })).EnsureSuccessStatusCode();
        }

        await otherClient.PostAsJsonAsync($"{Ws(other.WorkspaceId)}/views", new { name = "noise", filter = new { } });
        var first = await (await client.GetAsync($"{ws}/events?since={since}&limit=2")).ReadAsync<EventsPageDto>();
        first.Items.Count.ShouldBe(2);
        first.HasMore.ShouldBeTrue();
        var rest = await (await client.GetAsync($"{ws}/events?since={first.LastSequence}")).ReadAsync<EventsPageDto>();
        rest.Items.Count.ShouldBe(1);
        rest.HasMore.ShouldBeFalse();
        var all = first.Items.Concat(rest.Items).ToList();
        all.Select(e => e.Type).ShouldAllBe(t => t == "signalUpdated");
        all.Select(e => e.Payload.GetProperty("signalId").GetGuid()).ShouldBe(signals.Select(s => s.Id));
        all.ShouldAllBe(e => e.Payload.GetProperty("sequence").GetInt64() == e.Sequence);
        all.Select(e => e.Sequence).ShouldBeInOrder();
        (await (await client.GetAsync($"{ws}/events?since={rest.LastSequence}")).ReadAsync<EventsPageDto>()).Items.ShouldBeEmpty();
        (await client.GetAsync($"{ws}/events?since=-1")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var audit = await (await client.GetAsync($"{ws}/audit?action=signal.updated&limit=2")).ReadAsync<AuditPageDto>();
        audit.Items.Count.ShouldBe(2);
        var page2 = await (await client.GetAsync($"{ws}/audit?action=signal.updated&limit=2&cursor={Uri.EscapeDataString(audit.NextCursor!)}")).ReadAsync<AuditPageDto>();
        page2.Items.Count.ShouldBe(1);
        page2.NextCursor.ShouldBeNull();
        audit.Items.Concat(page2.Items).Select(a => a.EntityId).ShouldBe(signals.Select(s => s.Id.ToString()).Reverse());
        audit.Items[0].After!.Value.GetProperty("triageStatus").GetString().ShouldBe("dismissed");
        (await (await client.GetAsync($"{ws}/audit?entityType=signal&actor={tenant.UserId}")).ReadAsync<AuditPageDto>()).Items.Count.ShouldBe(3);
        (await (await client.GetAsync($"{ws}/audit?actor={Guid.NewGuid()}")).ReadAsync<AuditPageDto>()).Items.ShouldBeEmpty();
        (await (await client.GetAsync($"{ws}/audit?from={DateTime.UtcNow.AddDays(1):O}")).ReadAsync<AuditPageDto>()).Items.ShouldBeEmpty();
        var (_, memberToken) = await AddMemberAsync(factory, tenant, "member");
        using var member = factory.CreateClient(memberToken);
        (await member.GetAsync($"{ws}/audit")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await member.GetAsync($"{ws}/events")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory, Providers]
    public async Task Other_workspaces_get_404_and_viewers_403_on_every_triage_endpoint_and_nothing_changes(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var intruder = await factory.CreateTenantAsync();
        var seed = new TriageSeed(factory, tenant.WorkspaceId);
        var cluster = await seed.ClusterAsync();
        var cluster2 = await seed.ClusterAsync();
        var signal = (await seed.AddAsync(1, (_, s) => s.ClusterId = cluster.Id)).Single();
        Guid suggestionId, viewId;
        await using (var db = factory.Database.CreateContext())
        {
            var other = (await seed.AddAsync(1, (_, s) => s.ClusterId = cluster2.Id, offset: 5)).Single();
            var decision = new DuplicateDecision { WorkspaceId = tenant.WorkspaceId, SignalAId = signal.Id, SignalBId = other.Id, Score = 0.7, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow };
            db.DuplicateDecisions.Add(decision);
            await db.SaveChangesAsync();
            suggestionId = decision.Id;
        }

        using (var owner = factory.CreateClient(tenant.Token))
        {
            viewId = (await (await owner.PostAsJsonAsync($"{Ws(tenant.WorkspaceId)}/views", new { name = "v", filter = new { }, shared = true })).ReadAsync<ViewDto>()).Id;
        }

        var ws = Ws(tenant.WorkspaceId);
        var reads = new[]
        {
            $"{ws}/signals", $"{ws}/signals/{signal.Id}", $"{ws}/clusters", $"{ws}/clusters/{cluster.Id}", $"{ws}/clusters/suggestions",
            $"{ws}/views", $"{ws}/views/{viewId}", $"{ws}/audit", $"{ws}/events", $"{ws}/bulk-jobs/{Guid.NewGuid()}",
        };
        var writes = new (HttpMethod Method, string Url, object Body)[]
        {
            (HttpMethod.Patch, $"{ws}/signals/{signal.Id}", new { triageStatus = "spam" }),
            (HttpMethod.Post, $"{ws}/signals/bulk", new { ids = new[] { signal.Id }, set = new { triageStatus = "spam" } }),
            (HttpMethod.Post, $"{ws}/clusters/{cluster.Id}/merge", new { otherClusterId = cluster2.Id }),
            (HttpMethod.Post, $"{ws}/clusters/{cluster.Id}/split", new { signalIds = new[] { signal.Id } }),
            (HttpMethod.Post, $"{ws}/signals/{signal.Id}/move", new { clusterId = cluster2.Id }),
            (HttpMethod.Post, $"{ws}/clusters/suggestions/{suggestionId}/confirm", new { }),
            (HttpMethod.Post, $"{ws}/clusters/suggestions/{suggestionId}/reject", new { }),
            (HttpMethod.Post, $"{ws}/views", new { name = "x", filter = new { } }),
            (HttpMethod.Patch, $"{ws}/views/{viewId}", new { name = "x" }),
            (HttpMethod.Delete, $"{ws}/views/{viewId}", new { }),
        };

        using var stranger = factory.CreateClient(intruder.Token);
        foreach (var url in reads)
        {
            (await stranger.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.NotFound, url);
        }

        foreach (var (method, url, body) in writes)
        {
            (await stranger.SendAsync(new HttpRequestMessage(method, url) { Content = JsonContent.Create(body) })).StatusCode.ShouldBe(HttpStatusCode.NotFound, $"{method} {url}");
        }

        // The intruder's own workspace does not see the tenant's rows either.
        var own = Ws(intruder.WorkspaceId);
        (await stranger.GetAsync($"{own}/signals/{signal.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await stranger.PatchAsJsonAsync($"{own}/signals/{signal.Id}", new { triageStatus = "spam" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await stranger.GetAsync($"{own}/clusters/{cluster.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await stranger.PostAsJsonAsync($"{own}/clusters/{cluster.Id}/merge", new { otherClusterId = cluster2.Id })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await stranger.PostAsJsonAsync($"{own}/signals/{signal.Id}/move", new { clusterId = cluster2.Id })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await stranger.PostAsync($"{own}/clusters/suggestions/{suggestionId}/reject", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await stranger.GetAsync($"{own}/views/{viewId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await (await stranger.GetAsync($"{own}/signals")).ReadAsync<SignalPageDto>()).Items.ShouldBeEmpty();

        var (_, viewerToken) = await AddMemberAsync(factory, tenant, "viewer");
        using var viewer = factory.CreateClient(viewerToken);
        foreach (var (method, url, body) in writes)
        {
            (await viewer.SendAsync(new HttpRequestMessage(method, url) { Content = JsonContent.Create(body) })).StatusCode.ShouldBe(HttpStatusCode.Forbidden, $"{method} {url}");
        }

        await using (var db = factory.Database.CreateContext())
        {
            var row = await db.Signals.SingleAsync(s => s.Id == signal.Id);
            (row.TriageStatus, row.ClusterId, row.Version).ShouldBe((TriageStatus.New, (Guid?)cluster.Id, 0));
            (await db.DuplicateDecisions.SingleAsync(d => d.Id == suggestionId)).Decision.ShouldBe(DuplicateDecisionKind.Suggested);
            (await db.Clusters.SingleAsync(c => c.Id == cluster2.Id)).MergedIntoId.ShouldBeNull();
            (await db.SavedViews.SingleAsync(v => v.Id == viewId)).Name.ShouldBe("v");
            (await db.AuditLog.CountAsync(a => a.WorkspaceId == tenant.WorkspaceId && a.EntityType != "member" && a.EntityType != "workspace" && a.Action != "view.created")).ShouldBe(0);
        }
    }
}
