using System.Collections.Concurrent;
using GitMesh.Data;
using GitMesh.Intelligence;
using GitMesh.Intelligence.Duplicates;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Ingest.Pipeline;

/// <summary>
/// Per-workspace in-memory duplicate index of this worker (term index + LSH over title/body), warmed from the
/// signals table on first use and topped up before every batch with what any worker committed since, so each
/// worker retrieves against the same committed set. The LSH band hashes are also persisted (signal_lsh_bands) and
/// queried, so a signal committed by another worker between top-up and lookup is still found.
/// </summary>
public sealed class DuplicateIndexCache
{
    private readonly ConcurrentDictionary<Guid, WorkspaceIndex> _indexes = new();

    /// <summary>Signals read back before the watermark on each top-up: covers clock skew between workers.</summary>
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(5);

    public async Task<WorkspaceIndex> GetAsync(GitMeshDbContext db, Guid workspaceId, CancellationToken cancellationToken)
    {
        var index = _indexes.GetOrAdd(workspaceId, _ => new WorkspaceIndex());
        await index.Gate.WaitAsync(cancellationToken);
        try
        {
            await index.TopUpAsync(db, workspaceId, Overlap, cancellationToken);
        }
        finally
        {
            index.Gate.Release();
        }

        return index;
    }

    /// <summary>A batch failed after adding to the index: forget the workspace so the next use rebuilds from committed rows.</summary>
    public void Invalidate(Guid workspaceId) => _indexes.TryRemove(workspaceId, out _);

    /// <summary>
    /// Real issue texts every workspace index starts with, only for their document frequencies: without them a
    /// young workspace has no IDF statistics, every shared word looks common and duplicates score low. They are
    /// never returned as candidates.
    /// </summary>
    private static readonly Lazy<(string Id, PreparedSignal Prepared)[]> Background = new(LoadBackground);

    private const string BackgroundPrefix = "bg:";

    private static (string Id, PreparedSignal Prepared)[] LoadBackground()
    {
        using var stream = typeof(DuplicateIndexCache).Assembly.GetManifestResourceStream("GitMesh.Ingest.Background.issues.csv")!;
        using var reader = new StreamReader(stream);
        var rows = Intelligence.Evaluation.CsvReader.Read(reader).ToList();
        var preparer = new InMemoryDuplicateIndex();
        var result = new (string, PreparedSignal)[rows.Count];
        Parallel.For(0, rows.Count, i =>
        {
            var title = rows[i].GetValueOrDefault("title");
            var body = rows[i].GetValueOrDefault("body");
            result[i] = ($"{BackgroundPrefix}{i}", preparer.Prepare(new SignalText(title, body)));
        });
        return result;
    }

    /// <summary>Prepares the background corpus now rather than on the first batch.</summary>
    public static void WarmUp() => _ = Background.Value;

    public static bool IsBackground(string candidateId) => candidateId.StartsWith(BackgroundPrefix, StringComparison.Ordinal);

    public sealed class WorkspaceIndex
    {
        private DateTime? _watermark;

        public WorkspaceIndex()
        {
            foreach (var (id, prepared) in Background.Value)
            {
                Index.Add(id, prepared);
            }
        }

        public SemaphoreSlim Gate { get; } = new(1, 1);

        private readonly HashSet<Guid> _ids = [];

        public InMemoryDuplicateIndex Index { get; } = new();

        public bool Contains(Guid id) => _ids.Contains(id);

        public PreparedSignal Prepare(SignalText text) => Index.Prepare(text);

        public void Add(Guid id, PreparedSignal prepared)
        {
            if (_ids.Add(id))
            {
                Index.Add(id.ToString(), prepared);
            }
        }

        internal async Task TopUpAsync(GitMeshDbContext db, Guid workspaceId, TimeSpan overlap, CancellationToken cancellationToken)
        {
            var since = _watermark is { } w ? w - overlap : DateTime.MinValue;
            const int page = 5_000;
            while (true)
            {
                // Ids first: the overlap re-reads signals this worker just added itself, and their texts are the bulk
                // of the bytes. Texts are fetched only for the ids the index does not hold yet.
                var rows = await db.Signals.IgnoreQueryFilters().AsNoTracking()
                    .Where(s => s.WorkspaceId == workspaceId && !s.IsDeleted && s.IngestedAt >= since)
                    .OrderBy(s => s.IngestedAt).ThenBy(s => s.Id)
                    .Select(s => new { s.Id, s.IngestedAt })
                    .Take(page)
                    .ToListAsync(cancellationToken);
                var freshIds = rows.Where(r => !_ids.Contains(r.Id)).Select(r => r.Id).ToList();
                var fresh = new List<(Guid Id, string? Title, string? BodyText, string? CodeText)>(freshIds.Count);
                foreach (var chunk in freshIds.Chunk(500))
                {
                    var texts = await db.Signals.IgnoreQueryFilters().AsNoTracking()
                        .Where(s => s.WorkspaceId == workspaceId && !s.IsDeleted && EF.Parameter(chunk).Contains(s.Id))
                        .Select(s => new { s.Id, s.Title, s.BodyText, s.CodeText })
                        .ToListAsync(cancellationToken);
                    fresh.AddRange(texts.Select(x => (x.Id, x.Title, x.BodyText, x.CodeText)));
                }

                var prepared = new PreparedSignal[fresh.Count];
                Parallel.For(0, fresh.Count, i => prepared[i] = Index.Prepare(new SignalText(fresh[i].Title, fresh[i].BodyText, fresh[i].CodeText)));
                for (var i = 0; i < fresh.Count; i++)
                {
                    Add(fresh[i].Id, prepared[i]);
                }

                if (rows.Count > 0)
                {
                    _watermark = rows[^1].IngestedAt > (_watermark ?? DateTime.MinValue) ? rows[^1].IngestedAt : _watermark;
                }

                if (rows.Count < page)
                {
                    _watermark ??= DateTime.UtcNow - overlap;
                    return;
                }

                // Several signals can share one timestamp: continue strictly after the page's last one.
                since = rows[^1].IngestedAt;
                if (rows.All(r => r.IngestedAt == since))
                {
                    since = since.AddTicks(1);
                }
            }
        }
    }
}
