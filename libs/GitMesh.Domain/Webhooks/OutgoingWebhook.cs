namespace GitMesh.Domain.Webhooks;

/// <summary>A workspace's subscription: matching outbox events are POSTed, signed, to <see cref="Url"/>.</summary>
public sealed class OutgoingWebhook : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; set; }
    public required string Url { get; set; }
    /// <summary>Event types, comma-separated; <c>*</c> means every event.</summary>
    public required string Events { get; set; }
    public bool Enabled { get; set; } = true;
    /// <summary>The signing secret, encrypted at rest (ISecretProtector); shown to the caller once, on creation.</summary>
    public required string SecretProtected { get; set; }
    public Guid? CreatedByUserId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>One event sent (or being sent) to one outgoing webhook, with its attempts and outcome.</summary>
public sealed class OutgoingWebhookDelivery : IWorkspaceOwned
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; set; }
    public Guid WebhookId { get; set; }
    /// <summary>The outbox event delivered; unique per webhook, so two dispatchers never deliver one event twice.</summary>
    public long OutboxEventId { get; set; }
    public required string EventType { get; set; }
    /// <summary>The exact body POSTed on every attempt.</summary>
    public required string PayloadJson { get; set; }
    public string Status { get; set; } = Pending;
    public int Attempts { get; set; }
    /// <summary>When the next attempt is due; also the claim lease of the dispatcher sending it.</summary>
    public DateTime NextAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastAttemptAt { get; set; }
    public DateTime? CompletedAt { get; set; }
}
