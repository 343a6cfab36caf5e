using System.Text.Json.Nodes;
using GitMesh.Data;
using GitMesh.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Features.Realtime;

/// <summary>
/// Pushes committed outbox events to SignalR clients of this Api instance. Every instance tails the outbox by id
/// (its own cursor, starting at the newest event when it starts), so any number of Api instances each deliver to
/// their own connections without a backplane. The event's outbox id is its sequence number: clients that missed
/// events catch up from the outbox by sequence.
/// </summary>
internal sealed partial class OutboxRelay(
    IServiceScopeFactory scopes,
    IHubContext<EventsHub> hub,
    ReadinessState readiness,
    TimeProvider time,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    public const string ComponentName = "outbox-relay";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        readiness.Register(ComponentName);
        long lastId;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
            lastId = await db.OutboxEvents.IgnoreQueryFilters().MaxAsync(e => (long?)e.Id, stoppingToken) ?? 0;
        }

        readiness.SetRunning(ComponentName, true);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                lastId = await RelayOnceAsync(lastId, stoppingToken);
                await Task.Delay(PollInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogRelayFailed(ex);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }

        readiness.SetRunning(ComponentName, false);
    }

    private async Task<long> RelayOnceAsync(long afterId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
        while (true)
        {
            var events = await db.OutboxEvents.IgnoreQueryFilters().AsNoTracking()
                .Where(e => e.Id > afterId).OrderBy(e => e.Id).Take(500).ToListAsync(ct);
            foreach (var e in events)
            {
                var payload = JsonNode.Parse(e.PayloadJson) as JsonObject ?? [];
                payload["sequence"] = e.Id;
                payload["type"] = e.Type;
                await hub.Clients.Group(EventsHub.GroupOf(e.WorkspaceId)).SendAsync(e.Type, payload, ct);
                afterId = e.Id;
            }

            if (events.Count < 500)
            {
                return afterId;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay iteration failed; retrying")]
    private partial void LogRelayFailed(Exception ex);
}
