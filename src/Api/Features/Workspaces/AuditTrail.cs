using System.Text.Json;
using GitMesh.Api.Features.Auth;
using GitMesh.Data;
using GitMesh.Domain.Audit;

namespace GitMesh.Api.Features.Workspaces;

/// <summary>Adds an audit entry to the unit of work, so it commits (or not) together with the change it records.</summary>
public static class AuditTrail
{
    public static void Record(GitMeshDbContext db, Guid workspaceId, Caller caller, DateTime now, string action, string entityType, string? entityId, object? before, object? after) =>
        db.AuditLog.Add(new AuditLogEntry
        {
            WorkspaceId = workspaceId,
            ActorUserId = caller.UserId,
            ActorApiKeyId = caller.ApiKeyId,
            Action = action,
            EntityType = entityType,
            EntityId = entityId,
            BeforeJson = before is null ? null : JsonSerializer.Serialize(before),
            AfterJson = after is null ? null : JsonSerializer.Serialize(after),
            CreatedAt = now,
        });
}
