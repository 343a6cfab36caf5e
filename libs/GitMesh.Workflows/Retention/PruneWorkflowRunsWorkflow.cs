using GitMesh.Data;
using GitMesh.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GitMesh.Workflows.Retention;

public sealed record PruneWorkflowRunsInput(int? RetentionDays = null);

/// <summary>System job: deletes finished runs (with their steps, attempts and signals) older than the retention.</summary>
[WorkflowName(Name)]
public sealed class PruneWorkflowRunsWorkflow(GitMeshDbContext db, TimeProvider time, IOptions<WorkflowOptions> options)
    : IWorkflow<PruneWorkflowRunsInput, int>
{
    public const string Name = "system.prune-workflow-runs";

    public Task<int> RunAsync(WorkflowContext context, PruneWorkflowRunsInput input) =>
        context.StepAsync("delete-finished-runs", async ct =>
        {
            var retention = input.RetentionDays is { } days ? TimeSpan.FromDays(days) : options.Value.Retention;
            var cutoff = time.GetUtcNow().UtcDateTime - retention;
            var self = context.RunId;
            var total = 0;
            // Batches keep each delete short on a busy database.
            while (true)
            {
                var ids = await db.WorkflowRuns.WhereFinished()
                    .Where(r => r.CompletedAt < cutoff && r.Id != self)
                    .OrderBy(r => r.CompletedAt).Select(r => r.Id).Take(500).ToListAsync(ct.CancellationToken);
                if (ids.Count == 0)
                {
                    return total;
                }

                await db.Set<GitMesh.Domain.Workflows.WorkflowStepAttempt>().Where(a => ids.Contains(a.RunId)).ExecuteDeleteAsync(ct.CancellationToken);
                await db.WorkflowSignals.Where(s => ids.Contains(s.RunId)).ExecuteDeleteAsync(ct.CancellationToken);
                await db.WorkflowSteps.Where(s => ids.Contains(s.RunId)).ExecuteDeleteAsync(ct.CancellationToken);
                total += await db.WorkflowRuns.Where(r => ids.Contains(r.Id)).ExecuteDeleteAsync(ct.CancellationToken);
            }
        }, new StepOptions { Retry = RetryPolicy.Default with { MaxAttempts = 3 } });
}
