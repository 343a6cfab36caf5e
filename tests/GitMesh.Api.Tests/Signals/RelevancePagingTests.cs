using GitMesh.Api.Tests.Triage;
using GitMesh.Data;
using GitMesh.TestCommon;
using static GitMesh.Api.Tests.Triage.TriageHttp;

namespace GitMesh.Api.Tests.Signals;

/// <summary>
/// sort=relevance ranks the matches in windows of the search index, newest window first (Api:SignalList:
/// RelevanceWindowMatches; 0 ranks all at once). Either way paging returns every match present at the first page
/// exactly once, signals arriving meanwhile do not disturb it, and title matches lead within a window.
/// </summary>
public sealed class RelevancePagingTests
{
    [Theory, Providers]
    public async Task Relevance_pages_cover_every_match_once_in_windows_or_exactly(DatabaseProvider provider)
    {
        foreach (var window in new[] { 0, 6 })
        {
            await using var factory = await ApiFactory.CreateAsync(provider, new Dictionary<string, string?> { ["Api:SignalList:RelevanceWindowMatches"] = window.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            var tenant = await factory.CreateTenantAsync();
            var other = await factory.CreateTenantAsync("Other");
            var seed = new TriageSeed(factory, tenant.WorkspaceId);
            var signals = new List<GitMesh.Domain.Signals.Signal>();
            for (var i = 0; i < 45; i++)
            {
                // One at a time, so the index holds them in this order; every third mentions the word in its title.
                signals.AddRange(await seed.AddAsync(1, (_, s) =>
                {
                    s.Title = i % 3 == 0 ? $"Export to csv breaks {i}" : $"Report {i}";
                    s.BodyText = i % 3 == 0 ? "Details inside." : i % 3 == 1 ? "The export button does nothing." : "Unrelated words here.";
                    s.Source = i % 4 == 0 ? "reddit" : "github";
                }, offset: i));
                if (i % 9 == 0)
                {
                    await new TriageSeed(factory, other.WorkspaceId).AddAsync(1, (_, s) => s.Title = "Export in another workspace", offset: i);
                }
            }

            var titled = signals.Where((_, i) => i % 3 == 0).Select(s => s.Id).ToHashSet();
            var matching = signals.Where((_, i) => i % 3 != 2).Select(s => s.Id).ToList();
            var arrived = new List<Guid>();
            using var client = factory.CreateClient(tenant.Token);

            foreach (var (query, expected) in new[] { ("q=export", matching), ("q=export&source=reddit", signals.Where((s, i) => i % 3 != 2 && s.Source == "reddit").Select(s => s.Id).ToList()) })
            {
                var seen = new List<Guid>();
                string? cursor = null;
                var pages = 0;
                do
                {
                    var page = await (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/signals?{query}&sort=relevance&limit=4{(cursor is null ? "" : $"&cursor={cursor}")}")).ReadAsync<SignalPageDto>();
                    seen.AddRange(page.Items.Select(i => i.Id));
                    cursor = page.NextCursor;
                    if (pages++ == 0)
                    {
                        // A newer match arrives after the first page: it is not part of this paging.
                        arrived.AddRange((await seed.AddAsync(1, (_, s) => s.Title = "Export arrived later", offset: 1_000 + arrived.Count)).Select(s => s.Id));
                    }

                    pages.ShouldBeLessThan(60, "paging must end");
                }
                while (cursor is not null);

                seen.Distinct().Count().ShouldBe(seen.Count, $"window {window}, {query}: no signal twice");
                seen.ShouldBe(expected, ignoreOrder: true, $"window {window}, {query}: every match present at the first page, once");
            }

            titled.UnionWith(arrived);
            matching.AddRange(arrived);
            var first = await (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/signals?q=export&sort=relevance&limit=50")).ReadAsync<SignalPageDto>();
            var ids = first.Items.Select(i => i.Id).ToList();
            if (window == 0)
            {
                // One ranking: every title match before every body-only match.
                ids.Count.ShouldBe(matching.Count);
                ids.Take(titled.Count).ShouldBe(titled, ignoreOrder: true);
            }
            else
            {
                // Newest window first: it leads with a title match among the newest matches, and the ranking is not
                // the exact one (an old title match comes after newer body-only matches).
                titled.ShouldContain(ids[0]);
                matching.IndexOf(ids[0]).ShouldBeGreaterThanOrEqualTo(matching.Count - 18);
                ids.Count.ShouldBe(matching.Count);
                ids.IndexOf(signals[0].Id).ShouldBeGreaterThan(ids.FindIndex(id => !titled.Contains(id)));
            }
        }
    }
}
