using System.Collections.Concurrent;
using System.Text.Json;
using GitMesh.Data;
using GitMesh.Domain.Intelligence;
using GitMesh.Intelligence.Corrections;
using GitMesh.Intelligence.ProductAreas;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Ingest.Learning;

/// <summary>What the pipeline applies for one workspace: its correction model and its product-area matcher (either may be absent).</summary>
public sealed record WorkspaceLearning(CorrectionModel? Corrections, ProductAreaMatcher? ProductAreas)
{
    public static WorkspaceLearning None { get; } = new(null, null);
}

/// <summary>
/// Per-workspace cache of the deserialized correction model and the built product-area matcher. Each lookup reads
/// two small version stamps (the model's updated_at; the taxonomy's row count and newest updated_at) and rebuilds
/// only what changed, so a retraining or a taxonomy edit by any process applies to the next batch.
/// </summary>
public sealed class WorkspaceLearningCache
{
    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();

    public async Task<WorkspaceLearning> GetAsync(GitMeshDbContext db, Guid workspaceId, CancellationToken ct)
    {
        var modelStamp = await db.Set<WorkspaceModel>().IgnoreQueryFilters().AsNoTracking()
            .Where(m => m.WorkspaceId == workspaceId)
            .Select(m => (DateTime?)m.UpdatedAt)
            .FirstOrDefaultAsync(ct);
        var areaStamps = await db.Set<WorkspaceProductArea>().IgnoreQueryFilters().AsNoTracking()
            .Where(a => a.WorkspaceId == workspaceId)
            .Select(a => a.UpdatedAt)
            .ToListAsync(ct);
        var areaStamp = (areaStamps.Count, areaStamps.Count == 0 ? DateTime.MinValue : areaStamps.Max());
        _entries.TryGetValue(workspaceId, out var entry);

        var corrections = entry?.Corrections;
        if (entry is null || entry.ModelStamp != modelStamp)
        {
            corrections = null;
            if (modelStamp is not null)
            {
                var json = await db.Set<WorkspaceModel>().IgnoreQueryFilters().AsNoTracking()
                    .Where(m => m.WorkspaceId == workspaceId).Select(m => m.CorrectionModelJson).FirstOrDefaultAsync(ct);
                var model = string.IsNullOrEmpty(json) ? null : CorrectionModel.FromJson(json);
                corrections = model is { IsEmpty: false } ? model : null;
            }
        }

        var matcher = entry?.ProductAreas;
        if (entry is null || entry.AreaStamp != areaStamp)
        {
            matcher = areaStamp.Item1 == 0 ? null : new ProductAreaMatcher(await LoadTaxonomyAsync(db, workspaceId, ct));
        }

        if (entry is null || entry.ModelStamp != modelStamp || entry.AreaStamp != areaStamp)
        {
            entry = new Entry(modelStamp, areaStamp, corrections, matcher, new WorkspaceLearning(corrections, matcher));
            _entries[workspaceId] = entry;
        }

        return entry.Learning;
    }

    /// <summary>Forgets a workspace (the next lookup rebuilds it).</summary>
    public void Invalidate(Guid workspaceId) => _entries.TryRemove(workspaceId, out _);

    public static async Task<ProductTaxonomy> LoadTaxonomyAsync(GitMeshDbContext db, Guid workspaceId, CancellationToken ct)
    {
        var rows = await db.Set<WorkspaceProductArea>().IgnoreQueryFilters().AsNoTracking()
            .Where(a => a.WorkspaceId == workspaceId)
            .ToListAsync(ct);
        return new ProductTaxonomy(rows
            .OrderBy(a => a.Name, StringComparer.Ordinal)
            .Select(a => new ProductArea(a.Name, SplitKeywords(a.Keywords), ParseExamples(a.ExamplesJson)))
            .ToList());
    }

    public static IReadOnlyList<string> SplitKeywords(string? keywords) =>
        (keywords ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static IReadOnlyList<string> ParseExamples(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<List<string>>(json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private sealed record Entry(DateTime? ModelStamp, (int, DateTime) AreaStamp, CorrectionModel? Corrections, ProductAreaMatcher? ProductAreas, WorkspaceLearning Learning);
}
