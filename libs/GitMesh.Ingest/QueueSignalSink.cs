using GitMesh.Connectors;
using GitMesh.Domain.Signals;
using GitMesh.Messaging;

namespace GitMesh.Ingest;

/// <summary>Connectors, webhooks and imports hand envelopes to the ingest queue through this sink.</summary>
public sealed class QueueSignalSink(IMessageQueue queue, TimeProvider time) : ISignalSink
{
    public Task EnqueueAsync(Guid workspaceId, Guid? integrationId, IReadOnlyList<SignalEnvelope> signals, CancellationToken cancellationToken)
    {
        if (signals.Count == 0)
        {
            return Task.CompletedTask;
        }

        var now = time.GetUtcNow().UtcDateTime;
        return queue.SendBatchAsync(QueueNames.Ingest, signals.Select(s => new IngestMessage(workspaceId, integrationId, s, now).Serialize()).ToList(), cancellationToken);
    }
}
