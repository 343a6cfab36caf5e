namespace GitMesh.Workflows.Runtime;

/// <summary>A run this worker has claimed: its lease owner id and what the heartbeat learned since the claim.</summary>
internal sealed class RunLease(Guid runId, string owner, CancellationToken stopping) : IDisposable
{
    private readonly CancellationTokenSource _lost = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    private volatile bool _cancelRequested;
    private volatile bool _leaseLost;

    public Guid RunId { get; } = runId;
    public string Owner { get; } = owner;

    /// <summary>Cancelled on worker shutdown or when the lease is lost: the execution must stop touching the run.</summary>
    public CancellationToken Token => _lost.Token;

    public bool CancelRequested
    {
        get => _cancelRequested;
        set => _cancelRequested = value;
    }

    public bool LeaseLost => _leaseLost;

    public void MarkLost()
    {
        _leaseLost = true;
        _lost.Cancel();
    }

    public void Dispose() => _lost.Dispose();
}
