using System.Text.Json;
using GitMesh.Data;
using GitMesh.Domain.Messaging;

namespace GitMesh.Api.Features.Triage;

/// <summary>
/// Outbox events of triage changes. Added to the same unit of work as the change, so they commit (or not) with it;
/// the outbox relay pushes them to the workspace's SignalR group afterwards.
/// </summary>
public static class TriageEvents
{
    public const string SignalUpdated = "signalUpdated";
    public const string ClusterUpdated = "clusterUpdated";
    public const string BulkProgress = "bulkProgress";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Add(GitMeshDbContext db, Guid workspaceId, string type, object payload, DateTime now) =>
        db.OutboxEvents.Add(new OutboxEvent
        {
            WorkspaceId = workspaceId,
            Type = type,
            PayloadJson = JsonSerializer.Serialize(payload, Json),
            CreatedAt = now,
        });

    public static void SignalChanged(GitMeshDbContext db, Guid workspaceId, Guid signalId, Guid? clusterId, DateTime now) =>
        Add(db, workspaceId, SignalUpdated, new { workspaceId, signalId, clusterId }, now);

    public static void ClusterChanged(GitMeshDbContext db, Guid workspaceId, Guid clusterId, int size, DateTime now) =>
        Add(db, workspaceId, ClusterUpdated, new { workspaceId, clusterId, size }, now);
}
