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

    public sealed class WorkspaceIndex
    {
        private DateTime? _watermark;

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
                var rows = await db.Signals.IgnoreQueryFilters().AsNoTracking()
                    .Where(s => s.WorkspaceId == workspaceId && !s.IsDeleted && s.IngestedAt >= since)
                    .OrderBy(s => s.IngestedAt).ThenBy(s => s.Id)
                    .Select(s => new { s.Id, s.Title, s.BodyText, s.CodeText, s.IngestedAt })
                    .Take(page)
                    .ToListAsync(cancellationToken);
                var fresh = rows.Where(r => !_ids.Contains(r.Id)).ToList();
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
