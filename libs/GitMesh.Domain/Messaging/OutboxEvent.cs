namespace GitMesh.Domain.Messaging;

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
