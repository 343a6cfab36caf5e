namespace GitMesh.Domain.Audit;

/// <summary>Who did what, with the value before and after.</summary>
public sealed class AuditLogEntry : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; set; }
    public Guid? ActorUserId { get; set; }
    public Guid? ActorApiKeyId { get; set; }
    public required string Action { get; set; }
    public required string EntityType { get; set; }
    public string? EntityId { get; set; }
    public string? BeforeJson { get; set; }
    public string? AfterJson { get; set; }
    public DateTime CreatedAt { get; set; }
}
