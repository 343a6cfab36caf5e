using System.Collections.Concurrent;
using System.Threading.Channels;
using GitMesh.Data;
using GitMesh.Domain.Signals;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Features.Triage;

/// <summary>What a bulk update sets on each signal; null fields are left alone.</summary>
public sealed record BulkSet(TriageStatus? TriageStatus, bool AssigneeSet, Guid? AssigneeUserId, IReadOnlyList<string> AddTags, IReadOnlyList<string> RemoveTags);

public enum BulkJobStatus
{
    Queued,
    Running,
    Completed,
    Failed,
}

/// <summary>A bulk update: the signal ids are fixed when it is submitted, so "total" is known and new arrivals are not swept in.</summary>
public sealed class BulkJob(Guid id, Guid workspaceId, IReadOnlyList<Guid> signalIds, BulkSet set, DateTime createdAt)
{
    public Guid Id { get; } = id;
    public Guid WorkspaceId { get; } = workspaceId;
    public IReadOnlyList<Guid> SignalIds { get; } = signalIds;
    public BulkSet Set { get; } = set;
    public DateTime CreatedAt { get; } = createdAt;
    public int Total => SignalIds.Count;

    // Written by the worker, read by status requests.
    private int _processed;
    private int _updated;
    private volatile string? _error;
    private long _completedAtTicks;
    private int _status;

    public int Processed => Volatile.Read(ref _processed);
    public int Updated => Volatile.Read(ref _updated);
    public string? Error => _error;
    public BulkJobStatus Status => (BulkJobStatus)Volatile.Read(ref _status);
    public DateTime? CompletedAt => Interlocked.Read(ref _completedAtTicks) is var t and > 0 ? new DateTime(t, DateTimeKind.Utc) : null;

    internal void Start() => Volatile.Write(ref _status, (int)BulkJobStatus.Running);

    internal void Advance(int processed, int updated)
    {
        Interlocked.Add(ref _processed, processed);
        Interlocked.Add(ref _updated, updated);
    }

    internal void Finish(DateTime at, string? error)
    {
        _error = error;
        Interlocked.Exchange(ref _completedAtTicks, at.Ticks);
        Volatile.Write(ref _status, (int)(error is null ? BulkJobStatus.Completed : BulkJobStatus.Failed));
    }
}

/// <summary>
/// In-process registry and queue of bulk jobs. Jobs live in memory: a restart loses queued and running jobs (the
/// chunks already committed stay committed, each with its own audit-free progress event; the submission's audit
/// entry names the whole request). Status requests are answered only by the instance that accepted the job.
/// </summary>
public sealed class BulkJobRegistry
{
    private readonly ConcurrentDictionary<Guid, BulkJob> _jobs = new();
    private readonly Channel<BulkJob> _queue = Channel.CreateUnbounded<BulkJob>(new UnboundedChannelOptions { SingleReader = true });

    public void Enqueue(BulkJob job)
    {
        _jobs[job.Id] = job;
        _queue.Writer.TryWrite(job);
    }

    public BulkJob? Find(Guid workspaceId, Guid jobId) =>
        _jobs.TryGetValue(jobId, out var job) && job.WorkspaceId == workspaceId ? job : null;

    internal ChannelReader<BulkJob> Reader => _queue.Reader;
}

/// <summary>
/// Runs bulk jobs one at a time in chunks of <see cref="ChunkSize"/> signals: each chunk is one transaction with its
/// <c>bulkProgress</c> outbox event, so progress is visible (and durable) as it goes and no transaction holds the
/// database's write lock for long.
/// </summary>
internal sealed partial class BulkJobWorker(BulkJobRegistry registry, IServiceScopeFactory scopes, TimeProvider time, ILogger<BulkJobWorker> logger) : BackgroundService
{
    public const int ChunkSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var job in registry.Reader.ReadAllAsync(stoppingToken))
            {
                job.Start();
                try
                {
                    await RunAsync(job, stoppingToken);
                    job.Finish(time.GetUtcNow().UtcDateTime, null);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    job.Finish(time.GetUtcNow().UtcDateTime, "The server stopped before the job finished.");
                    throw;
                }
                catch (Exception ex)
                {
                    LogJobFailed(ex, job.Id);
                    job.Finish(time.GetUtcNow().UtcDateTime, "The job failed; chunks already applied stay applied. Retrying the same request is safe.");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task RunAsync(BulkJob job, CancellationToken ct)
    {
        foreach (var chunk in job.SignalIds.Chunk(ChunkSize))
        {
            var updated = await ApplyChunkWithRetryAsync(job, chunk, ct);
            job.Advance(chunk.Length, updated);
        }

        if (job.Total == 0)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = Enter(scope, job);
            TriageEvents.Add(db, job.WorkspaceId, TriageEvents.BulkProgress, new { workspaceId = job.WorkspaceId, jobId = job.Id, processed = 0, total = 0 }, time.GetUtcNow().UtcDateTime);
            await db.SaveChangesAsync(ct);
        }
    }

    // The pipeline may update a signal of the chunk at the same moment (optimistic concurrency on Version): retry the
    // chunk on fresh rows; the update is idempotent.
    private async Task<int> ApplyChunkWithRetryAsync(BulkJob job, Guid[] chunk, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ApplyChunkAsync(job, chunk, ct);
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
                LogChunkConflict(job.Id, attempt);
            }
        }
    }

    private async Task<int> ApplyChunkAsync(BulkJob job, Guid[] chunk, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = Enter(scope, job);
        var now = time.GetUtcNow().UtcDateTime;
        var signals = await db.Signals.Where(s => chunk.Contains(s.Id) && !s.IsDeleted).ToListAsync(ct);
        var updated = 0;
        foreach (var signal in signals)
        {
            if (Apply(signal, job.Set))
            {
                signal.Version++;
                signal.UpdatedAt = now;
                updated++;
            }
        }

        TriageEvents.Add(db, job.WorkspaceId, TriageEvents.BulkProgress,
            new { workspaceId = job.WorkspaceId, jobId = job.Id, processed = job.Processed + chunk.Length, total = job.Total }, now);
        await db.SaveChangesAsync(ct);
        return updated;
    }

    private static GitMeshDbContext Enter(AsyncServiceScope scope, BulkJob job)
    {
        scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(job.WorkspaceId);
        return scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
    }

    internal static bool Apply(Signal signal, BulkSet set)
    {
        var changed = false;
        if (set.TriageStatus is { } status && signal.TriageStatus != status)
        {
            signal.TriageStatus = status;
            changed = true;
        }

        if (set.AssigneeSet && signal.AssigneeUserId != set.AssigneeUserId)
        {
            signal.AssigneeUserId = set.AssigneeUserId;
            changed = true;
        }

        if (set.AddTags.Count > 0 || set.RemoveTags.Count > 0)
        {
            var tags = SignalFilter.SplitList(signal.Tags).ToList();
            var next = tags.Where(t => !set.RemoveTags.Contains(t, StringComparer.Ordinal)).ToList();
            next.AddRange(set.AddTags.Where(t => !next.Contains(t, StringComparer.Ordinal)));
            if (!next.SequenceEqual(tags, StringComparer.Ordinal))
            {
                signal.Tags = next.Count == 0 ? null : string.Join(',', next);
                changed = true;
            }
        }

        return changed;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Bulk job {JobId} failed")]
    private partial void LogJobFailed(Exception ex, Guid jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bulk job {JobId}: a signal of the chunk changed concurrently, retrying (attempt {Attempt})")]
    private partial void LogChunkConflict(Guid jobId, int attempt);
}
