using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using GitMesh.Api.Features.Signals;
using GitMesh.Data;
using GitMesh.Domain.Signals;
using GitMesh.Search;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Features.Triage;

public sealed record SignalAuthorResponse(string Username, string? DisplayName, string? ProfileUrl);

/// <summary>One row of the signal inbox. The dashboard codes against this shape (frontend/src/api/types.ts).</summary>
public sealed record SignalListItem(
    Guid Id,
    string Source,
    string Kind,
    string ExternalId,
    string? Url,
    string? Title,
    string? Excerpt,
    SignalAuthorResponse? Author,
    DateTime? SourceCreatedAt,
    DateTime IngestedAt,
    string? Intent,
    double? IntentConfidence,
    string? Sentiment,
    string? Urgency,
    IReadOnlyList<string> ProductAreas,
    Guid? ClusterId,
    int? ClusterSize,
    string TriageStatus,
    IReadOnlyList<string> Tags);

public sealed record SignalPage(
    IReadOnlyList<SignalListItem> Items,
    string? NextCursor,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>>? Facets);

public enum SignalSort
{
    Newest,
    Relevance,
    ClusterSize,
    Velocity,
}

/// <summary>
/// Keyset pagination over the filtered signals. Every sort ends in (ingested_at desc, id desc), so the order is total
/// and the cursor (the last row's keys) says exactly where the next page starts. Signals ingested after the first
/// page sort before the cursor under "newest", so paging never repeats or skips one. "cluster_size" and "velocity"
/// lead with a value that changes as signals arrive; a row whose key changes between pages may move across the cursor.
/// "relevance" ranks windows of the search index, newest first, and walks a window's ranking from the cursor's
/// position (see <see cref="RelevancePageAsync"/>).
/// </summary>
internal static class SignalListing
{
    public const int ExcerptLength = 280;
    public const int DefaultVelocityWindowDays = 7;

    internal sealed class Row
    {
        public Guid Id { get; init; }
        public required string Source { get; init; }
        public required string Kind { get; init; }
        public required string ExternalId { get; init; }
        public string? Url { get; init; }
        public string? Title { get; init; }
        public string? Excerpt { get; init; }
        public string? AuthorUsername { get; init; }
        public string? AuthorDisplayName { get; init; }
        public string? AuthorProfileUrl { get; init; }
        public DateTime? SourceCreatedAt { get; init; }
        public DateTime IngestedAt { get; init; }
        public string? Intent { get; init; }
        public double? IntentConfidence { get; init; }
        public string? Sentiment { get; init; }
        public string? Urgency { get; init; }
        public string? ProductAreas { get; init; }
        public Guid? ClusterId { get; init; }
        public int? ClusterSize { get; init; }
        public TriageStatus TriageStatus { get; init; }
        public string? Tags { get; init; }
        public long Key { get; init; }
    }

