using System.Text.Json;
using GitMesh.Connectors;
using GitMesh.Connectors.Import;
using GitMesh.Data;
using GitMesh.Domain.Messaging;
using GitMesh.Domain.Signals;
using Microsoft.Extensions.Options;

namespace GitMesh.Integrations.Imports;

public sealed record ImportLineError(long Line, string Error);

/// <param name="Rejected">The first <see cref="IntegrationsOptions.ImportMaxReportedErrors"/> rejected lines; <see cref="RejectedCount"/> counts them all.</param>
public sealed record ImportResult(Guid ImportId, long Imported, long RejectedCount, IReadOnlyList<ImportLineError> Rejected, long BytesRead, long? TotalBytes);

/// <summary>Progress of a running import, for a progress bar (CLI) or the <c>importProgress</c> event.</summary>
public sealed record ImportProgress(Guid ImportId, long BytesRead, long? TotalBytes, long Imported, long Rejected);

/// <summary>
/// Streams a CSV or JSON Lines file through <see cref="SignalImportReader"/> and enqueues the valid rows in batches,
/// never holding more than one batch in memory. Bad rows are reported by line number and the import goes on.
/// Progress is published as <c>importProgress</c> outbox events every few batches and once at the end.
/// </summary>
public sealed class SignalImporter(ISignalSink sink, GitMeshDbContext db, TimeProvider time, IOptions<IntegrationsOptions> options)
{
    public const string ProgressEventType = "importProgress";

    public async Task<ImportResult> ImportAsync(
        Guid workspaceId, Stream stream, SignalImportFormat format, long? totalBytesHint, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        var settings = options.Value;
        var importId = Guid.CreateVersion7();
        var reader = new SignalImportReader(stream, format);
        var totalBytes = reader.TotalBytes ?? totalBytesHint;
        var batch = new List<SignalEnvelope>(settings.ImportBatchSize);
        var errors = new List<ImportLineError>();
        long imported = 0;
        long rejected = 0;
        var batches = 0;

        async Task FlushAsync(bool final)
        {
            if (batch.Count > 0)
            {
                await sink.EnqueueAsync(workspaceId, null, batch, ct);
                imported += batch.Count;
                batch.Clear();
                batches++;
            }

            var snapshot = new ImportProgress(importId, final && totalBytes is { } t ? t : reader.BytesRead, totalBytes, imported, rejected);
            progress?.Report(snapshot);
            if (final || batches % settings.ImportProgressEveryBatches == 0)
            {
                await PublishAsync(workspaceId, snapshot, final, ct);
            }
        }

        await foreach (var item in reader.ReadAllAsync(ct))
        {
            if (item.IsValid)
            {
                batch.Add(item.Signal);
                if (batch.Count >= settings.ImportBatchSize)
                {
                    await FlushAsync(final: false);
                }
            }
            else
            {
                rejected++;
                if (errors.Count < settings.ImportMaxReportedErrors)
                {
                    errors.Add(new ImportLineError(item.LineNumber, item.Error));
                }
            }
        }

        await FlushAsync(final: true);
        return new ImportResult(importId, imported, rejected, errors, reader.BytesRead, totalBytes);
    }

    private async Task PublishAsync(Guid workspaceId, ImportProgress progress, bool done, CancellationToken ct)
    {
        db.OutboxEvents.Add(new OutboxEvent
        {
            WorkspaceId = workspaceId,
            Type = ProgressEventType,
            PayloadJson = JsonSerializer.Serialize(new
            {
                workspaceId,
                importId = progress.ImportId,
                bytesRead = progress.BytesRead,
                totalBytes = progress.TotalBytes,
                imported = progress.Imported,
                rejected = progress.Rejected,
                done,
            }),
            CreatedAt = time.GetUtcNow().UtcDateTime,
        });
        await db.SaveChangesAsync(ct);
    }
}
