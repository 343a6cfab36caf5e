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

/// <summary>An event committed in the same transaction as the state change it describes, dispatched afterwards.</summary>
public sealed class OutboxEvent : IWorkspaceOwned
{
    public long Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public required string Type { get; set; }
    public required string PayloadJson { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DispatchedAt { get; set; }
}

/// <summary>Provider + delivery id of every webhook received, so a redelivery is recognised and ignored.</summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Provider { get; set; }
    public required string DeliveryId { get; set; }
    public Guid? WorkspaceId { get; set; }
    public Guid? IntegrationId { get; set; }
    public string? EventType { get; set; }
    public string Status { get; set; } = "received";
    public DateTime ReceivedAt { get; set; }
}
