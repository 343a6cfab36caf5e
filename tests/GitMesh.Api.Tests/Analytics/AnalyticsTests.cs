using System.Net;
using System.Net.Http.Json;
using GitMesh.Api.Tests.Triage;
using GitMesh.Data;
using GitMesh.TestCommon;
using static GitMesh.Api.Tests.Triage.TriageHttp;

namespace GitMesh.Api.Tests.Analytics;

public sealed record TimeseriesPointDto(DateTime BucketStart, Dictionary<string, int> Counts, int Total);

public sealed record TimeseriesDto(DateTime From, DateTime To, string Bucket, string By, List<string> Keys, List<TimeseriesPointDto> Points);

public sealed record TopClusterDto(Guid ClusterId, string Title, int Size, int Count, int PreviousCount, int Growth, double? GrowthRate);

public sealed record TopClustersDto(int WindowDays, List<TopClusterDto> Items);

public sealed record SpikeDto(string Kind, string Key, string? Title, int Count, int BaselineCount, double BaselineDailyRate, double Expected, double Ratio);

public sealed record SpikesDto(int WindowDays, int BaselineDays, string Rule, List<SpikeDto> Clusters, List<SpikeDto> ProductAreas);

public sealed class AnalyticsTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private static readonly DateTime Monday = new(2025, 3, 3, 0, 0, 0, DateTimeKind.Utc);

    [Theory, Providers]
    public async Task Timeseries_counts_per_day_and_week_by_key(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var seed = new TriageSeed(factory, tenant.WorkspaceId);
        await seed.AddAsync(
        [
            TriageSeed.Make(tenant.WorkspaceId, 1, s => { s.SourceCreatedAt = Monday.AddHours(1); s.ProductAreas = "Export,Search"; }),
            TriageSeed.Make(tenant.WorkspaceId, 2, s => { s.SourceCreatedAt = Monday.AddHours(23); s.Intent = "feature_request"; s.ProductAreas = "Export"; }),
            TriageSeed.Make(tenant.WorkspaceId, 3, s => { s.SourceCreatedAt = Monday.AddHours(5); s.Source = "reddit"; }),
            // No source time: the ingest time counts.
            TriageSeed.Make(tenant.WorkspaceId, 4, s => { s.SourceCreatedAt = null; s.IngestedAt = Monday.AddDays(1).AddHours(2); }),
            TriageSeed.Make(tenant.WorkspaceId, 5, s => { s.SourceCreatedAt = Monday.AddDays(7).AddHours(3); s.Source = "discord"; }),
            // Outside the range, and deleted: not counted.
            TriageSeed.Make(tenant.WorkspaceId, 6, s => s.SourceCreatedAt = Monday.AddDays(-1)),
            TriageSeed.Make(tenant.WorkspaceId, 7, s => { s.SourceCreatedAt = Monday.AddHours(2); s.IsDeleted = true; }),
        ]);
        using var client = factory.CreateClient(tenant.Token);
        var url = $"{Ws(tenant.WorkspaceId)}/analytics/timeseries?from=2025-03-03&to=2025-03-12";

        var days = await (await client.GetAsync(url + "&bucket=day&by=source")).ReadAsync<TimeseriesDto>();
        days.Points.Count.ShouldBe(9);
        days.Points[0].BucketStart.ShouldBe(Monday);
        days.Points[0].Counts.ShouldBe(new Dictionary<string, int> { ["github"] = 2, ["reddit"] = 1 }, ignoreOrder: true);
        days.Points[1].Counts.ShouldBe(new Dictionary<string, int> { ["github"] = 1 }, ignoreOrder: true);
        days.Points[7].Counts.ShouldBe(new Dictionary<string, int> { ["discord"] = 1 }, ignoreOrder: true);
        days.Points.Sum(p => p.Total).ShouldBe(5);
        days.Keys.ShouldBe(["github", "discord", "reddit"]);

        var weeks = await (await client.GetAsync(url + "&bucket=week&by=intent")).ReadAsync<TimeseriesDto>();
        weeks.Points.Select(p => p.BucketStart).ShouldBe([Monday, Monday.AddDays(7)]);
        weeks.Points[0].Counts.ShouldBe(new Dictionary<string, int> { ["bug"] = 3, ["feature_request"] = 1 }, ignoreOrder: true);
        weeks.Points[1].Counts.ShouldBe(new Dictionary<string, int> { ["bug"] = 1 }, ignoreOrder: true);

        var areas = await (await client.GetAsync(url + "&bucket=week&by=productArea")).ReadAsync<TimeseriesDto>();
        areas.Points[0].Counts.ShouldBe(new Dictionary<string, int> { ["Export"] = 2, ["Search"] = 1, ["(none)"] = 2 }, ignoreOrder: true);

        (await client.GetAsync(url + "&bucket=month")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.GetAsync(url + "&by=author")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/analytics/timeseries?from=2025-03-12&to=2025-03-03")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        // Another tenant's workspace does not exist for this caller.
        var other = await factory.CreateTenantAsync("Other");
        using var otherClient = factory.CreateClient(other.Token);
        (await otherClient.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory, Providers]
    public async Task Top_clusters_and_spikes_compare_the_window_with_before(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var seed = new TriageSeed(factory, tenant.WorkspaceId);
        var spiking = await seed.ClusterAsync("Export times out");
        var steady = await seed.ClusterAsync("Dark mode please");
        var now = DateTime.UtcNow;
        var signals = new List<GitMesh.Domain.Signals.Signal>();
        var i = 0;
        // Spiking: 6 in the last two days, 1 in the 28-day baseline (expected 0.25 in a week).
        for (var k = 0; k < 6; k++)
        {
            signals.Add(TriageSeed.Make(tenant.WorkspaceId, i++, s => { s.ClusterId = spiking.Id; s.SourceCreatedAt = now.AddHours(-1 - (k * 6)); s.ProductAreas = "Billing"; }));
        }

        signals.Add(TriageSeed.Make(tenant.WorkspaceId, i++, s => { s.ClusterId = spiking.Id; s.SourceCreatedAt = now.AddDays(-20); }));
        // Steady: one signal every 1.75 days over 35 days: 4 in the window, 16 in the baseline, 4 in the previous week.
        for (var k = 0; k < 20; k++)
        {
            signals.Add(TriageSeed.Make(tenant.WorkspaceId, i++, s => { s.ClusterId = steady.Id; s.SourceCreatedAt = now.AddDays(-0.5 - (k * 1.75)); s.ProductAreas = "Themes"; }));
        }

        await seed.AddAsync(signals);
        using var client = factory.CreateClient(tenant.Token);

        var top = await (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/analytics/top-clusters?window=7")).ReadAsync<TopClustersDto>();
        top.Items.Select(c => (c.ClusterId, c.Count, c.PreviousCount)).ShouldBe([(spiking.Id, 6, 0), (steady.Id, 4, 4)]);
        top.Items[0].Growth.ShouldBe(6);
        top.Items[0].GrowthRate.ShouldBeNull();
        top.Items[1].GrowthRate.ShouldBe(0);

        var spikes = await (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/analytics/spikes?window=7&baseline=28")).ReadAsync<SpikesDto>();
        spikes.Rule.ShouldContain("at least 5 signals");
        spikes.Clusters.Select(c => (c.Key, c.Title, c.Count, c.BaselineCount)).ShouldBe([(spiking.Id.ToString(), "Export times out", 6, 1)]);
        spikes.Clusters[0].Expected.ShouldBe(0.25);
        spikes.ProductAreas.Select(a => (a.Key, a.Count, a.BaselineCount)).ShouldBe([("Billing", 6, 0)]);

        (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/analytics/spikes?window=0")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}
