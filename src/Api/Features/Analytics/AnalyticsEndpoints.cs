using System.Globalization;
using GitMesh.Api.Features.Triage;
using GitMesh.Api.Features.Workspaces;
using GitMesh.Api.Http;
using GitMesh.Data;
using GitMesh.Domain.Signals;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;

namespace GitMesh.Api.Features.Analytics;

public sealed record TimeseriesPoint(DateTime BucketStart, IReadOnlyDictionary<string, int> Counts, int Total);

/// <param name="Keys">Every key seen in the range, most signals first.</param>
public sealed record TimeseriesResponse(DateTime From, DateTime To, string Bucket, string By, IReadOnlyList<string> Keys, IReadOnlyList<TimeseriesPoint> Points);

public sealed record TopClusterItem(Guid ClusterId, string Title, int Size, int Count, int PreviousCount, int Growth, double? GrowthRate);

public sealed record TopClustersResponse(int WindowDays, DateTime WindowStart, DateTime WindowEnd, IReadOnlyList<TopClusterItem> Items);

public sealed record SpikeItem(string Kind, string Key, string? Title, int Count, int BaselineCount, double BaselineDailyRate, double Expected, double Ratio);

public sealed record SpikesResponse(int WindowDays, int BaselineDays, DateTime WindowStart, DateTime BaselineStart, string Rule, IReadOnlyList<SpikeItem> Clusters, IReadOnlyList<SpikeItem> ProductAreas);

/// <summary>
/// Read-only aggregates over the signals of a workspace. Every date is the moment the signal was said (source time,
/// else ingest time), in UTC. Queries group by calendar day in SQL (translated by both providers); weeks and keys
/// derived from comma-separated columns are built from those day rows in C#.
/// </summary>
public static class AnalyticsEndpoints
{
    public const double SpikeFactor = 3.0;
    public const int SpikeMinimumCount = 5;
    private const int MaxRangeDays = 366 * 2;
    private const string NoneKey = "(none)";

