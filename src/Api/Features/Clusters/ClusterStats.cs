using GitMesh.Data;
using GitMesh.Domain.Clusters;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Features.Clusters;

/// <summary>
/// Recomputes a cluster's size, platforms and first/last seen from its live members. Manual moves are rare and
/// touch few clusters, so counting beats tracking deltas: the numbers cannot drift.
/// </summary>
internal static class ClusterStats
{
    public static async Task RecomputeAsync(GitMeshDbContext db, IReadOnlyCollection<Cluster> clusters, DateTime now, CancellationToken ct)
    {
        foreach (var cluster in clusters)
        {
            var id = cluster.Id;
            var members = db.Signals.Where(s => s.ClusterId == id && !s.IsDeleted);
            var stats = await members.GroupBy(_ => 1)
                .Select(g => new { Count = g.Count(), First = g.Min(s => s.SourceCreatedAt ?? s.IngestedAt), Last = g.Max(s => s.SourceCreatedAt ?? s.IngestedAt) })
                .FirstOrDefaultAsync(ct);
            var platforms = await members.Select(s => s.Source).Distinct().ToListAsync(ct);
            cluster.Size = stats?.Count ?? 0;
            if (stats is not null)
            {
                cluster.FirstSeenAt = stats.First;
                cluster.LastSeenAt = stats.Last;
            }

            cluster.Platforms = platforms.Count == 0 ? null : string.Join(',', platforms.Order(StringComparer.Ordinal));
            cluster.UpdatedAt = now;
            cluster.Version++;
        }
    }
}
