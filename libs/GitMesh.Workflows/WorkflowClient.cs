using System.Data.Common;
using GitMesh.Data;
using GitMesh.Domain.Workflows;
using GitMesh.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Workflows;

public enum WorkflowIdReusePolicy
{
    /// <summary>While a run with the id is active, return it; once it finished, a new run may start.</summary>
    AllowDuplicateAfterFinish = 0,
    /// <summary>Any earlier run with the id (active or finished) is returned instead of starting a new one.</summary>
    RejectDuplicate = 1,
}

public sealed record WorkflowStartOptions
{
    public Guid? WorkspaceId { get; init; }
    public Guid? IntegrationId { get; init; }
    public WorkflowIdReusePolicy IdReusePolicy { get; init; }
    /// <summary>Not runnable before this time (a delayed start).</summary>
    public DateTimeOffset? StartAt { get; init; }
    internal Guid? ParentRunId { get; init; }
}

/// <param name="Created">False when an existing run with the same workflow id was returned instead.</param>
public sealed record WorkflowHandle(Guid RunId, string WorkflowId, WorkflowRunStatus Status, bool Created);

public enum RetryRunOutcome
{
    Retried = 0,
    NotFound = 1,
    NotFailed = 2,
    /// <summary>Another run with the same workflow id is active; retrying would break "one active run per id".</summary>
    ActiveRunExists = 3,
}

/// <summary>Starts, signals, cancels and retries durable workflow runs. Usable from any host (API, scheduler, workers).</summary>
public interface IWorkflowClient
{
    /// <summary>Idempotent start: while a run with <paramref name="workflowId"/> is active, that run is returned.</summary>
    Task<WorkflowHandle> StartAsync<TWorkflow, TInput>(string workflowId, TInput input, WorkflowStartOptions? options = null, CancellationToken cancellationToken = default)
        where TWorkflow : IWorkflow;

    /// <summary>Start by registered type name with JSON input (schedules stored in the database).</summary>
    Task<WorkflowHandle> StartAsync(string workflowType, string workflowId, string inputJson, WorkflowStartOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Delivers a signal; kept until a <see cref="WorkflowContext.WaitForSignalAsync{T}"/> consumes it. False when no active run.</summary>
    Task<bool> SignalAsync<T>(Guid runId, string signalName, T payload, CancellationToken cancellationToken = default);

    /// <summary>Signals the active run of a workflow id.</summary>
    Task<bool> SignalAsync<T>(string workflowId, string signalName, T payload, CancellationToken cancellationToken = default);

    /// <summary>Requests cancellation; the run ends Cancelled at its next await (a run never started ends at once). False when not active.</summary>
    Task<bool> CancelAsync(Guid runId, CancellationToken cancellationToken = default);

    /// <summary>Re-runs a failed run: completed steps keep their results, failed steps get fresh attempts.</summary>
    Task<RetryRunOutcome> RetryAsync(Guid runId, CancellationToken cancellationToken = default);
}

public static class WorkflowClientExtensions
{
    public static Task<WorkflowHandle> StartAsync<TWorkflow, TInput>(this IWorkflowClient client, string workflowId, TInput input, Guid? workspaceId, CancellationToken cancellationToken = default)
        where TWorkflow : IWorkflow =>
        client.StartAsync<TWorkflow, TInput>(workflowId, input, new WorkflowStartOptions { WorkspaceId = workspaceId }, cancellationToken);
}

internal sealed class WorkflowClient(GitMeshDbContext db, TimeProvider time, WorkflowWakeup wakeup) : IWorkflowClient
{
    public Task<WorkflowHandle> StartAsync<TWorkflow, TInput>(string workflowId, TInput input, WorkflowStartOptions? options = null, CancellationToken cancellationToken = default)
        where TWorkflow : IWorkflow =>
        StartAsync(WorkflowNames.Of<TWorkflow>(), workflowId, WorkflowJson.Serialize(input), options, cancellationToken);

    public async Task<WorkflowHandle> StartAsync(string workflowType, string workflowId, string inputJson, WorkflowStartOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workflowType);
        ArgumentException.ThrowIfNullOrWhiteSpace(workflowId);
        options ??= new WorkflowStartOptions();
        if (await FindExistingAsync(workflowId, options.IdReusePolicy, cancellationToken) is { } existing)
        {
            return existing;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var run = new WorkflowRun
        {
            WorkflowType = workflowType,
            WorkflowId = workflowId,
            WorkspaceId = options.WorkspaceId,
            IntegrationId = options.IntegrationId,
            ParentRunId = options.ParentRunId,
            InputJson = inputJson,
            Status = WorkflowRunStatus.Pending,
            CreatedAt = now,
            NextRunAt = options.StartAt is { } at && at.UtcDateTime > now ? at.UtcDateTime : now,
        };
        db.WorkflowRuns.Add(run);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Lost a race with another start of the same id: the partial unique index kept one active run; return it.
            db.Entry(run).State = EntityState.Detached;
            if (await FindExistingAsync(workflowId, WorkflowIdReusePolicy.AllowDuplicateAfterFinish, cancellationToken) is { } winner)
            {
                return winner;
            }

            throw;
        }

