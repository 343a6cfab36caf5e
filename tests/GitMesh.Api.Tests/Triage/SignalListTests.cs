using System.Net;
using System.Net.Http.Json;
using GitMesh.Data;
using GitMesh.Domain.Signals;
using GitMesh.TestCommon;
using static GitMesh.Api.Tests.Triage.TriageHttp;

namespace GitMesh.Api.Tests.Triage;

public sealed class SignalListTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Theory, Providers]
    public async Task Each_filter_search_syntax_sort_and_facets_select_the_right_signals(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var seed = new TriageSeed(factory, tenant.WorkspaceId);
        var big = await seed.ClusterAsync("big");
        var small = await seed.ClusterAsync("small");
        var alice = await seed.AuthorAsync("alice");
        var signals = await seed.AddAsync(6, (i, s) =>
        {
            (s.Title, s.BodyText) = i switch
            {
                0 => ("Export button broken", "The export button does nothing in Safari."),
                1 => ("Dark theme please", "Would love a dark theme for the dashboard."),
                2 => ("Export to CSV", "Exporting to CSV works but the button is slow."),
                3 => ("Login loop", "I keep getting sent back to the login page."),
                4 => ("Safari rendering", "Charts render badly in Safari."),
                _ => ("Praise", new string('x', 300) + " end"),
            };
            s.Source = i % 2 == 0 ? "github" : "reddit";
            s.Kind = i == 3 ? "comment" : "issue";
            s.Intent = i switch { 1 => "feature_request", 5 => "praise", _ => "bug" };
            s.Sentiment = i == 5 ? "positive" : "negative";
            s.Urgency = i == 3 ? "high" : "normal";
            s.TriageStatus = i == 4 ? TriageStatus.Dismissed : i == 2 ? TriageStatus.Triaged : TriageStatus.New;
            s.ProductAreas = i is 0 or 2 ? "Export,Dashboard" : i == 1 ? "Dashboard" : null;
            s.Tags = i == 0 ? "p1,safari" : null;
            s.AssigneeUserId = i == 3 ? tenant.UserId : null;
            s.ClusterId = i is 0 or 2 or 4 ? big.Id : i == 1 ? small.Id : null;
            s.AuthorId = i == 0 ? alice.Id : null;
            s.SourceCreatedAt = new DateTime(2025, 3, 1 + i, 0, 0, 0, DateTimeKind.Utc);
        });
        using var client = factory.CreateClient(tenant.Token);
        async Task<List<int>> Find(string query)
        {
            var page = await (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/signals?{query}")).ReadAsync<SignalPageDto>();
            return page.Items.Select(item => signals.FindIndex(s => s.Id == item.Id)).Order().ToList();
        }

        (await Find("")).ShouldBe([0, 1, 2, 3, 4, 5]);
        (await Find("source=reddit")).ShouldBe([1, 3, 5]);
        (await Find("kind=comment")).ShouldBe([3]);
        (await Find("intent=feature_request&intent=praise")).ShouldBe([1, 5]);
        (await Find("intent=feature_request,praise")).ShouldBe([1, 5]);
        (await Find("sentiment=positive")).ShouldBe([5]);
        (await Find("urgency=high")).ShouldBe([3]);
        (await Find("status=dismissed,triaged")).ShouldBe([2, 4]);
        (await Find("productArea=export")).ShouldBe([0, 2]);
        (await Find("productArea=dashboard")).ShouldBe([0, 1, 2]);
        (await Find("assignee=me")).ShouldBe([3]);
        (await Find($"assignee={tenant.UserId}")).ShouldBe([3]);
        (await Find("assignee=none&source=reddit")).ShouldBe([1, 5]);
        (await Find($"clusterId={small.Id}")).ShouldBe([1]);
        (await Find("author=alice")).ShouldBe([0]);
        (await Find("tag=safari")).ShouldBe([0]);
        (await Find("from=2025-03-02&to=2025-03-04")).ShouldBe([1, 2]);
        (await Find("hasLink=false")).ShouldBe([0, 1, 2, 3, 4, 5]);
        (await Find("hasLink=true")).ShouldBeEmpty();

        (await Find("q=safari")).ShouldBe([0, 4]);
        (await Find("q=%22export button%22")).ShouldBe([0]);
        (await Find("q=login OR theme")).ShouldBe([1, 3]);
        (await Find("q=export -safari")).ShouldBe([2]);
        (await Find("q=safari&status=new")).ShouldBe([0]);

        var relevance = await (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/signals?q=safari&sort=relevance")).ReadAsync<SignalPageDto>();
        relevance.Items.Select(i => i.Id).ShouldBe([signals[4].Id, signals[0].Id], "the title match ranks first");
        var bySize = await (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/signals?sort=cluster_size")).ReadAsync<SignalPageDto>();
        bySize.Items.Select(i => i.ClusterSize ?? 0).ShouldBe([3, 3, 3, 1, 0, 0]);
        var newest = await (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/signals?facets=true")).ReadAsync<SignalPageDto>();
        newest.Items.Select(i => i.Id).ShouldBe(signals.Select(s => s.Id).Reverse());
        newest.Facets!["source"].ShouldBe(new Dictionary<string, int> { ["github"] = 3, ["reddit"] = 3 }, ignoreOrder: true);
        newest.Facets["status"]["new"].ShouldBe(4);
        newest.Facets["intent"]["bug"].ShouldBe(4);

        var first = newest.Items.Single(i => i.Id == signals[0].Id);
        first.Author.ShouldBe(new SignalAuthorDto("alice", "ALICE", "https://example.test/alice"));
        first.ProductAreas.ShouldBe(["Export", "Dashboard"]);
        first.Tags.ShouldBe(["p1", "safari"]);
        first.TriageStatus.ShouldBe("new");
        first.ClusterId.ShouldBe(big.Id);
        var longOne = newest.Items.Single(i => i.Id == signals[5].Id);
        longOne.Excerpt!.Length.ShouldBeLessThanOrEqualTo(281);
        longOne.Excerpt.ShouldEndWith("…");
        var raw = await client.GetStringAsync($"{Ws(tenant.WorkspaceId)}/signals?limit=1");
        raw.ShouldNotContain("facets");

        foreach (var bad in new[] { "status=open", "sort=best", "limit=0", "limit=201", "cursor=nonsense", "sort=relevance", "from=yesterday", "colour=blue" })
        {
            (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/signals?{bad}")).StatusCode.ShouldBe(HttpStatusCode.BadRequest, bad);
        }
    }

    [Theory, Providers]
    public async Task Paging_returns_every_signal_exactly_once_while_new_signals_arrive(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var seed = new TriageSeed(factory, tenant.WorkspaceId);
        var cluster = await seed.ClusterAsync();
        // Groups of three share an ingest time, so the id tie-break matters.
        var original = await seed.AddAsync(100, (i, s) =>
        {
            s.IngestedAt = new DateTime(2025, 2, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(i / 3);
            s.ClusterId = i % 4 == 0 ? cluster.Id : null;
        });
        using var client = factory.CreateClient(tenant.Token);
        var expected = original.Select(s => s.Id).ToList();
        var arrived = new List<Guid>();

        foreach (var sort in new[] { "newest", "cluster_size", "velocity" })
        {
            var seen = new List<Guid>();
            string? cursor = null;
            var pages = 0;
            do
            {
                var page = await (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/signals?sort={sort}&limit=7{(cursor is null ? "" : $"&cursor={cursor}")}")).ReadAsync<SignalPageDto>();
                seen.AddRange(page.Items.Select(i => i.Id));
                cursor = page.NextCursor;
                if (sort == "newest")
                {
                    // New arrivals sort before the cursor: they never show up in later pages, and nothing is skipped.
                    arrived.AddRange((await seed.AddAsync(2, (i, s) => s.IngestedAt = DateTime.UtcNow, offset: 1_000 + (pages * 2))).Select(s => s.Id));
                }

                pages++;
            }
            while (cursor is not null);

            seen.Count.ShouldBe(seen.Distinct().Count(), $"{sort}: no signal twice");
            seen.ShouldBe(expected, ignoreOrder: true, $"{sort}: every signal present at the start, once");
            pages.ShouldBe((expected.Count + 6) / 7);
            expected.AddRange(arrived);
            arrived.Clear();
        }

        var search = new List<Guid>();
        string? next = null;
        do
        {
            var page = await (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/signals?q=plain&sort=relevance&limit=9{(next is null ? "" : $"&cursor={next}")}")).ReadAsync<SignalPageDto>();
            search.AddRange(page.Items.Select(i => i.Id));
            next = page.NextCursor;
        }
        while (next is not null);

        search.Count.ShouldBe(search.Distinct().Count());
        search.Count.ShouldBe(100 + 30, "the originals and every signal added while paging");
        (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/signals?sort=velocity&cursor={next ?? "x"}")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Theory, Providers]
    public async Task Detail_has_thread_author_and_cluster_and_deleted_signals_are_hidden(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var seed = new TriageSeed(factory, tenant.WorkspaceId);
        var cluster = await seed.ClusterAsync("Crash on start");
        var parent = TriageSeed.Make(tenant.WorkspaceId, 1, s => { s.ExternalId = "p-1"; s.ClusterId = cluster.Id; });
        var reply = TriageSeed.Make(tenant.WorkspaceId, 2, s => { s.ExternalId = "c-1"; s.ParentExternalId = "p-1"; });
        var reply2 = TriageSeed.Make(tenant.WorkspaceId, 3, s => { s.ExternalId = "c-2"; s.ParentExternalId = "p-1"; });
        var deleted = TriageSeed.Make(tenant.WorkspaceId, 4, s => { s.ExternalId = "c-3"; s.ParentExternalId = "p-1"; s.IsDeleted = true; });
        await seed.AddAsync([parent, reply, reply2, deleted]);
        using var client = factory.CreateClient(tenant.Token);

        var detail = await (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/signals/{parent.Id}")).ReadAsync<SignalDetailDto>();
        detail.Children.Select(c => c.ExternalId).ShouldBe(["c-1", "c-2"]);
        detail.Parent.ShouldBeNull();
        detail.Cluster!.Title.ShouldBe("Crash on start");
        detail.Cluster.Size.ShouldBe(1);
        var child = await (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/signals/{reply.Id}")).ReadAsync<SignalDetailDto>();
        child.Parent!.ExternalId.ShouldBe("p-1");
        (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/signals/{deleted.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var list = await (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/signals")).ReadAsync<SignalPageDto>();
        list.Items.Select(i => i.Id).ShouldNotContain(deleted.Id);
        list.Items.Count.ShouldBe(3);
    }
}
