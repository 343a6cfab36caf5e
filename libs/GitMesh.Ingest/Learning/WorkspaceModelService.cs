using System.Text.Json;
using GitMesh.Data;
using GitMesh.Domain.Intelligence;
using GitMesh.Domain.Signals;
using GitMesh.Intelligence;
using GitMesh.Intelligence.Classification;
using GitMesh.Intelligence.Corrections;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Ingest.Learning;

/// <summary>
/// Builds a workspace's <see cref="CorrectionModel"/> from its signal_corrections (the latest correction of each
/// signal and field, on the corrected signal's stored text) and stores it in workspace_models with its
/// leave-one-out accuracy report.
/// </summary>
public sealed class WorkspaceModelService(ISignalClassifier classifier, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Workspaces whose correction count differs from what their model was trained on (corrections are append-only).</summary>
    public async Task<IReadOnlyList<Guid>> FindStaleAsync(GitMeshDbContext db, CancellationToken ct)
    {
        var counts = await db.Set<SignalCorrection>().IgnoreQueryFilters()
            .GroupBy(c => c.WorkspaceId)
            .Select(g => new { WorkspaceId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.WorkspaceId, x => x.Count, ct);
        var seen = await db.Set<WorkspaceModel>().IgnoreQueryFilters()
            .Select(m => new { m.WorkspaceId, m.CorrectionsSeen })
            .ToDictionaryAsync(x => x.WorkspaceId, x => x.CorrectionsSeen, ct);
        return counts.Where(kv => seen.GetValueOrDefault(kv.Key, -1) != kv.Value).Select(kv => kv.Key)
            .Concat(seen.Where(kv => kv.Value > 0 && !counts.ContainsKey(kv.Key)).Select(kv => kv.Key))
            .ToList();
    }

    /// <summary>The corrections of a workspace as training examples, oldest first.</summary>
    public static async Task<(List<Correction> Examples, int Rows, DateTime? Newest)> LoadCorrectionsAsync(GitMeshDbContext db, Guid workspaceId, CancellationToken ct)
    {
        var rows = await (
                from c in db.Set<SignalCorrection>().IgnoreQueryFilters()
                join s in db.Signals.IgnoreQueryFilters() on c.SignalId equals s.Id
                where c.WorkspaceId == workspaceId
                select new { c.Id, c.SignalId, c.Field, c.NewValue, c.CreatedAt, s.Title, s.BodyText, s.CodeText })
            .AsNoTracking()
            .ToListAsync(ct);
        var latest = rows
            .OrderBy(r => r.CreatedAt).ThenBy(r => r.Id)
            .GroupBy(r => (r.SignalId, r.Field))
            .Select(g => g.Last())
            .OrderBy(r => r.CreatedAt).ThenBy(r => r.Id);
        var examples = new List<Correction>();
        foreach (var r in latest)
        {
            var text = new SignalText(r.Title, r.BodyText, r.CodeText);
            switch (r.Field)
            {
                case "intent" when !string.IsNullOrWhiteSpace(r.NewValue):
                    examples.Add(new Correction(text, CorrectionFields.Intent, r.NewValue));
                    break;
                case "sentiment" when !string.IsNullOrWhiteSpace(r.NewValue):
                    examples.Add(new Correction(text, CorrectionFields.Sentiment, r.NewValue));
                    break;
                case "product_areas" when !string.IsNullOrWhiteSpace(r.NewValue):
                    examples.AddRange(r.NewValue.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Distinct(StringComparer.Ordinal)
                        .Select(area => new Correction(text, CorrectionFields.ProductArea, area)));
                    break;
            }
        }

        return (examples, rows.Count, rows.Count == 0 ? null : rows.Max(r => r.CreatedAt));
    }

    /// <summary>Retrains and stores the model of one workspace. Returns the stored row.</summary>
    public async Task<WorkspaceModel> RetrainAsync(GitMeshDbContext db, Guid workspaceId, CancellationToken ct)
    {
        var (examples, rowCount, newest) = await LoadCorrectionsAsync(db, workspaceId, ct);
        var trainer = classifier as DefaultSignalClassifier ?? DefaultSignalClassifier.Shared;
        var model = trainer.TrainCorrections(examples);
        var report = model.Evaluate();
        var row = await db.Set<WorkspaceModel>().IgnoreQueryFilters().FirstOrDefaultAsync(m => m.WorkspaceId == workspaceId, ct);
        if (row is null)
        {
            row = new WorkspaceModel { WorkspaceId = workspaceId };
            db.Set<WorkspaceModel>().Add(row);
        }

        row.CorrectionModelJson = model.ToJson();
        row.Examples = model.Count;
        row.AccuracyJson = JsonSerializer.Serialize(report, Json);
        row.TrainedThrough = newest;
        row.CorrectionsSeen = rowCount;
        var now = time.GetUtcNow().UtcDateTime;
        // Strictly increasing, so a cache keyed on updated_at always sees a retraining.
        row.UpdatedAt = now > row.UpdatedAt ? now : row.UpdatedAt.AddTicks(10);
        await db.SaveChangesAsync(ct);
        return row;
    }

    /// <summary>The stored accuracy report of a model row.</summary>
    public static IReadOnlyList<CorrectionFieldReport> ReadReport(WorkspaceModel row) =>
        row.AccuracyJson is null ? [] : JsonSerializer.Deserialize<List<CorrectionFieldReport>>(row.AccuracyJson, Json) ?? [];
}
