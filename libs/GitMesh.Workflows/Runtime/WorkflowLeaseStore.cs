using GitMesh.Data;
using GitMesh.Domain.Workflows;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace GitMesh.Workflows.Runtime;

internal sealed record ClaimedRun(Guid Id, bool CancelRequested);

internal sealed record HeartbeatResult(Guid Id, bool CancelRequested);

/// <summary>
/// Claims runnable runs with leases. PostgreSQL: one UPDATE over a <c>FOR UPDATE SKIP LOCKED</c> sub-select, so many
/// workers claim disjoint runs without waiting on each other. SQLite (one writer at a time): a guarded UPDATE per
/// candidate that only succeeds while the run is still claimable.
/// </summary>
internal static class WorkflowLeaseStore
{
    private const string PostgresClaimSql = """
        UPDATE workflow_runs
        SET status = 'Running', lease_owner = @owner, lease_expires_at = @expires,
            started_at = COALESCE(started_at, @now), version = version + 1
        WHERE id IN (
            SELECT id FROM workflow_runs
            WHERE workflow_type = ANY(@types) AND NOT (id = ANY(@excluded))
              AND (((status = 'Pending' OR status = 'Waiting') AND next_run_at <= @now)
                   OR (status = 'Running' AND lease_expires_at < @now))
            ORDER BY next_run_at
            LIMIT @limit
            FOR UPDATE SKIP LOCKED)
        RETURNING id AS "Id", cancel_requested AS "CancelRequested"
        """;

    /// <param name="owner">A lease token unique to this claim (worker id + sequence): two activations of one run, even
    /// in the same worker, never share a token, so the lease fence tells them apart.</param>
    /// <param name="excluded">Runs this worker is executing right now (never claimed twice by the same worker).</param>
    public static async Task<IReadOnlyList<ClaimedRun>> ClaimAsync(
        GitMeshDbContext db, string owner, IReadOnlyCollection<string> types, IReadOnlyCollection<Guid> excluded, int limit, DateTime now, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (limit <= 0 || types.Count == 0)
        {
            return [];
        }

        var expires = now + lease;
        if (db.Database.IsNpgsql())
        {
            return await db.Database.SqlQueryRaw<ClaimedRun>(PostgresClaimSql,
                    new NpgsqlParameter("owner", owner),
                    new NpgsqlParameter("expires", expires),
                    new NpgsqlParameter("now", now),
                    new NpgsqlParameter("types", types.ToArray()),
                    new NpgsqlParameter("excluded", excluded.ToArray()),
                    new NpgsqlParameter("limit", limit))
                .ToListAsync(cancellationToken);
        }

        var typeList = types.ToList();
        var excludedList = excluded.ToList();
        var candidates = await Claimable(db.WorkflowRuns, now)
            .Where(r => typeList.Contains(r.WorkflowType) && !excludedList.Contains(r.Id))
            .OrderBy(r => r.NextRunAt)
            .Select(r => new ClaimedRun(r.Id, r.CancelRequested))
            .Take(limit)
            .ToListAsync(cancellationToken);
        var claimed = new List<ClaimedRun>(candidates.Count);
        foreach (var candidate in candidates)
        {
            var id = candidate.Id;
            var updated = await Claimable(db.WorkflowRuns.Where(r => r.Id == id), now)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.Status, WorkflowRunStatus.Running)
                    .SetProperty(r => r.LeaseOwner, owner)
                    .SetProperty(r => r.LeaseExpiresAt, expires)
                    .SetProperty(r => r.StartedAt, r => r.StartedAt ?? now)
                    .SetProperty(r => r.Version, r => r.Version + 1), cancellationToken);
            if (updated == 1)
            {
                claimed.Add(candidate);
            }
        }

        return claimed;
    }

    /// <summary>Extends the leases this worker still holds and reports cancel requests; runs missing from the result were lost.</summary>
    public static async Task<IReadOnlyList<HeartbeatResult>> HeartbeatAsync(
        GitMeshDbContext db, IReadOnlyCollection<(Guid RunId, string Owner)> leases, DateTime now, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (leases.Count == 0)
        {
            return [];
        }

        var ids = leases.Select(l => l.RunId).ToList();
        var owners = leases.Select(l => l.Owner).ToList();
        var expires = now + lease;
        // Run id and token both listed: a pair matches only its own claim, since tokens are unique per claim.
        await db.WorkflowRuns.Where(r => ids.Contains(r.Id) && owners.Contains(r.LeaseOwner!) && r.Status == WorkflowRunStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseExpiresAt, expires), cancellationToken);
        var rows = await db.WorkflowRuns.AsNoTracking()
            .Where(r => ids.Contains(r.Id) && owners.Contains(r.LeaseOwner!) && r.Status == WorkflowRunStatus.Running)
            .Select(r => new { r.Id, r.LeaseOwner, r.CancelRequested })
            .ToListAsync(cancellationToken);
        var wanted = leases.ToHashSet();
        return rows.Where(r => wanted.Contains((r.Id, r.LeaseOwner!))).Select(r => new HeartbeatResult(r.Id, r.CancelRequested)).ToList();
    }

    private static IQueryable<WorkflowRun> Claimable(IQueryable<WorkflowRun> runs, DateTime now) =>
        runs.Where(r => ((r.Status == WorkflowRunStatus.Pending || r.Status == WorkflowRunStatus.Waiting) && r.NextRunAt <= now)
                        || (r.Status == WorkflowRunStatus.Running && r.LeaseExpiresAt < now));
}
