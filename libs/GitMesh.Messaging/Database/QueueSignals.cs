using System.Collections.Concurrent;

namespace GitMesh.Messaging.Database;

/// <summary>
/// In-process "something was enqueued on queue X": wakes long-polling receivers of the same process without waiting for
/// the next poll. One completion per queue, replaced when it fires, so a waiter that took the current one before looking
/// at the table cannot miss a send that happens after its look.
/// </summary>
public sealed class QueueSignals
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);

    public Task Current(string queue) =>
        _signals.GetOrAdd(queue, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Notify(string queue)
    {
        if (_signals.TryRemove(queue, out var signal))
        {
            signal.TrySetResult();
        }
    }
}
