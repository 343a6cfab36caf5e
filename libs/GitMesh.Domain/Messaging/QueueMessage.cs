namespace GitMesh.Domain.Messaging;

/// <summary>A message of the database-backed queue (the default queue provider).</summary>
public sealed class QueueMessage
{
    public long Id { get; set; }
    public required string Queue { get; set; }
    public required string Body { get; set; }
    public DateTime EnqueuedAt { get; set; }
    /// <summary>Not receivable before this time: visibility timeout and retry backoff both move it.</summary>
    public DateTime VisibleAt { get; set; }
    public int ReceiveCount { get; set; }
    public string? ReceiptHandle { get; set; }
    public string? LastError { get; set; }
    public DateTime? DeadLetteredAt { get; set; }
}
