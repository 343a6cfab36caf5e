using System.Text.Json;
using GitMesh.Data;
using GitMesh.Domain.Integrations;
using GitMesh.Domain.Messaging;

namespace GitMesh.Integrations.Runs;

/// <summary>The <c>integrationStatus</c> outbox event, added to the same unit of work as the status change it reports.</summary>
public static class IntegrationStatusEvents
{
    public const string Type = "integrationStatus";

    public static string StatusName(IntegrationStatus status) => status switch
    {
        IntegrationStatus.Active => "active",
        IntegrationStatus.Paused => "paused",
        IntegrationStatus.NeedsReconnect => "needs_reconnect",
        IntegrationStatus.Error => "error",
        _ => status.ToString().ToLowerInvariant(),
    };

    public static void Add(GitMeshDbContext db, Integration integration, DateTime now) =>
        db.OutboxEvents.Add(new OutboxEvent
        {
            WorkspaceId = integration.WorkspaceId,
            Type = Type,
            PayloadJson = JsonSerializer.Serialize(new
            {
                workspaceId = integration.WorkspaceId,
                integrationId = integration.Id,
                status = StatusName(integration.Status),
                statusMessage = integration.StatusMessage,
                lastRunAt = integration.LastRunAt,
                itemsFetched = integration.ItemsFetched,
                lastError = integration.LastError,
            }),
            CreatedAt = now,
        });
}
