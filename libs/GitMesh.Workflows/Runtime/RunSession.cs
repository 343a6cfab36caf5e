using GitMesh.Data;
using GitMesh.Domain.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Workflows.Runtime;

/// <summary>
/// The persistence side of one activation of a run: the step rows loaded at claim time (tracked) and lease-fenced writes.
/// Every write first extends the lease with "WHERE lease_owner = me" in the same transaction, so a worker that lost its
/// lease (another worker took over after expiry) cannot record anything for the run.
/// </summary>
internal sealed class RunSession(GitMeshDbContext db, WorkflowRun run, RunLease lease, WorkflowOptions options, TimeProvider time, List<WorkflowStep> steps)
{
    private readonly Dictionary<string, WorkflowStep> _steps = steps.ToDictionary(s => s.Name, StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _nextSequence = steps.Count == 0 ? 1 : steps.Max(s => s.Sequence) + 1;

    public GitMeshDbContext Db => db;
    public WorkflowRun Run => run;
    public RunLease Lease => lease;
    public WorkflowOptions Options => options;
    public DateTime Now => time.GetUtcNow().UtcDateTime;
    public string WorkerId => lease.Owner;

    public WorkflowStep? Find(string name) => _steps.GetValueOrDefault(name);

    public WorkflowStep NewStep(string name, string kind) => new()
    {
        RunId = run.Id,
        Name = name,
        Kind = kind,
        IdempotencyKey = $"{run.Id:N}:{name}",
        StartedAt = Now,
    };

    /// <summary>Serialises the session's database work when workflow code runs steps in parallel (a DbContext is single-threaded).</summary>
    public async Task<IDisposable> LockAsync()
    {
        await _gate.WaitAsync(lease.Token);
        return new Releaser(_gate);
    }

    /// <summary>Inserts or updates the step (and an attempt record) in one lease-fenced transaction. Call under <see cref="LockAsync"/>.</summary>
    public Task SaveAsync(WorkflowStep step, WorkflowStepAttempt? attempt = null) =>
        InTransactionAsync(() =>
        {
            Track(step);
            if (attempt is not null)
            {
                db.Add(attempt);
            }

            return Task.CompletedTask;
        });

    /// <summary>Runs <paramref name="work"/> (which changes tracked entities) and saves, in one lease-fenced transaction.</summary>
    public async Task InTransactionAsync(Func<Task> work)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(lease.Token);
        await FenceAsync();
        await work();
        await db.SaveChangesAsync(lease.Token);
        await transaction.CommitAsync(lease.Token);
        foreach (var entry in db.ChangeTracker.Entries().Where(e => e.Entity is WorkflowStepAttempt or WorkflowSignal).ToList())
        {
            entry.State = EntityState.Detached;
        }
    }

    /// <summary>Adds a new step to the session (sequence in first-execution order); a known one stays tracked.</summary>
    public void Track(WorkflowStep step)
    {
        if (_steps.TryAdd(step.Name, step))
        {
            step.Sequence = _nextSequence++;
            db.WorkflowSteps.Add(step);
        }
    }

    /// <summary>Extends the lease; throws <see cref="WorkflowLeaseLostException"/> when this worker no longer owns the run.</summary>
    public async Task FenceAsync()
    {
        var expires = Now + options.LeaseDuration;
        var owner = lease.Owner;
        var id = run.Id;
        var updated = await db.WorkflowRuns.Where(r => r.Id == id && r.LeaseOwner == owner)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseExpiresAt, expires), lease.Token);
        if (updated == 0)
        {
            lease.MarkLost();
            throw new WorkflowLeaseLostException(id);
        }
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
