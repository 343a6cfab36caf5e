using GitMesh.Api.Tests.Triage;
using GitMesh.Data;
using GitMesh.Domain.Signals;
using GitMesh.TestCommon;
using static GitMesh.Api.Tests.Triage.TriageHttp;

namespace GitMesh.Api.Tests.Signals;

/// <summary>
/// A searched "newest" inbox page has two plans: join the ids of every match with the other filters, or (a common
/// search) walk the other filters' signals newest first and probe each against the index, falling back to reading
/// matches when the probe budget runs out. Settings force each plan; every plan must page exactly the same signals in the same order.
/// </summary>
public sealed class SearchedInboxPlanTests
{
    private static readonly (string Plan, Dictionary<string, string?> Settings)[] Plans =
    [
        ("join the match ids", new() { ["Api:SignalList:SearchMatchIdLimit"] = "1000000" }),
        ("probe candidates", new() { ["Api:SignalList:SearchMatchIdLimit"] = "0", ["Api:SignalList:SearchProbeBudget"] = "1000000" }),
        ("probe, then read the rest", new() { ["Api:SignalList:SearchMatchIdLimit"] = "0", ["Api:SignalList:SearchProbeBudget"] = "5" }),
    ];

    [Theory, Providers]
    public async Task Every_plan_pages_the_same_matches_newest_first_within_the_workspace(DatabaseProvider provider)
    {
        foreach (var (plan, settings) in Plans)
        {
            await using var factory = await ApiFactory.CreateAsync(provider, settings);
            var tenant = await factory.CreateTenantAsync();
            var other = await factory.CreateTenantAsync("Other");
            // Another workspace's signals match the same words and are newer: they must never appear.
            await new TriageSeed(factory, other.WorkspaceId).AddAsync(30, (i, s) => (s.Title, s.IngestedAt) = ("Export fails", DateTime.UtcNow.AddMinutes(i)));
            var signals = await new TriageSeed(factory, tenant.WorkspaceId).AddAsync(90, (i, s) =>
            {
                s.Title = i % 3 == 0 ? $"Export fails on run {i}" : $"Login page loops {i}";
                s.BodyText = i % 5 == 0 ? "The csv export is slow." : "Nothing more to say.";
                s.TriageStatus = i % 2 == 0 ? TriageStatus.New : TriageStatus.Triaged;
                s.Source = i % 7 == 0 ? "reddit" : "github";
                s.IsDeleted = i == 30;
            });
            using var client = factory.CreateClient(tenant.Token);

            var cases = new (string Query, Func<Signal, int, bool> Expected)[]
            {
                ("q=export&status=new&limit=4", (s, i) => (i % 3 == 0 || i % 5 == 0) && i % 2 == 0),
                ("q=export -csv&limit=3", (s, i) => i % 3 == 0 && i % 5 != 0),
                ("q=login&source=reddit&limit=2", (s, i) => i % 3 != 0 && i % 7 == 0),
                ("q=%22export fails%22&limit=50", (s, i) => i % 3 == 0),
                ("q=nowhere&limit=5", (_, _) => false),
            };
            foreach (var (query, matches) in cases)
            {
                var expected = signals.Select((s, i) => (s, i)).Where(x => !x.s.IsDeleted && matches(x.s, x.i))
                    .OrderByDescending(x => x.s.IngestedAt).Select(x => x.s.Id).ToList();
                var seen = new List<Guid>();
                string? cursor = null;
                var pages = 0;
                do
                {
                    var page = await (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/signals?{query}{(cursor is null ? "" : $"&cursor={cursor}")}")).ReadAsync<SignalPageDto>();
                    seen.AddRange(page.Items.Select(i => i.Id));
                    cursor = page.NextCursor;
                    pages++;
                    pages.ShouldBeLessThan(100, $"{plan}, {query}: paging must end");
                }
                while (cursor is not null);

                seen.ShouldBe(expected, $"{plan}, {query}");
            }
        }
    }
}
