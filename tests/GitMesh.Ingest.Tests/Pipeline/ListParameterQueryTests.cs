using GitMesh.Data;
using GitMesh.Domain.Clusters;
using GitMesh.Domain.Signals;
using GitMesh.Domain.Workspaces;
using GitMesh.TestCommon;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Ingest.Tests.Pipeline;

/// <summary>
/// The pipeline passes its id/hash lists as ONE parameter (EF.Parameter: a JSON array read with json_each on SQLite, an
/// array on PostgreSQL) instead of one parameter per value. These queries must find exactly what per-value IN lists
/// found, including Guids, which SQLite stores as upper-case TEXT.
/// </summary>
public sealed class ListParameterQueryTests
{
    [Theory, Providers]
    public async Task Single_parameter_lists_match_guids_strings_and_longs_like_per_value_lists(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var now = new DateTime(2026, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        var workspace = new Workspace { Name = "W", Slug = "w", CreatedAt = now, UpdatedAt = now };
        var signals = Enumerable.Range(0, 40).Select(i => new Signal
        {
            WorkspaceId = workspace.Id,
            Source = "github",
            Kind = "issue",
            ExternalId = $"x-{i}",
            IngestedAt = now,
            UpdatedAt = now,
            ContentHash = $"h{i}",
            Version = 1,
        }).ToList();
        await using (var db = database.CreateContext())
        {
            db.Workspaces.Add(workspace);
            db.Signals.AddRange(signals);
            db.SignalLshBands.AddRange(signals.Select((s, i) => new SignalLshBand { WorkspaceId = workspace.Id, Band = i % 16, Hash = (i * 7_919_000_000_017L) - 5, SignalId = s.Id }));
            await db.SaveChangesAsync();
        }

        var ids = signals.Where((_, i) => i % 3 == 0).Select(s => s.Id).Append(Guid.NewGuid()).ToList();
        var externalIds = signals.Where((_, i) => i % 4 == 0).Select(s => s.ExternalId).Append("missing").ToList();
        var hashes = Enumerable.Range(0, 40).Where(i => i % 5 == 0).Select(i => (i * 7_919_000_000_017L) - 5).Append(42L).ToList();
        await using (var db = database.CreateContext())
        {
            var byId = await db.Signals.IgnoreQueryFilters().Where(s => s.WorkspaceId == workspace.Id && EF.Parameter(ids).Contains(s.Id)).Select(s => s.Id).ToListAsync();
            var byIdPerValue = await db.Signals.IgnoreQueryFilters().Where(s => s.WorkspaceId == workspace.Id && ids.Contains(s.Id)).Select(s => s.Id).ToListAsync();
            byId.Count.ShouldBe(14);
            byId.Order().ShouldBe(byIdPerValue.Order());

            var byExternal = await db.Signals.IgnoreQueryFilters().Where(s => s.WorkspaceId == workspace.Id && s.Source == "github" && EF.Parameter(externalIds).Contains(s.ExternalId)).CountAsync();
            byExternal.ShouldBe(10);

            var byHash = await db.SignalLshBands.IgnoreQueryFilters().Where(b => b.WorkspaceId == workspace.Id && EF.Parameter(hashes).Contains(b.Hash)).Select(b => b.SignalId).ToListAsync();
            byHash.Order().ShouldBe(signals.Where((_, i) => i % 5 == 0).Select(s => s.Id).Order());

            var clusterIds = new List<Guid> { Guid.NewGuid() };
            (await db.Clusters.IgnoreQueryFilters().Where(c => EF.Parameter(clusterIds).Contains(c.Id)).ToListAsync()).ShouldBeEmpty();
        }
    }
}