    public static bool TryParseSort(string? value, out SignalSort sort)
    {
        sort = SignalSort.Newest;
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "" or "newest":
                return true;
            case "relevance":
                sort = SignalSort.Relevance;
                return true;
            case "cluster_size":
                sort = SignalSort.ClusterSize;
                return true;
            case "velocity":
                sort = SignalSort.Velocity;
                return true;
            default:
                return false;
        }
    }

    public static string SortName(SignalSort sort) => sort switch
    {
        SignalSort.Relevance => "relevance",
        SignalSort.ClusterSize => "cluster_size",
        SignalSort.Velocity => "velocity",
        _ => "newest",
    };

    public static IQueryable<Row> Project(GitMeshDbContext db, IQueryable<Signal> signals, SignalSort sort, DateTime velocitySince) =>
        from s in signals
        join a in db.Authors on s.AuthorId equals a.Id into authors
        from a in authors.DefaultIfEmpty()
        join c in db.Clusters on s.ClusterId equals c.Id into clusters
        from c in clusters.DefaultIfEmpty()
        select new Row
        {
            Id = s.Id,
            Source = s.Source,
            Kind = s.Kind,
            ExternalId = s.ExternalId,
            Url = s.Url,
            Title = s.Title,
            // One character more than shown, to know whether to add an ellipsis; the rest of the body stays in the database.
            Excerpt = s.BodyText == null ? null : s.BodyText.Substring(0, ExcerptLength + 1),
            AuthorUsername = a == null ? null : a.Username,
            AuthorDisplayName = a == null ? null : a.DisplayName,
            AuthorProfileUrl = a == null ? null : a.ProfileUrl,
            SourceCreatedAt = s.SourceCreatedAt,
            IngestedAt = s.IngestedAt,
            Intent = s.Intent,
            IntentConfidence = s.IntentConfidence,
            Sentiment = s.Sentiment,
            Urgency = s.Urgency,
            ProductAreas = s.ProductAreas,
            ClusterId = s.ClusterId,
            ClusterSize = c == null ? null : c.Size,
            TriageStatus = s.TriageStatus,
            Tags = s.Tags,
            Key = sort == SignalSort.ClusterSize
                ? (c == null ? 0 : c.Size)
                : sort == SignalSort.Velocity
                    ? db.Signals.Count(o => o.ClusterId != null && o.ClusterId == s.ClusterId && !o.IsDeleted && o.IngestedAt >= velocitySince)
                    : 0L,
        };

    public static async Task<(List<Row> Rows, string? NextCursor)> PageAsync(
        GitMeshDbContext db, ISignalSearchIndex search, Guid workspaceId, SignalFilter filter, SignalSort sort, int limit, Cursor? cursor, DateTime now,
        SignalListOptions options, CancellationToken ct)
    {
        if (sort == SignalSort.Relevance)
        {
            return await RelevancePageAsync(db, search, workspaceId, filter, limit, cursor, now, options.RelevanceWindowMatches, ct);
        }

        var since = cursor?.VelocitySince ?? now.AddDays(-DefaultVelocityWindowDays);
        var signals = filter.Apply(db, search, workspaceId);
        if (sort == SignalSort.Newest && filter.Query is { } text)
        {
            // Up to SearchMatchIdLimit matches: their ids, read once from the index, join the other filters in one
            // statement (the database walks the newest signals testing each id, or looks the ids up and sorts, as its
            // statistics suggest). More matches: walk the other filters' signals and probe the index per chunk.
            var idLimit = options.SearchMatchIdLimit
                ?? (db.Database.IsSqlite() ? SignalListOptions.SqliteSearchMatchIdLimit : SignalListOptions.PostgresSearchMatchIdLimit);
            var matchIds = await search.MatchIdsAsync(db, workspaceId, text, idLimit, ct);
            if (matchIds is null)
            {
                return await CommonQueryNewestPageAsync(db, search, workspaceId, filter, text, limit, cursor, since, options.SearchProbeBudget, ct);
            }

            var ids = matchIds.ToList();
            signals = (filter with { Query = null }).Apply(db, search, workspaceId).Where(s => ids.Contains(s.Id));
        }

        var rows = Project(db, signals, sort, since);
        if (sort == SignalSort.Newest)
        {
            if (cursor is { } c)
            {
                var (at, id) = (c.IngestedAt, c.Id);
                rows = rows.Where(r => r.IngestedAt < at || (r.IngestedAt == at && r.Id.CompareTo(id) < 0));
            }

            rows = rows.OrderByDescending(r => r.IngestedAt).ThenByDescending(r => r.Id);
        }
        else
        {
            if (cursor is { } c)
            {
                var (key, at, id) = (c.Key, c.IngestedAt, c.Id);
                rows = rows.Where(r => r.Key < key || (r.Key == key && (r.IngestedAt < at || (r.IngestedAt == at && r.Id.CompareTo(id) < 0))));
            }

            rows = rows.OrderByDescending(r => r.Key).ThenByDescending(r => r.IngestedAt).ThenByDescending(r => r.Id);
        }

        var page = await rows.Take(limit + 1).ToListAsync(ct);
        if (page.Count <= limit)
        {
            return (page, null);
        }

        page.RemoveAt(limit);
        var last = page[^1];
        return (page, new Cursor(sort, last.Key, last.IngestedAt, last.Id, 0, 0, since).Encode());
    }

    private const int MaxProbeChunk = 8_000;

    /// <summary>
    /// The newest page of a common-word search, in the same order and with the same cursor as the plain query: walks the
    /// other filters' keyset (workspace_id, ingested_at, id) newest first in growing chunks and keeps the signals the
    /// index says match. If <paramref name="probeBudget"/> signals were probed without filling the page, the rest of the
    /// page comes from the plain query, continuing from the last probed signal; either way the rows are exact.
    /// </summary>
    private static async Task<(List<Row> Rows, string? NextCursor)> CommonQueryNewestPageAsync(
        GitMeshDbContext db, ISignalSearchIndex search, Guid workspaceId, SignalFilter filter, string text, int limit, Cursor? cursor, DateTime since, int probeBudget, CancellationToken ct)
    {
        var unsearched = filter with { Query = null };
        var position = cursor is { } c ? (c.IngestedAt, c.Id) : ((DateTime At, Guid Id)?)null;
        var picked = new List<Guid>(limit + 1);
        var probed = 0;
        var chunk = Math.Min(MaxProbeChunk, (limit + 1) * 8);
        while (picked.Count <= limit)
        {
            if (probed >= probeBudget)
            {
                picked.AddRange(await After(filter.Apply(db, search, workspaceId), position).Select(s => s.Id).Take(limit + 1 - picked.Count).ToListAsync(ct));
                break;
            }

            var keys = await After(unsearched.Apply(db, search, workspaceId), position).Select(s => new { s.Id, s.IngestedAt }).Take(chunk).ToListAsync(ct);
            if (keys.Count == 0)
            {
                break;
            }

            var matching = await search.MatchingAmongAsync(db, workspaceId, text, keys.Select(k => k.Id).ToList(), ct);
            picked.AddRange(keys.Where(k => matching.Contains(k.Id)).Select(k => k.Id).Take(limit + 1 - picked.Count));
            probed += keys.Count;
            position = (keys[^1].IngestedAt, keys[^1].Id);
            if (keys.Count < chunk)
            {
                break;
            }

            chunk = Math.Min(MaxProbeChunk, chunk * 2);
        }

        var byId = (await Project(db, db.Signals.Where(s => s.WorkspaceId == workspaceId && picked.Contains(s.Id) && !s.IsDeleted), SignalSort.Newest, since).ToListAsync(ct)).ToDictionary(r => r.Id);
        var page = picked.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
        if (picked.Count <= limit || page.Count == 0)
        {
            return (page, null);
        }

        page = page.Take(limit).ToList();
        var last = page[^1];
        return (page, new Cursor(SignalSort.Newest, 0, last.IngestedAt, last.Id, 0, 0, since).Encode());

        static IQueryable<Signal> After(IQueryable<Signal> signals, (DateTime At, Guid Id)? position)
        {
            if (position is var (at, id))
            {
                signals = signals.Where(s => s.IngestedAt < at || (s.IngestedAt == at && s.Id.CompareTo(id) < 0));
            }

            return signals.OrderByDescending(s => s.IngestedAt).ThenByDescending(s => s.Id);
        }
    }

    /// <summary>
    /// Relevance pages rank the matches in windows of index positions, newest window first: each window holds about
    /// <see cref="SignalListOptions.RelevanceWindowMatches"/> matches and is ranked whole, so a page costs about that
    /// many ranked matches however common the words are. A search with fewer matches is ranked exactly, in one window.
    /// The first page fixes the newest window's end, so signals arriving later are not part of the paging (a new search
    /// shows them) and do not move the window's members; the cursor holds the window and the position in its ranking.
    /// </summary>
    /// <remarks>
    /// The position is an offset, not the last row's (rank, id): SQLite's bm25 weighs words by how many signals contain
    /// them, so every arrival shifts every rank a little, and a rank kept in a cursor no longer matches its row. The
    /// offset holds as long as the window's order does: always on PostgreSQL (ts_rank_cd reads the document only), and
    /// on SQLite for one-word searches (all ranks scale alike). A signal deleted or edited between two pages can shift
    /// the rest of its window by one.
    /// </remarks>
    private static async Task<(List<Row> Rows, string? NextCursor)> RelevancePageAsync(
        GitMeshDbContext db, ISignalSearchIndex search, Guid workspaceId, SignalFilter filter, int limit, Cursor? cursor, DateTime now,
        int windowMatches, CancellationToken ct)
    {
        const int batch = 500;
        var query = filter.Query!;
        // The hits match the search already: only the other filters are checked against them (re-applying the search
        // would make SQLite read the whole match list for every batch of hits).
        var filtered = (filter with { Query = null }).Apply(db, search, workspaceId);
        SearchWindow window;
        if (cursor is { } resume)
        {
            window = new SearchWindow(resume.WindowAfter, resume.Key);
        }
        else
        {
            var end = await search.LastPositionAsync(db, workspaceId, ct);
            window = new SearchWindow(windowMatches <= 0 || end == 0 ? 0 : await search.WindowStartAsync(db, workspaceId, query, end, windowMatches, ct), end);
        }

        var offset = cursor?.Offset ?? 0;
        var picked = new List<(SearchHit Hit, int OffsetAfter, SearchWindow Window)>();
        var more = false;
        while (!more && window.Through > 0)
        {
            var hits = await search.SearchAsync(db, workspaceId, query, batch, offset, window, ct);
            var ids = hits.Select(h => h.SignalId).ToList();
            var allowed = ids.Count == 0 ? [] : (await filtered.Where(s => ids.Contains(s.Id)).Select(s => s.Id).ToListAsync(ct)).ToHashSet();
            foreach (var hit in hits)
            {
                offset++;
                if (!allowed.Contains(hit.SignalId))
                {
                    continue;
                }

                if (picked.Count == limit)
                {
                    more = true;
                    break;
                }

                picked.Add((hit, offset, window));
            }

            if (more || hits.Count == batch)
            {
                continue;
            }

            // This window is done: the next one ends where it started.
            if (window.After == 0)
            {
                break;
            }

            var through = window.After;
            window = new SearchWindow(await search.WindowStartAsync(db, workspaceId, query, through, Math.Max(1, windowMatches), ct), through);
            offset = 0;
        }

        var pickedIds = picked.Select(p => p.Hit.SignalId).ToList();
        var byId = (await Project(db, db.Signals, SignalSort.Relevance, now).Where(r => pickedIds.Contains(r.Id)).ToListAsync(ct)).ToDictionary(r => r.Id);
        var rows = pickedIds.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
        if (!more || picked.Count == 0)
        {
            return (rows, null);
        }

        var (lastHit, lastOffset, lastWindow) = picked[^1];
        return (rows, new Cursor(SignalSort.Relevance, lastWindow.Through, default, lastHit.SignalId, lastHit.Rank, lastOffset, null, lastWindow.After).Encode());
    }

    public static SignalListItem ToItem(Row r)
    {
        var excerpt = r.Excerpt;
        if (excerpt is { Length: > ExcerptLength })
        {
            var cut = excerpt.LastIndexOf(' ', ExcerptLength - 1);
            excerpt = excerpt[..(cut > ExcerptLength / 2 ? cut : ExcerptLength)].TrimEnd() + "…";
        }

        return new SignalListItem(r.Id, r.Source, r.Kind, r.ExternalId, r.Url, r.Title, excerpt,
            r.AuthorUsername is null ? null : new SignalAuthorResponse(r.AuthorUsername, r.AuthorDisplayName, r.AuthorProfileUrl),
            r.SourceCreatedAt, r.IngestedAt, r.Intent, r.IntentConfidence, r.Sentiment, r.Urgency,
            SignalFilter.SplitList(r.ProductAreas), r.ClusterId, r.ClusterSize, SignalFilter.StatusName(r.TriageStatus), SignalFilter.SplitList(r.Tags));
    }

    public static async Task<SignalListItem?> FindItemAsync(GitMeshDbContext db, Guid signalId, DateTime now, CancellationToken ct)
    {
        var row = await Project(db, db.Signals.Where(s => s.Id == signalId && !s.IsDeleted), SignalSort.Newest, now).FirstOrDefaultAsync(ct);
        return row is null ? null : ToItem(row);
    }

    /// <summary>Counts per value of source, intent, sentiment, urgency and status over the filtered signals.</summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>>> FacetsAsync(IQueryable<Signal> filtered, CancellationToken ct)
    {
        static IReadOnlyDictionary<string, int> ToMap<T>(IEnumerable<(T Key, int Count)> groups, Func<T, string?> name) =>
            groups.Select(g => (Name: name(g.Key), g.Count)).Where(g => g.Name is not null)
                .OrderByDescending(g => g.Count).ThenBy(g => g.Name, StringComparer.Ordinal)
                .ToDictionary(g => g.Name!, g => g.Count, StringComparer.Ordinal);

        var sources = await filtered.GroupBy(s => s.Source).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var intents = await filtered.GroupBy(s => s.Intent).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var sentiments = await filtered.GroupBy(s => s.Sentiment).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var urgencies = await filtered.GroupBy(s => s.Urgency).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var statuses = await filtered.GroupBy(s => s.TriageStatus).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        return new Dictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal)
        {
            ["source"] = ToMap(sources.Select(g => (g.Key, g.Count)), k => k),
            ["intent"] = ToMap(intents.Select(g => (g.Key, g.Count)), k => k),
            ["sentiment"] = ToMap(sentiments.Select(g => (g.Key, g.Count)), k => k),
            ["urgency"] = ToMap(urgencies.Select(g => (g.Key, g.Count)), k => k),
            ["status"] = ToMap(statuses.Select(g => (g.Key, g.Count)), SignalFilter.StatusName),
        };
    }

    /// <summary>
    /// The opaque page cursor: sort, the last row's keys, and for relevance the position in the ranked results. The
    /// velocity window's start is fixed by the first page so that every page ranks by the same numbers.
    /// </summary>
    internal sealed record Cursor(SignalSort Sort, long Key, DateTime IngestedAt, Guid Id, double Rank, int Offset, DateTime? VelocitySince, long WindowAfter = 0)
    {
        public string Encode()
        {
            var text = string.Join('|', "v2", SortName(Sort), WindowAfter.ToString(CultureInfo.InvariantCulture), Key.ToString(CultureInfo.InvariantCulture), IngestedAt.Ticks.ToString(CultureInfo.InvariantCulture),
                Id.ToString("N"), Rank.ToString("R", CultureInfo.InvariantCulture), Offset.ToString(CultureInfo.InvariantCulture),
                (VelocitySince?.Ticks ?? 0).ToString(CultureInfo.InvariantCulture));
            return Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        }

        public static Cursor? TryDecode(string value)
        {
            try
            {
                var base64 = value.Replace('-', '+').Replace('_', '/');
                base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
                var parts = Encoding.UTF8.GetString(Convert.FromBase64String(base64)).Split('|');
                if (parts is not ["v2", var sort, var windowAfter, var key, var ticks, var id, var rank, var offset, var since] || !TryParseSort(sort, out var parsedSort))
                {
                    return null;
                }

                var sinceTicks = long.Parse(since, CultureInfo.InvariantCulture);
                return new Cursor(parsedSort, long.Parse(key, CultureInfo.InvariantCulture),
                    new DateTime(long.Parse(ticks, CultureInfo.InvariantCulture), DateTimeKind.Utc), Guid.ParseExact(id, "N"),
                    double.Parse(rank, CultureInfo.InvariantCulture), int.Parse(offset, CultureInfo.InvariantCulture),
                    sinceTicks == 0 ? null : new DateTime(sinceTicks, DateTimeKind.Utc), long.Parse(windowAfter, CultureInfo.InvariantCulture));
            }
            catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
            {
                return null;
            }
        }
    }
}