        db.Entry(run).State = EntityState.Detached;
        wakeup.Nudge();
        return new WorkflowHandle(run.Id, workflowId, run.Status, Created: true);
    }

    public async Task<bool> SignalAsync<T>(Guid runId, string signalName, T payload, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(signalName);
        var active = await db.WorkflowRuns.Where(r => r.Id == runId).WhereActive().AnyAsync(cancellationToken);
        if (!active)
        {
            return false;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var signal = new WorkflowSignal { RunId = runId, Name = signalName, PayloadJson = WorkflowJson.Serialize(payload), CreatedAt = now };
        db.WorkflowSignals.Add(signal);
        await db.SaveChangesAsync(cancellationToken);
        db.Entry(signal).State = EntityState.Detached;
        // Wakes a parked run; a run that is executing right now re-checks its awaited signals after parking (see executor).
        await db.WorkflowRuns.Where(r => r.Id == runId && r.Status == WorkflowRunStatus.Waiting)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.NextRunAt, now), cancellationToken);
        wakeup.Nudge();
        return true;
    }

    public async Task<bool> SignalAsync<T>(string workflowId, string signalName, T payload, CancellationToken cancellationToken = default)
    {
        var runId = await db.WorkflowRuns.Where(r => r.WorkflowId == workflowId).WhereActive()
            .Select(r => (Guid?)r.Id).FirstOrDefaultAsync(cancellationToken);
        return runId is { } id && await SignalAsync(id, signalName, payload, cancellationToken);
    }

    public async Task<bool> CancelAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        // Never claimed: nothing to unwind, end it now.
        var ended = await db.WorkflowRuns
            .Where(r => r.Id == runId && r.Status == WorkflowRunStatus.Pending && r.LeaseOwner == null && r.StartedAt == null)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, WorkflowRunStatus.Cancelled)
                .SetProperty(r => r.CancelRequested, true)
                .SetProperty(r => r.CompletedAt, now)
                .SetProperty(r => r.Error, "Cancelled before it started."), cancellationToken);
        if (ended > 0)
        {
            return true;
        }

        var requested = await db.WorkflowRuns
            .Where(r => r.Id == runId).WhereActive()
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.CancelRequested, true)
                .SetProperty(r => r.NextRunAt, r => r.Status == WorkflowRunStatus.Running ? r.NextRunAt : now), cancellationToken);
        wakeup.Nudge();
        return requested > 0;
    }

    public async Task<RetryRunOutcome> RetryAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var run = await db.WorkflowRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null)
        {
            return RetryRunOutcome.NotFound;
        }

        if (run.Status != WorkflowRunStatus.Failed)
        {
            return RetryRunOutcome.NotFailed;
        }

        if (await db.WorkflowRuns.Where(r => r.WorkflowId == run.WorkflowId).WhereActive().AnyAsync(cancellationToken))
        {
            return RetryRunOutcome.ActiveRunExists;
        }

        var now = time.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            var updated = await db.WorkflowRuns.Where(r => r.Id == runId && r.Status == WorkflowRunStatus.Failed)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.Status, WorkflowRunStatus.Pending)
                    .SetProperty(r => r.Error, (string?)null)
                    .SetProperty(r => r.CompletedAt, (DateTime?)null)
                    .SetProperty(r => r.NextRunAt, now)
                    .SetProperty(r => r.LeaseOwner, (string?)null)
                    .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null)
                    .SetProperty(r => r.Version, r => r.Version + 1), cancellationToken);
            if (updated == 0)
            {
                return RetryRunOutcome.NotFailed;
            }

            await db.WorkflowSteps.Where(s => s.RunId == runId && s.Status == StepStatus.Failed)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.Status, StepStatus.Retrying)
                    .SetProperty(x => x.Attempts, 0)
                    .SetProperty(x => x.NextAttemptAt, (DateTime?)null), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbException)
        {
            // The partial unique index refused a second active run of the id (a start raced us).
            await transaction.RollbackAsync(CancellationToken.None);
            return RetryRunOutcome.ActiveRunExists;
        }

        wakeup.Nudge();
        return RetryRunOutcome.Retried;
    }

    private async Task<WorkflowHandle?> FindExistingAsync(string workflowId, WorkflowIdReusePolicy policy, CancellationToken cancellationToken)
    {
        var query = db.WorkflowRuns.AsNoTracking().Where(r => r.WorkflowId == workflowId);
        if (policy == WorkflowIdReusePolicy.AllowDuplicateAfterFinish)
        {
            query = query.WhereActive();
        }

        var run = await query.OrderByDescending(r => r.CreatedAt).Select(r => new { r.Id, r.Status }).FirstOrDefaultAsync(cancellationToken);
        return run is null ? null : new WorkflowHandle(run.Id, workflowId, run.Status, Created: false);
    }
}
