using GitMesh.Data;
using GitMesh.Domain.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitMesh.Workflows.Runtime;

/// <summary>Runs one activation of a claimed run in its own DI scope and records how it ended.</summary>
internal sealed partial class WorkflowExecutor(
    IServiceScopeFactory scopes,
    WorkflowRegistry registry,
    IOptions<WorkflowOptions> options,
    TimeProvider time,
    ILogger<WorkflowExecutor> logger)
{
    public async Task ExecuteAsync(RunLease lease)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
        var token = lease.Token;
        var run = await db.WorkflowRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == lease.RunId, token);
        if (run is null || run.LeaseOwner != lease.Owner)
        {
            return;
        }

        lease.CancelRequested |= run.CancelRequested;
        var registration = registry.Find(run.WorkflowType);
        if (registration is null)
        {
            await FinishAsync(db, run, lease, WorkflowRunStatus.Failed, null, $"No workflow is registered as '{run.WorkflowType}'.");
            return;
        }

        var steps = await db.WorkflowSteps.Where(s => s.RunId == run.Id).ToListAsync(token);
        var session = new RunSession(db, run, lease, options.Value, time, steps);
        var context = new WorkflowContext(session, scope.ServiceProvider, logger);
        try
        {
            var workflow = ActivatorUtilities.GetServiceOrCreateInstance(scope.ServiceProvider, registration.WorkflowType);
            var output = await registration.InvokeAsync(workflow, context, run.InputJson);
            if (context.SuspendedUntil is { } wakeAt)
            {
                // The workflow swallowed the suspension; the run still parks.
                await SuspendAsync(db, run, lease, context, wakeAt);
            }
            else
            {
                await FinishAsync(db, run, lease, WorkflowRunStatus.Completed, output ?? "null", null);
            }
        }
        catch (WorkflowLeaseLostException)
        {
            LogLeaseLost(run.Id, run.WorkflowType);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            if (lease.LeaseLost)
            {
                LogLeaseLost(run.Id, run.WorkflowType);
            }
            else
            {
                await ReleaseAsync(db, run, lease);
            }
        }
        catch (WorkflowCancelledException)
        {
            await FinishAsync(db, run, lease, WorkflowRunStatus.Cancelled, null, "Cancelled on request.");
        }
        catch (Exception) when (context.SuspendedUntil is { } wakeAt)
        {
            await SuspendAsync(db, run, lease, context, wakeAt);
        }
        catch (Exception ex)
        {
            LogRunFailed(ex, run.Id, run.WorkflowType);
            await FinishAsync(db, run, lease, WorkflowRunStatus.Failed, null, WorkflowContext.Describe(ex));
        }
    }

    private async Task SuspendAsync(GitMeshDbContext db, WorkflowRun run, RunLease lease, WorkflowContext context, DateTime wakeAt)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var id = run.Id;
        var owner = lease.Owner;
        var updated = await db.WorkflowRuns.Where(r => r.Id == id && r.LeaseOwner == owner)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, WorkflowRunStatus.Waiting)
                // A cancel request that arrived during this activation must not be parked behind a long timer.
                .SetProperty(r => r.NextRunAt, r => r.CancelRequested ? now : wakeAt)
                .SetProperty(r => r.LeaseOwner, (string?)null)
                .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null)
                .SetProperty(r => r.Version, r => r.Version + 1), CancellationToken.None);
        if (updated == 0)
        {
            LogLeaseLost(id, run.WorkflowType);
            return;
        }

        // A signal or child completion that landed while we were running found the run not yet Waiting and could not
        // wake it; re-check now that it is parked (the sender's wake-up covers anything later).
        var signals = context.AwaitedSignals.ToList();
        var children = context.AwaitedChildren.ToList();
        var wake = (signals.Count > 0 && await db.WorkflowSignals.AnyAsync(s => s.RunId == id && s.ConsumedAt == null && signals.Contains(s.Name)))
                   || (children.Count > 0 && await db.WorkflowRuns.Where(r => children.Contains(r.Id)).WhereFinished().AnyAsync());
        if (wake)
        {
            await db.WorkflowRuns.Where(r => r.Id == id && r.Status == WorkflowRunStatus.Waiting)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.NextRunAt, now));
        }
    }

    private async Task ReleaseAsync(GitMeshDbContext db, WorkflowRun run, RunLease lease)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var id = run.Id;
        var owner = lease.Owner;
        await db.WorkflowRuns.Where(r => r.Id == id && r.LeaseOwner == owner)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, WorkflowRunStatus.Waiting)
                .SetProperty(r => r.NextRunAt, now)
                .SetProperty(r => r.LeaseOwner, (string?)null)
                .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null), CancellationToken.None);
    }

    private async Task FinishAsync(GitMeshDbContext db, WorkflowRun run, RunLease lease, WorkflowRunStatus status, string? output, string? error)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var id = run.Id;
        var owner = lease.Owner;
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        var updated = await db.WorkflowRuns.Where(r => r.Id == id && r.LeaseOwner == owner)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, status)
                .SetProperty(r => r.OutputJson, output)
                .SetProperty(r => r.Error, error)
                .SetProperty(r => r.CompletedAt, now)
                .SetProperty(r => r.LeaseOwner, (string?)null)
                .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null)
                .SetProperty(r => r.Version, r => r.Version + 1), CancellationToken.None);
        if (updated == 0)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            LogLeaseLost(id, run.WorkflowType);
            return;
        }

        if (run.ParentRunId is { } parentId)
        {
            await db.WorkflowRuns.Where(r => r.Id == parentId && r.Status == WorkflowRunStatus.Waiting)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.NextRunAt, now), CancellationToken.None);
        }

        if (status == WorkflowRunStatus.Cancelled)
        {
            await db.WorkflowRuns.Where(r => r.ParentRunId == id).WhereActive()
                .ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.CancelRequested, true)
                    .SetProperty(r => r.NextRunAt, r => r.Status == WorkflowRunStatus.Running ? r.NextRunAt : now), CancellationToken.None);
        }

        await transaction.CommitAsync(CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease on workflow run {RunId} ({WorkflowType}) was lost; another worker owns it now")]
    private partial void LogLeaseLost(Guid runId, string workflowType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow run {RunId} ({WorkflowType}) failed")]
    private partial void LogRunFailed(Exception exception, Guid runId, string workflowType);
}
