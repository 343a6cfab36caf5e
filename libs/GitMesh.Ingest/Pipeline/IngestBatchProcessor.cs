using System.Data.Common;
using System.Text.Json;
using GitMesh.Data;
using GitMesh.Domain.Clusters;
using DuplicateDecision = GitMesh.Intelligence.Duplicates.DuplicateDecision;
using PairDecision = GitMesh.Domain.Clusters.DuplicateDecision;
using GitMesh.Domain.Messaging;
using GitMesh.Domain.People;
using GitMesh.Domain.Signals;
using GitMesh.Ingest.Learning;
using GitMesh.Ingest.Normalization;
using GitMesh.Intelligence;
using GitMesh.Intelligence.Classification;
using GitMesh.Intelligence.Corrections;
using GitMesh.Intelligence.Duplicates;
using GitMesh.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace GitMesh.Ingest.Pipeline;

/// <summary>What happened to each message of a batch.</summary>
public sealed record BatchOutcome(int Created, int Updated, int Unchanged, IReadOnlyList<Guid> TouchedSignalIds);

/// <summary>
/// One batch of the ingest pipeline: normalize → upsert on (workspace, source, externalId) → content hash →
/// near-duplicate lookup → cluster → classify → author, all persisted in ONE transaction with the search index
/// entries and the outbox events. A replay finds the stored row with the same content hash and changes nothing; an edit
/// updates the row, re-classifies (unless a person corrected it) and keeps its cluster.
/// </summary>
public sealed class IngestBatchProcessor(
    GitMeshDbContext db,
    ISignalClassifier classifier,
    DuplicateIndexCache duplicates,
    ISignalSearchIndex search,
    TimeProvider time,
    WorkspaceLearningCache? learning = null,
    IngestMetrics? metrics = null)
{
    private readonly IngestStageTimings _stages = metrics?.Stages ?? new IngestStageTimings();

    // Authors and clusters first seen in this batch: bulk-inserted (before the signals that point to them) rather than
    // tracked, as for signals. Existing ones that change stay tracked and are saved by SaveChanges.
    private readonly List<Author> _newAuthors = [];
    private readonly List<Cluster> _newClusters = [];

    /// <summary>
    /// With 16 bands of 8 rows, two equal bands happen by chance only for texts sharing most of their shingles
    /// (Jaccard around 0.7 and up): near-verbatim re-posts. One equal band alone is only a suggestion.
    /// </summary>
    private const int MinSharedBandsForAutoJoin = 2;

    // Preparation (tokens, term vector, bands) is pure; any index instance computes the same thing.
    private static readonly InMemoryDuplicateIndex Preparer = new();

    /// <summary>Prepares and commits one batch (<see cref="PrepareAsync"/> then <see cref="CommitAsync"/>).</summary>
    public async Task<BatchOutcome> ProcessAsync(IReadOnlyList<IngestMessage> messages, CancellationToken cancellationToken) =>
        await CommitAsync(await PrepareAsync(messages, -1, cancellationToken), cancellationToken);

    /// <summary>
    /// The CPU half of a batch — normalize, content hash, classify, MinHash — in parallel and outside any transaction.
    /// The result holds no database state, so a consumer can prepare the next batch (in another scope) while this
    /// one commits.
    /// </summary>
    /// <param name="messages">The batch.</param>
    /// <param name="maxDegreeOfParallelism">Cores to use; a consumer preparing while another batch commits leaves that one a core.</param>
    /// <param name="cancellationToken">Cancels the workspace look-ups.</param>
    public async Task<PreparedBatch> PrepareAsync(IReadOnlyList<IngestMessage> messages, int maxDegreeOfParallelism, CancellationToken cancellationToken)
    {
        // Latest version of each item wins inside a batch; order otherwise preserved.
        var latest = messages
            .GroupBy(m => (m.WorkspaceId, m.Envelope.Source, m.Envelope.ExternalId))
            .Select(g => g.OrderBy(m => m.Envelope.UpdatedAt ?? m.ReceivedAt).Last())
            .ToList();
        var prepared = new Prepared[latest.Count];
        // Each workspace's correction model and product-area taxonomy (cached; re-read only when they changed).
        var learned = new Dictionary<Guid, WorkspaceLearning>();
        using (_stages.Measure("learning"))
        {
            foreach (var workspaceId in latest.Select(m => m.WorkspaceId).Distinct())
            {
                learned[workspaceId] = learning is null ? WorkspaceLearning.None : await learning.GetAsync(db, workspaceId, cancellationToken);
            }
        }

        using (_stages.Measure("prepare (parallel)"))
        {
            Parallel.For(0, latest.Count, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, i => prepared[i] = Prepare(latest[i], learned[latest[i].WorkspaceId], _stages));
        }

        return new PreparedBatch(prepared);
    }

    /// <summary>
    /// The database half of a batch: upsert, clusters, authors, bands and outbox in one transaction, then the search
    /// index.
    /// </summary>
    public async Task<BatchOutcome> CommitAsync(PreparedBatch batch, CancellationToken cancellationToken)
    {
        var prepared = batch.Items;
        _newAuthors.Clear();
        _newClusters.Clear();
        await TuneConnectionAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var created = 0;
        var updated = 0;
        var unchanged = 0;
        var touched = new List<Guid>();
        var removedFromSearch = new List<Guid>();
        var bandRows = new List<SignalLshBand>();
        var removeBandsOf = new List<Guid>();
        // New signals and outbox events go in with set-based INSERTs after SaveChanges (which writes the authors and
        // clusters they point to): tracking thousands of fresh rows is most of what SaveChanges would cost.
        var newSignals = new List<Signal>();
        var outbox = new List<OutboxEvent>();

        // Change detection runs once, before SaveChanges: left automatic, every Add/Entry/Local call rescans every
        // tracked signal, which made cluster assignment quadratic in the batch size.
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            foreach (var group in prepared.GroupBy(p => p.Message.WorkspaceId))
            {
                var workspaceId = group.Key;
                var items = group.ToList();
                var t = _stages.Measure("index top-up");
                var index = await duplicates.GetAsync(db, workspaceId, cancellationToken);
                t.Dispose();
                t = _stages.Measure("load existing");
                var existing = await LoadExistingAsync(workspaceId, items, cancellationToken);
                t.Dispose();
                t = _stages.Measure("authors");
                var authors = await UpsertAuthorsAsync(workspaceId, items, now, cancellationToken);
                t.Dispose();
                t = _stages.Measure("load hash+bands");
                var hashes = items.Select(i => i.Text.ContentHash).Distinct().ToList();
                var byHash = (await db.Signals.IgnoreQueryFilters()
                        .Where(s => s.WorkspaceId == workspaceId && s.ContentHash != null && EF.Parameter(hashes).Contains(s.ContentHash) && !s.IsDeleted && s.ClusterId != null)
                        .Select(s => new { s.ContentHash, s.ClusterId })
                        .ToListAsync(cancellationToken))
                    .GroupBy(x => x.ContentHash!).ToDictionary(g => g.Key, g => g.First().ClusterId!.Value, StringComparer.Ordinal);
                var clusters = new Dictionary<Guid, Cluster>();
                var bandMates = await LoadBandMatesAsync(workspaceId, items, cancellationToken);
                var isNew = items.Select(i => !i.Message.Envelope.Deleted && !existing.ContainsKey((i.Message.Envelope.Source, i.Message.Envelope.ExternalId))).ToArray();
                t.Dispose();
                t = _stages.Measure("similar lookup");
                // The batch's new signals join the index first, so one lookup finds twins from earlier batches and from
                // earlier in this batch alike (a later item of the batch has no cluster yet: it is skipped). Lookups are
                // read-only and the slowest step: they run in parallel. Edits keep their cluster and need none.
                var newIds = new Guid[items.Count];
                var positionOf = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var i = 0; i < items.Count; i++)
                {
                    if (isNew[i])
                    {
                        newIds[i] = Guid.CreateVersion7();
                        positionOf[newIds[i].ToString()] = i;
                        index.Add(newIds[i], items[i].Duplicate);
                    }
                }

                var similar = new IReadOnlyList<DuplicateCandidate>[items.Count];
                Parallel.For(0, items.Count, i => similar[i] = !isNew[i]
                    ? []
                    : index.Index.FindSimilar(items[i].Duplicate, top: 20, excludeId: newIds[i].ToString())
                        .Where(c => !DuplicateIndexCache.IsBackground(c.Id) && (!positionOf.TryGetValue(c.Id, out var j) || j < i))
                        .Take(5)
                        .ToList());
                t.Dispose();
                t = _stages.Measure("load candidates");
                var candidateIds = similar.SelectMany(c => c).Where(c => !positionOf.ContainsKey(c.Id)).Select(c => Guid.Parse(c.Id))
                    .Concat(bandMates.Values.SelectMany(ids => ids))
                    .ToHashSet();
                var clusterOfSignal = await LoadClusterIdsAsync(workspaceId, candidateIds, cancellationToken);
                var knownClusters = await LoadClustersAsync(
                    workspaceId,
                    clusterOfSignal.Values.Concat(existing.Values.Select(s => s.ClusterId)).Concat(byHash.Values.Select(id => (Guid?)id)),
                    cancellationToken);
                t.Dispose();
                t = _stages.Measure("assign clusters");
                var position = 0;

                foreach (var item in items)
                {
                    var itemSimilar = similar[position++];
                    var e = item.Message.Envelope;
                    existing.TryGetValue((e.Source, e.ExternalId), out var signal);
                    if (signal is not null)
                    {
                        if (IsUnchanged(signal, item))
                        {
                            unchanged++;
                            continue;
                        }

                        ApplyEdit(signal, item, authors, now);
                        updated++;
                        touched.Add(signal.Id);
                        removeBandsOf.Add(signal.Id);
                        if (signal.IsDeleted)
                        {
                            removedFromSearch.Add(signal.Id);
                        }
                        else
                        {
                            bandRows.AddRange(item.Duplicate.Bands.Select(b => new SignalLshBand { WorkspaceId = workspaceId, Band = b.Band, Hash = b.Hash, SignalId = signal.Id }));
                        }

                        if (signal.ClusterId is { } cid)
                        {
                            await TouchClusterAsync(clusters, knownClusters, cid, signal, isNew: false, now, cancellationToken);
                        }

                        outbox.Add(Outbox(workspaceId, "signalUpdated", signal, now));
                        continue;
                    }

                    if (e.Deleted)
                    {
                        // A deletion of something we never stored: nothing to mark.
                        unchanged++;
                        continue;
                    }

                    signal = NewSignal(item, authors, now);
                    signal.Id = newIds[position - 1];
                    var clusterId = await AssignClusterAsync(signal, item, itemSimilar, index, byHash, bandMates, clusterOfSignal, knownClusters, now, cancellationToken);
                    signal.ClusterId = clusterId;
                    clusterOfSignal[signal.Id] = clusterId;
                    newSignals.Add(signal);
                    byHash.TryAdd(item.Text.ContentHash, clusterId);
                    await TouchClusterAsync(clusters, knownClusters, clusterId, signal, isNew: true, now, cancellationToken);
                    bandRows.AddRange(item.Duplicate.Bands.Select(b => new SignalLshBand { WorkspaceId = workspaceId, Band = b.Band, Hash = b.Hash, SignalId = signal.Id }));
                    outbox.Add(Outbox(workspaceId, "signalCreated", signal, now));
                    created++;
                    touched.Add(signal.Id);
                }

                foreach (var cluster in clusters.Values)
                {
                    outbox.Add(Outbox(workspaceId, "clusterUpdated", cluster, now));
                }

                t.Dispose();
            }

            // New authors and clusters before SaveChanges: an edited signal may now point to an author first seen here.
            using (_stages.Measure("new authors+clusters"))
            {
                await BulkInsert.InsertAsync(db, _newAuthors, cancellationToken);
                await BulkInsert.InsertAsync(db, _newClusters, cancellationToken);
            }

            using (_stages.Measure("save rows"))
            {
                db.ChangeTracker.DetectChanges();
                await db.SaveChangesAsync(cancellationToken);
            }

            using (_stages.Measure("insert signals"))
            {
                await BulkInsert.InsertAsync(db, newSignals, cancellationToken);
            }

            using (_stages.Measure("save bands"))
            {
                await ReplaceBandsAsync(removeBandsOf, bandRows, cancellationToken);
            }

            // The search index commits with the rows it describes: indexed after the commit, a crash in between left
            // signals that a replay (unchanged, so untouched) never indexed.
            using (_stages.Measure("search index"))
            {
                var toIndex = touched.Except(removedFromSearch).ToList();
                if (toIndex.Count > 0)
                {
                    await search.IndexAsync(db, toIndex, cancellationToken);
                }

                if (removedFromSearch.Count > 0)
                {
                    await search.RemoveAsync(db, removedFromSearch, cancellationToken);
                }
            }

            // Last before the commit: on PostgreSQL the outbox insert takes the commit-order lock, held until commit.
            using (_stages.Measure("insert outbox"))
            {
                await BulkInsert.InsertAsync(db, outbox, cancellationToken);
            }

            using (_stages.Measure("commit"))
            {
                await transaction.CommitAsync(cancellationToken);
            }
        }
        catch
        {
            // The in-memory index may hold signals that were never committed: rebuild those workspaces on next use.
            foreach (var workspaceId in prepared.Select(p => p.Message.WorkspaceId).Distinct())
            {
                duplicates.Invalidate(workspaceId);
            }

            db.ChangeTracker.Clear();
            db.ChangeTracker.AutoDetectChangesEnabled = true;
            throw;
        }

        db.ChangeTracker.Clear();
        db.ChangeTracker.AutoDetectChangesEnabled = true;
        return new BatchOutcome(created, updated, unchanged, touched);
    }

    /// <summary>
    /// One connection for the whole batch (the search index writes right after the commit), and on SQLite a page cache
    /// large enough for the random-order index pages a batch touches (band hashes, external ids, content hashes): with
    /// the 2 MiB default, most B-tree steps of those inserts were re-read from the OS with a system call each. Pooled
    /// connections keep the setting; the context's disposal closes the connection.
    /// </summary>
    private async Task TuneConnectionAsync(CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        if (db.Database.IsSqlite())
        {
            await using var cmd = db.Database.GetDbConnection().CreateCommand();
            cmd.CommandText = $"PRAGMA cache_size = -{SqlitePageCacheKiB}";
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>64 MiB per ingest connection (the pragma takes KiB when negative).</summary>
    private const int SqlitePageCacheKiB = 65_536;

    /// <summary>
    /// Runs the CPU half once on <paramref name="samples"/> and loads the duplicate index's background corpus, so the
    /// models, the corpus and the JIT-compiled text paths are ready before the first real batch (which otherwise
    /// took seconds). Nothing is written and the stage timings are left alone.
    /// </summary>
    public void WarmUp(IEnumerable<IngestMessage> samples)
    {
        DuplicateIndexCache.WarmUp();
        var scratch = new IngestStageTimings();
        foreach (var sample in samples)
        {
            _ = Prepare(sample, WorkspaceLearning.None, scratch);
        }
    }

    private Prepared Prepare(IngestMessage message, WorkspaceLearning learned, IngestStageTimings stages)
    {
        // PostgreSQL text cannot hold U+0000 (a message carrying one would be poison there, forever); it means
        // nothing in prose either, so both providers store the text without it.
        if (message.Envelope.Title?.Contains('\0', StringComparison.Ordinal) == true || message.Envelope.Body?.Contains('\0', StringComparison.Ordinal) == true)
        {
            message = message with { Envelope = message.Envelope with { Title = WithoutNul(message.Envelope.Title), Body = WithoutNul(message.Envelope.Body) } };
        }

        var e = message.Envelope;
        var t = stages.MeasureItem("prepare.normalize");
        var text = TextNormalizer.Normalize(e.Title, e.Body);
        t.Dispose();
        var signalText = new SignalText(text.Title, text.Text, text.Code);
        t = stages.MeasureItem("prepare.classify");
        var classification = e.Deleted ? null : classifier.Classify(signalText, learned.Corrections);
        var areas = e.Deleted || learned.ProductAreas is null ? null : AssignProductAreas(signalText, learned);
        t.Dispose();
        t = stages.MeasureItem("prepare.minhash");
        var duplicate = Preparer.Prepare(signalText);
        t.Dispose();
        return new Prepared(message, text, classification, duplicate, areas);
    }

    /// <summary>Taxonomy matches, plus areas the workspace's corrections strongly suggest for similar texts.</summary>
    private static ProductAreaAssignment AssignProductAreas(SignalText text, WorkspaceLearning learned)
    {
        var names = learned.ProductAreas!.Match(text).Select(m => m.Area).ToList();
        if (learned.Corrections is { } corrections)
        {
            foreach (var (label, weight) in corrections.SuggestLabels(CorrectionFields.ProductArea, text).OrderByDescending(kv => kv.Value))
            {
                if (weight >= 0.5 && !label.Contains(',', StringComparison.Ordinal) && !names.Contains(label, StringComparer.Ordinal))
                {
                    names.Add(label);
                }
            }
        }

        return new ProductAreaAssignment(names.Count == 0 ? null : string.Join(',', names));
    }

    private async Task<Dictionary<(string Source, string ExternalId), Signal>> LoadExistingAsync(Guid workspaceId, List<Prepared> items, CancellationToken ct)
    {
        var result = new Dictionary<(string, string), Signal>();
        // One query per source so the (workspace, source, external_id) index is used with all three columns.
        foreach (var bySource in items.GroupBy(i => i.Message.Envelope.Source))
        {
            var source = bySource.Key;
            var externalIds = bySource.Select(i => i.Message.Envelope.ExternalId).Distinct().ToList();
            var rows = await db.Signals.IgnoreQueryFilters()
                .Where(s => s.WorkspaceId == workspaceId && s.Source == source && EF.Parameter(externalIds).Contains(s.ExternalId))
                .ToListAsync(ct);
            foreach (var row in rows)
            {
                result[(row.Source, row.ExternalId)] = row;
            }
        }

        return result;
    }

    private async Task<Dictionary<(string Source, string Username), Author>> UpsertAuthorsAsync(Guid workspaceId, List<Prepared> items, DateTime now, CancellationToken ct)
    {
        var wanted = items.Where(i => i.Message.Envelope.Author is not null)
            .GroupBy(i => (i.Message.Envelope.Source, i.Message.Envelope.Author!.Username))
            .ToDictionary(g => g.Key, g => g.Last().Message.Envelope.Author!);
        if (wanted.Count == 0)
        {
            return [];
        }

        var result = new Dictionary<(string Source, string Username), Author>();
        foreach (var bySource in wanted.Keys.GroupBy(k => k.Source))
        {
            var source = bySource.Key;
            var usernames = bySource.Select(k => k.Username).ToList();
            var rows = await db.Authors.IgnoreQueryFilters()
                .Where(a => a.WorkspaceId == workspaceId && a.Source == source && EF.Parameter(usernames).Contains(a.Username))
                .ToListAsync(ct);
            foreach (var row in rows)
            {
                result[(row.Source, row.Username)] = row;
            }
        }

        foreach (var (key, author) in wanted)
        {
            if (result.TryGetValue(key, out var row))
            {
                if (author.DisplayName is not null && row.DisplayName != author.DisplayName || author.ProfileUrl is not null && row.ProfileUrl != author.ProfileUrl)
                {
                    row.DisplayName = author.DisplayName ?? row.DisplayName;
                    row.ProfileUrl = author.ProfileUrl ?? row.ProfileUrl;
                    row.UpdatedAt = now;
                }

                continue;
            }

            row = new Author
            {
                WorkspaceId = workspaceId,
                Source = key.Source,
                Username = key.Username,
                DisplayName = author.DisplayName,
                ProfileUrl = author.ProfileUrl,
                CreatedAt = now,
                UpdatedAt = now,
            };
            _newAuthors.Add(row);
            result[key] = row;
        }

        return result;
    }

    /// <summary>Cluster of each given signal (committed rows), in one query per 500 ids.</summary>
    private async Task<Dictionary<Guid, Guid?>> LoadClusterIdsAsync(Guid workspaceId, IReadOnlyCollection<Guid> signalIds, CancellationToken ct)
    {
        var result = new Dictionary<Guid, Guid?>(signalIds.Count);
        foreach (var chunk in signalIds.Chunk(500))
        {
            var rows = await db.Signals.IgnoreQueryFilters().AsNoTracking()
                .Where(s => s.WorkspaceId == workspaceId && EF.Parameter(chunk).Contains(s.Id))
                .Select(s => new { s.Id, s.ClusterId })
                .ToListAsync(ct);
            foreach (var row in rows)
            {
                result[row.Id] = row.ClusterId;
            }
        }

        return result;
    }

    /// <summary>The clusters this batch may join or touch, tracked, in one query per 500 ids.</summary>
    private async Task<Dictionary<Guid, Cluster>> LoadClustersAsync(Guid workspaceId, IEnumerable<Guid?> clusterIds, CancellationToken ct)
    {
        var result = new Dictionary<Guid, Cluster>();
        foreach (var chunk in clusterIds.OfType<Guid>().Distinct().Chunk(500))
        {
            foreach (var cluster in await db.Clusters.IgnoreQueryFilters().Where(c => c.WorkspaceId == workspaceId && EF.Parameter(chunk).Contains(c.Id)).ToListAsync(ct))
            {
                result[cluster.Id] = cluster;
            }
        }

        return result;
    }

    /// <summary>Signals sharing at least one persisted LSH band hash with an item of the batch.</summary>
    private async Task<Dictionary<(int Band, long Hash), List<Guid>>> LoadBandMatesAsync(Guid workspaceId, List<Prepared> items, CancellationToken ct)
    {
        var hashes = items.SelectMany(i => i.Duplicate.Bands.Select(b => b.Hash)).Distinct().ToList();
        var result = new Dictionary<(int, long), List<Guid>>();
        foreach (var chunk in hashes.Chunk(2_000))
        {
            var rows = await db.SignalLshBands.IgnoreQueryFilters().AsNoTracking()
                .Where(b => b.WorkspaceId == workspaceId && EF.Parameter(chunk).Contains(b.Hash))
                .Select(b => new { b.Band, b.Hash, b.SignalId })
                .ToListAsync(ct);
            foreach (var row in rows)
            {
                if (!result.TryGetValue((row.Band, row.Hash), out var list))
                {
                    result[(row.Band, row.Hash)] = list = [];
                }

                list.Add(row.SignalId);
            }
        }

        return result;
    }

    private async Task<Guid> AssignClusterAsync(
        Signal signal,
        Prepared item,
        IEnumerable<DuplicateCandidate> similar,
        DuplicateIndexCache.WorkspaceIndex index,
        Dictionary<string, Guid> byHash,
        Dictionary<(int Band, long Hash), List<Guid>> bandMates,
        Dictionary<Guid, Guid?> clusterOfSignal,
        Dictionary<Guid, Cluster> knownClusters,
        DateTime now,
        CancellationToken ct)
    {
        // Exact cross-post: same normalized text already clustered.
        if (byHash.TryGetValue(item.Text.ContentHash, out var sameText))
        {
            return sameText;
        }

        var candidates = similar.ToList();

        // LSH bucket mates (persisted bands, plus this batch's): the share of equal bands estimates MinHash Jaccard
        // directly, which stays meaningful in a young workspace where IDF statistics are still thin.
        var shared = item.Duplicate.Bands
            .SelectMany(b => bandMates.TryGetValue((b.Band, b.Hash), out var ids) ? ids : [])
            .Where(id => id != signal.Id)
            .GroupBy(id => id)
            .Select(g => (Id: g.Key, Bands: g.Count()))
            .ToList();
        foreach (var (id, bands) in shared)
        {
            var decision = bands >= MinSharedBandsForAutoJoin ? DuplicateDecision.AutoJoin : DuplicateDecision.PossibleDuplicate;
            var score = Math.Max(index.Index.Scorer.Thresholds.Suggest, (double)bands / item.Duplicate.Bands.Count);
            candidates.Add(new DuplicateCandidate(id.ToString(), decision == DuplicateDecision.AutoJoin ? Math.Max(score, index.Index.Scorer.Thresholds.AutoJoin) : score, decision));
        }

        foreach (var b in item.Duplicate.Bands)
        {
            if (!bandMates.TryGetValue((b.Band, b.Hash), out var list))
            {
                bandMates[(b.Band, b.Hash)] = list = [];
            }

            list.Add(signal.Id);
        }

        // Auto-joins first, then the ranking `eval duplicates` measures as recall@k (RankScore, with the character sketch).
        var best = candidates.Where(c => c.Decision != DuplicateDecision.NewCluster)
            .OrderByDescending(c => c.Decision == DuplicateDecision.AutoJoin).ThenByDescending(c => c.RankScore).FirstOrDefault();
        if (best is not null)
        {
            var bestId = Guid.Parse(best.Id);
            // Candidates were prefetched; one committed by another worker after that is read on its own.
            var bestCluster = clusterOfSignal.TryGetValue(bestId, out var known)
                ? known
                : await db.Signals.IgnoreQueryFilters().Where(s => s.Id == bestId).Select(s => s.ClusterId).FirstOrDefaultAsync(ct);
            if (bestCluster is { } clusterId)
            {
                if (best.Decision == DuplicateDecision.AutoJoin)
                {
                    return clusterId;
                }

                // Grey zone: a person decides. Remember the suggestion; the signal starts its own cluster meanwhile.
                var (a, b) = signal.Id.CompareTo(bestId) < 0 ? (signal.Id, bestId) : (bestId, signal.Id);
                db.DuplicateDecisions.Add(new PairDecision
                {
                    WorkspaceId = signal.WorkspaceId,
                    SignalAId = a,
                    SignalBId = b,
                    Decision = DuplicateDecisionKind.Suggested,
                    Score = best.Score,
                    CreatedAt = now,
                    UpdatedAt = now,
                });
            }
        }

        var cluster = new Cluster
        {
            WorkspaceId = signal.WorkspaceId,
            Title = ClusterTitle(signal),
            Size = 0,
            FirstSeenAt = signal.SourceCreatedAt ?? now,
            LastSeenAt = signal.SourceCreatedAt ?? now,
            CreatedAt = now,
            UpdatedAt = now,
        };
        _newClusters.Add(cluster);
        knownClusters[cluster.Id] = cluster;
        return cluster.Id;
    }

    private async Task TouchClusterAsync(Dictionary<Guid, Cluster> clusters, Dictionary<Guid, Cluster> knownClusters, Guid clusterId, Signal signal, bool isNew, DateTime now, CancellationToken ct)
    {
        if (!clusters.TryGetValue(clusterId, out var cluster))
        {
            if (!knownClusters.TryGetValue(clusterId, out cluster))
            {
                cluster = await db.Clusters.IgnoreQueryFilters().FirstAsync(c => c.Id == clusterId, ct);
                knownClusters[clusterId] = cluster;
            }

            clusters[clusterId] = cluster;
        }

        var seen = signal.SourceCreatedAt ?? now;
        if (isNew)
        {
            cluster.Size++;
        }
        else if (signal.IsDeleted && db.Entry(signal).Property(s => s.IsDeleted).OriginalValue == false)
        {
            cluster.Size = Math.Max(0, cluster.Size - 1);
        }

        if (seen < cluster.FirstSeenAt)
        {
            cluster.FirstSeenAt = seen;
        }

        if (seen > cluster.LastSeenAt)
        {
            cluster.LastSeenAt = seen;
        }

        var platforms = (cluster.Platforms ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        if (platforms.Add(signal.Source))
        {
            cluster.Platforms = string.Join(',', platforms.Order(StringComparer.Ordinal));
        }

        cluster.UpdatedAt = now;
        cluster.Version++;
    }

    private static bool IsUnchanged(Signal signal, Prepared item)
    {
        var e = item.Message.Envelope;
        return signal.ContentHash == item.Text.ContentHash
            && signal.IsDeleted == e.Deleted
            && signal.Url == e.Url
            && signal.MetadataJson == SerializeMetadata(e.Metadata);
    }

    private void ApplyEdit(Signal signal, Prepared item, Dictionary<(string, string), Author> authors, DateTime now)
    {
        var e = item.Message.Envelope;
        signal.IsDeleted = e.Deleted;
        if (!e.Deleted)
        {
            signal.Title = e.Title;
            signal.Body = e.Body;
            signal.BodyText = item.Text.Text;
            signal.CodeText = NullIfEmpty(item.Text.Code);
            signal.ContentHash = item.Text.ContentHash;
            signal.Url = e.Url ?? signal.Url;
            signal.MetadataJson = SerializeMetadata(e.Metadata);
            signal.SourceUpdatedAt = e.UpdatedAt?.UtcDateTime ?? now;
            if (e.Author is not null && authors.TryGetValue((e.Source, e.Author.Username), out var author))
            {
                signal.AuthorId = author.Id;
            }

            if (!signal.ClassificationLocked && item.Classification is { } c)
            {
                Classify(signal, c, item.ProductAreas);
            }
        }

        signal.UpdatedAt = now;
        signal.Version++;
    }

    private static Signal NewSignal(Prepared item, Dictionary<(string, string), Author> authors, DateTime now)
    {
        var e = item.Message.Envelope;
        var signal = new Signal
        {
            WorkspaceId = item.Message.WorkspaceId,
            IntegrationId = item.Message.IntegrationId,
            Source = e.Source,
            Kind = e.Kind,
            ExternalId = e.ExternalId,
            Url = e.Url,
            Title = e.Title,
            Body = e.Body,
            BodyText = item.Text.Text,
            CodeText = NullIfEmpty(item.Text.Code),
            ParentExternalId = e.ParentExternalId,
            SourceCreatedAt = e.CreatedAt?.UtcDateTime,
            SourceUpdatedAt = e.UpdatedAt?.UtcDateTime,
            IngestedAt = now,
            UpdatedAt = now,
            ContentHash = item.Text.ContentHash,
            MetadataJson = SerializeMetadata(e.Metadata),
            AuthorId = e.Author is not null && authors.TryGetValue((e.Source, e.Author.Username), out var author) ? author.Id : null,
            Version = 1,
        };
        if (item.Classification is { } c)
        {
            Classify(signal, c, item.ProductAreas);
        }

        return signal;
    }

    private static void Classify(Signal signal, SignalClassification c, ProductAreaAssignment? areas)
    {
        if (areas is not null)
        {
            signal.ProductAreas = areas.Value;
        }

        signal.Intent = c.Intent.ToLabel();
        signal.IntentConfidence = Math.Round(c.IntentConfidence, 4);
        signal.Sentiment = c.Sentiment.ToLabel();
        signal.SentimentScore = Math.Round(c.SentimentScore, 4);
        signal.Urgency = c.Urgency.ToLabel();
    }

    private static OutboxEvent Outbox(Guid workspaceId, string type, Signal signal, DateTime now) =>
        new()
        {
            WorkspaceId = workspaceId,
            Type = type,
            PayloadJson = JsonSerializer.Serialize(new { workspaceId, signalId = signal.Id, clusterId = signal.ClusterId }),
            CreatedAt = now,
        };

    private static OutboxEvent Outbox(Guid workspaceId, string type, Cluster cluster, DateTime now) =>
        new()
        {
            WorkspaceId = workspaceId,
            Type = type,
            PayloadJson = JsonSerializer.Serialize(new { workspaceId, clusterId = cluster.Id, size = cluster.Size }),
            CreatedAt = now,
        };

    /// <summary>Band rows go in with plain batched SQL: there are many of them and EF change tracking buys nothing here.</summary>
    private async Task ReplaceBandsAsync(List<Guid> removeFor, List<SignalLshBand> rows, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        foreach (var chunk in removeFor.Chunk(500))
        {
            await db.SignalLshBands.IgnoreQueryFilters().Where(b => EF.Parameter(chunk).Contains(b.SignalId)).ExecuteDeleteAsync(ct);
        }

        var distinct = rows.DistinctBy(r => (r.WorkspaceId, r.Band, r.Hash, r.SignalId));
        if (connection is Npgsql.NpgsqlConnection npgsql)
        {
            // One binary COPY: no conflict is possible (rows of new signal ids, or of signals whose rows were just deleted).
            await using var importer = await npgsql.BeginBinaryImportAsync("COPY signal_lsh_bands (workspace_id, band, hash, signal_id) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var row in distinct)
            {
                await importer.StartRowAsync(ct);
                await importer.WriteAsync(row.WorkspaceId, NpgsqlTypes.NpgsqlDbType.Uuid, ct);
                await importer.WriteAsync(row.Band, NpgsqlTypes.NpgsqlDbType.Integer, ct);
                await importer.WriteAsync(row.Hash, NpgsqlTypes.NpgsqlDbType.Bigint, ct);
                await importer.WriteAsync(row.SignalId, NpgsqlTypes.NpgsqlDbType.Uuid, ct);
            }

            await importer.CompleteAsync(ct);
            return;
        }

        var isSqlite = db.Database.IsSqlite();
        // Four parameters per row; see BulkInsert.MaxParametersPerStatement for why SQLite statements stay small.
        var perStatement = BulkInsert.MaxParametersPerStatement(db) / 4;
        // Full chunks reuse one prepared statement: parsing an 800-parameter INSERT costs as much as running it.
        DbCommand? full = null;
        try
        {
            foreach (var chunk in distinct.Chunk(perStatement))
            {
                var cmd = chunk.Length == perStatement ? full ??= CreateBandInsert(connection, transaction, perStatement) : CreateBandInsert(connection, transaction, chunk.Length);
                for (var i = 0; i < chunk.Length; i++)
                {
                    cmd.Parameters[i * 4].Value = isSqlite ? chunk[i].WorkspaceId.ToString().ToUpperInvariant() : chunk[i].WorkspaceId;
                    cmd.Parameters[(i * 4) + 1].Value = chunk[i].Band;
                    cmd.Parameters[(i * 4) + 2].Value = chunk[i].Hash;
                    cmd.Parameters[(i * 4) + 3].Value = isSqlite ? chunk[i].SignalId.ToString().ToUpperInvariant() : chunk[i].SignalId;
                }

                await cmd.ExecuteNonQueryAsync(ct);
                if (!ReferenceEquals(cmd, full))
                {
                    await cmd.DisposeAsync();
                }
            }
        }
        finally
        {
            if (full is not null)
            {
                await full.DisposeAsync();
            }
        }
    }

    private static DbCommand CreateBandInsert(DbConnection connection, DbTransaction transaction, int rows)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        var sb = new System.Text.StringBuilder("INSERT INTO signal_lsh_bands (workspace_id, band, hash, signal_id) VALUES ");
        for (var i = 0; i < rows; i++)
        {
            sb.Append(i == 0 ? "" : ",").Append(System.Globalization.CultureInfo.InvariantCulture, $"(@w{i},@b{i},@h{i},@s{i})");
            AddParameter(cmd, $"@w{i}", DBNull.Value);
            AddParameter(cmd, $"@b{i}", DBNull.Value);
            AddParameter(cmd, $"@h{i}", DBNull.Value);
            AddParameter(cmd, $"@s{i}", DBNull.Value);
        }

        cmd.CommandText = sb.Append(" ON CONFLICT DO NOTHING").ToString();
        return cmd;
    }

    private static void AddParameter(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    private static string ClusterTitle(Signal s)
    {
        var title = !string.IsNullOrWhiteSpace(s.Title) ? s.Title! : s.BodyText ?? s.ExternalId;
        title = title.ReplaceLineEndings(" ").Trim();
        return title.Length <= 200 ? title : title[..197] + "...";
    }

    private static string? SerializeMetadata(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is null || metadata.Count == 0 ? null : JsonSerializer.Serialize(new SortedDictionary<string, string>(metadata.ToDictionary(), StringComparer.Ordinal));

    private static string? WithoutNul(string? s) => s?.Replace("\0", string.Empty, StringComparison.Ordinal);

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    internal sealed record Prepared(IngestMessage Message, NormalizedText Text, SignalClassification? Classification, PreparedSignal Duplicate, ProductAreaAssignment? ProductAreas);

    /// <summary>Areas from the workspace's taxonomy (null when it has none: the signal's areas are left alone).</summary>
    internal sealed record ProductAreaAssignment(string? Value);
}

/// <summary>A batch whose CPU work is done (see <see cref="IngestBatchProcessor.PrepareAsync"/>); no database state.</summary>
public sealed class PreparedBatch
{
    internal PreparedBatch(IngestBatchProcessor.Prepared[] items) => Items = items;

    internal IngestBatchProcessor.Prepared[] Items { get; }

    public int Count => Items.Length;
}