    public static IEndpointRouteBuilder MapAnalyticsEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/workspaces/{workspaceId:guid}/analytics").WithTags("Analytics").RequireWorkspaceAccess();
        group.MapGet("/timeseries", TimeseriesAsync)
            .WithSummary("Signal counts per day or week (UTC, weeks start on Monday), split by source, intent, sentiment or product area.")
            .WithQueryParameters([
                new("from", "First day (UTC, yyyy-MM-dd); default 30 days before 'to'.", Format: "date"),
                new("to", "Day after the last one (UTC, yyyy-MM-dd); default tomorrow.", Format: "date"),
                new("bucket", "Bucket size.", Values: ["day", "week"], Default: "day"),
                new("by", "Series to split by.", Values: ["source", "intent", "sentiment", "productArea"], Default: "source")]);
        group.MapGet("/top-clusters", TopClustersAsync)
            .WithSummary("Clusters with the most signals in the last `window` days, with growth against the window before.")
            .WithQueryParameters([
                new("window", "Window in days, 1–365.", JsonSchemaType.Integer, Minimum: 1, Maximum: 365, Default: "7"),
                new("limit", "Number of clusters, 1–100.", JsonSchemaType.Integer, Minimum: 1, Maximum: 100, Default: "20")]);
        group.MapGet("/spikes", SpikesAsync)
            .WithSummary("Clusters and product areas whose count in the window is at least 3x their baseline daily rate times the window, and at least 5.")
            .WithQueryParameters([
                new("window", "Window in days, 1–90.", JsonSchemaType.Integer, Minimum: 1, Maximum: 90, Default: "7"),
                new("baseline", "Baseline period before the window, in days, 1–365.", JsonSchemaType.Integer, Minimum: 1, Maximum: 365, Default: "28")]);
        return app;
    }

    private sealed record DayCount(DateTime Day, string? Key, int Count);

    private static async Task<Results<Ok<TimeseriesResponse>, ValidationProblem>> TimeseriesAsync(
        HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var query = http.Request.Query;
        var validation = new Validation();
        foreach (var key in query.Keys.Where(k => k is not ("from" or "to" or "bucket" or "by")))
        {
            validation.Add(key, $"Unknown query parameter '{key}'.");
        }

        var today = time.GetUtcNow().UtcDateTime.Date;
        var to = ParseDay(query["to"], "to", validation) ?? today.AddDays(1);
        var from = ParseDay(query["from"], "from", validation) ?? to.AddDays(-30);
        var bucket = query["bucket"].ToString() is { Length: > 0 } b ? b.ToLowerInvariant() : "day";
        var by = query["by"].ToString() is { Length: > 0 } y ? y : "source";
        validation.Check(bucket is "day" or "week", "bucket", "'bucket' must be day or week.");
        validation.Check(by is "source" or "intent" or "sentiment" or "productArea", "by", "'by' must be source, intent, sentiment or productArea.");
        validation.Check(from < to, "from", "'from' must be before 'to'.");
        validation.Check((to - from).TotalDays <= MaxRangeDays, "to", $"The range may span at most {MaxRangeDays} days.");
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var rows = await DayCountsAsync(db, from, to, by, ct);
        var week = bucket == "week";
        var buckets = new SortedDictionary<DateTime, Dictionary<string, int>>();
        for (var start = week ? WeekStart(from) : from; start < to; start = start.AddDays(week ? 7 : 1))
        {
            buckets[start] = new Dictionary<string, int>(StringComparer.Ordinal);
        }

        var totals = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var start = week ? WeekStart(row.Day) : row.Day;
            if (!buckets.TryGetValue(start, out var counts))
            {
                continue;
            }

            foreach (var key in KeysOf(row.Key, by))
            {
                counts[key] = counts.GetValueOrDefault(key) + row.Count;
                totals[key] = totals.GetValueOrDefault(key) + row.Count;
            }
        }

        var keys = totals.OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key).ToList();
        // For productArea a signal counts once per area, so Total is the number of signals only when grouping by a single-valued field.
        var points = buckets.Select(p => new TimeseriesPoint(p.Key, p.Value, p.Value.Values.Sum())).ToList();
        return TypedResults.Ok(new TimeseriesResponse(from, to, bucket, by, keys, points));
    }

    private static async Task<List<DayCount>> DayCountsAsync(GitMeshDbContext db, DateTime from, DateTime to, string by, CancellationToken ct)
    {
        var signals = db.Signals.Where(s => !s.IsDeleted && (s.SourceCreatedAt ?? s.IngestedAt) >= from && (s.SourceCreatedAt ?? s.IngestedAt) < to);
        var keyed = by switch
        {
            "intent" => signals.Select(s => new { At = s.SourceCreatedAt ?? s.IngestedAt, Key = s.Intent }),
            "sentiment" => signals.Select(s => new { At = s.SourceCreatedAt ?? s.IngestedAt, Key = s.Sentiment }),
            "productArea" => signals.Select(s => new { At = s.SourceCreatedAt ?? s.IngestedAt, Key = s.ProductAreas }),
            _ => signals.Select(s => new { At = s.SourceCreatedAt ?? s.IngestedAt, Key = (string?)s.Source }),
        };
        var grouped = await keyed.GroupBy(x => new { x.At.Date, x.Key }).Select(g => new { g.Key.Date, g.Key.Key, Count = g.Count() }).ToListAsync(ct);
        return grouped.Select(g => new DayCount(DateTime.SpecifyKind(g.Date, DateTimeKind.Utc), g.Key, g.Count)).ToList();
    }

    private static IEnumerable<string> KeysOf(string? value, string by)
    {
        if (by != "productArea")
        {
            return [string.IsNullOrEmpty(value) ? NoneKey : value];
        }

        var areas = SignalFilter.SplitList(value);
        return areas.Count == 0 ? [NoneKey] : areas.Distinct(StringComparer.Ordinal);
    }

    private static DateTime WeekStart(DateTime day) => day.Date.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    private static DateTime? ParseDay(string? value, string field, Validation validation)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            // Buckets are whole UTC days.
            return parsed.UtcDateTime.Date;
        }

        validation.Add(field, $"'{value}' is not an ISO 8601 date.");
        return null;
    }

    private static int ParseDays(string? raw, string field, int defaultValue, int max, Validation validation)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return defaultValue;
        }

        if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days >= 1 && days <= max)
        {
            return days;
        }

        validation.Add(field, $"'{field}' must be a whole number of days from 1 to {max}.");
        return defaultValue;
    }

    private static async Task<Results<Ok<TopClustersResponse>, ValidationProblem>> TopClustersAsync(
        HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var query = http.Request.Query;
        var validation = new Validation();
        foreach (var key in query.Keys.Where(k => k is not ("window" or "limit")))
        {
            validation.Add(key, $"Unknown query parameter '{key}'.");
        }

        var window = ParseDays(query["window"], "window", 7, 365, validation);
        var limit = Signals.SignalEndpoints.ParseLimit(query["limit"], 20, 100, validation);
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var now = time.GetUtcNow().UtcDateTime;
        var start = now.AddDays(-window);
        var previousStart = start.AddDays(-window);
        var counts = await WindowCountsAsync(db, previousStart, start, now, s => s.ClusterId, ct);
        var top = counts.Where(c => c.Key is not null && c.Current > 0)
            .OrderByDescending(c => c.Current).ThenByDescending(c => c.Current - c.Previous).ThenBy(c => c.Key)
            .Take(limit).ToList();
        var ids = top.Select(c => c.Key!.Value).ToList();
        var clusters = await db.Clusters.AsNoTracking().Where(c => ids.Contains(c.Id)).Select(c => new { c.Id, c.Title, c.Size }).ToDictionaryAsync(c => c.Id, ct);
        var items = top.Where(c => clusters.ContainsKey(c.Key!.Value)).Select(c =>
        {
            var cluster = clusters[c.Key!.Value];
            return new TopClusterItem(cluster.Id, cluster.Title, cluster.Size, c.Current, c.Previous, c.Current - c.Previous,
                c.Previous == 0 ? null : Math.Round((double)(c.Current - c.Previous) / c.Previous, 4));
        }).ToList();
        return TypedResults.Ok(new TopClustersResponse(window, start, now, items));
    }

    private sealed record WindowCount<TKey>(TKey Key, int Current, int Previous);

    /// <summary>Per key: signals said in [<paramref name="start"/>, <paramref name="end"/>) and in [<paramref name="previousStart"/>, <paramref name="start"/>).</summary>
    private static async Task<List<WindowCount<TKey>>> WindowCountsAsync<TKey>(
        GitMeshDbContext db, DateTime previousStart, DateTime start, DateTime end, System.Linq.Expressions.Expression<Func<Signal, TKey>> key, CancellationToken ct)
    {
        var grouped = await db.Signals
            .Where(s => !s.IsDeleted && (s.SourceCreatedAt ?? s.IngestedAt) >= previousStart && (s.SourceCreatedAt ?? s.IngestedAt) < end)
            .GroupBy(key)
            .Select(g => new
            {
                g.Key,
                Current = g.Count(s => (s.SourceCreatedAt ?? s.IngestedAt) >= start),
                Previous = g.Count(s => (s.SourceCreatedAt ?? s.IngestedAt) < start),
            })
            .ToListAsync(ct);
        return grouped.Select(g => new WindowCount<TKey>(g.Key, g.Current, g.Previous)).ToList();
    }

    private static async Task<Results<Ok<SpikesResponse>, ValidationProblem>> SpikesAsync(
        HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var query = http.Request.Query;
        var validation = new Validation();
        foreach (var key in query.Keys.Where(k => k is not ("window" or "baseline")))
        {
            validation.Add(key, $"Unknown query parameter '{key}'.");
        }

        var window = ParseDays(query["window"], "window", 7, 90, validation);
        var baseline = ParseDays(query["baseline"], "baseline", 28, 365, validation);
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var now = time.GetUtcNow().UtcDateTime;
        var start = now.AddDays(-window);
        var baselineStart = start.AddDays(-baseline);

        var clusterCounts = await WindowCountsAsync(db, baselineStart, start, now, s => s.ClusterId, ct);
        var clusterSpikes = clusterCounts.Where(c => c.Key is not null)
            .Select(c => Spike("cluster", c.Key!.Value.ToString(), c.Current, c.Previous, window, baseline))
            .OfType<SpikeItem>().ToList();
        var ids = clusterSpikes.Select(s => Guid.Parse(s.Key)).ToList();
        var titles = await db.Clusters.AsNoTracking().Where(c => ids.Contains(c.Id)).Select(c => new { c.Id, c.Title }).ToDictionaryAsync(c => c.Id, c => c.Title, ct);
        clusterSpikes = clusterSpikes.Select(s => s with { Title = titles.GetValueOrDefault(Guid.Parse(s.Key)) })
            .OrderByDescending(s => s.Ratio).ThenByDescending(s => s.Count).ToList();

        // Product areas are a comma-separated column: count per distinct column value in SQL, then per area here.
        var areaRows = await WindowCountsAsync(db, baselineStart, start, now, s => s.ProductAreas, ct);
        var areas = new Dictionary<string, (int Current, int Previous)>(StringComparer.OrdinalIgnoreCase);
        foreach (var row in areaRows)
        {
            foreach (var area in SignalFilter.SplitList(row.Key).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                var c = areas.GetValueOrDefault(area);
                areas[area] = (c.Current + row.Current, c.Previous + row.Previous);
            }
        }

        var areaSpikes = areas.Select(a => Spike("productArea", a.Key, a.Value.Current, a.Value.Previous, window, baseline))
            .OfType<SpikeItem>().OrderByDescending(s => s.Ratio).ThenByDescending(s => s.Count).ToList();
        var rule = $"A spike is a cluster or product area with at least {SpikeMinimumCount} signals in the last {window} days, and at least "
            + $"{SpikeFactor.ToString(CultureInfo.InvariantCulture)}x its expected count: its daily rate over the {baseline} days before the window, times {window}.";
        return TypedResults.Ok(new SpikesResponse(window, baseline, start, baselineStart, rule, clusterSpikes, areaSpikes));
    }

    private static SpikeItem? Spike(string kind, string key, int count, int baselineCount, int window, int baseline)
    {
        var rate = (double)baselineCount / baseline;
        var expected = rate * window;
        if (count < SpikeMinimumCount || count < SpikeFactor * expected)
        {
            return null;
        }

        // No baseline at all: report the ratio against a floor of one signal over the baseline, so it stays finite.
        var ratio = count / Math.Max(expected, (double)window / baseline);
        return new SpikeItem(kind, key, null, count, baselineCount, Math.Round(rate, 4), Math.Round(expected, 4), Math.Round(ratio, 2));
    }
}
