using GitMesh.Connectors.Discord.Listener;
using GitMesh.Data;
using GitMesh.Domain.Integrations;
using GitMesh.Domain.Signals;
using GitMesh.Integrations.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitMesh.Integrations.Discord;

/// <summary>
/// Keeps one <see cref="DiscordBotListener"/> per active Discord integration. It rescans the integrations
/// periodically: new ones start, paused or deleted ones stop, changed ones (settings or token) restart. A listener that
/// finds its bot leased elsewhere (or loses the lease) retries after a delay — that instance is the standby. A refused
/// token or a configuration close code marks the integration needs-reconnect and stays stopped until it is edited.
/// </summary>
public sealed partial class DiscordListenerSupervisor(
    IServiceScopeFactory scopes,
    DiscordBotListenerFactory factory,
    IOptions<IntegrationsOptions> options,
    TimeProvider time,
    ILogger<DiscordListenerSupervisor> logger) : BackgroundService
{
    private readonly Dictionary<Guid, Running> _running = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await ReconcileAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogScanFailed(ex);
                }

                await Task.Delay(options.Value.DiscordRescanInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
        finally
        {
            foreach (var running in _running.Values)
            {
                await running.Cancellation.CancelAsync();
            }

            await Task.WhenAll(_running.Values.Select(r => r.Task));
            foreach (var running in _running.Values)
            {
                running.Cancellation.Dispose();
            }
        }
    }

    /// <summary>One pass: start, stop or restart listeners so they match the active Discord integrations.</summary>
    internal async Task ReconcileAsync(CancellationToken stoppingToken)
    {
        List<Integration> active;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
            active = await db.Integrations.IgnoreQueryFilters().AsNoTracking()
                .Where(i => i.Type == SignalSources.Discord && i.Status == IntegrationStatus.Active)
                .ToListAsync(stoppingToken);
        }

        var wanted = active.ToDictionary(i => i.Id);
        foreach (var (id, running) in _running.ToList())
        {
            var finished = running.Task.IsCompleted;
            var changed = !wanted.TryGetValue(id, out var current) || current.UpdatedAt != running.Version;
            if (finished || changed)
            {
                await running.Cancellation.CancelAsync();
                await running.Task;
                running.Cancellation.Dispose();
                _running.Remove(id);
                if (finished && !changed)
                {
                    // It ended on its own (needs reconnect was recorded); do not restart an unchanged integration.
                    wanted.Remove(id);
                }
            }
        }

        foreach (var integration in wanted.Values.Where(i => !_running.ContainsKey(i.Id)))
        {
            var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            _running[integration.Id] = new Running(integration.UpdatedAt, cancellation, SuperviseAsync(integration, cancellation.Token));
        }
    }

    private async Task SuperviseAsync(Integration integration, CancellationToken ct)
    {
        await Task.Yield();
        DiscordBotSettings settings;
        try
        {
            using var scope = scopes.CreateScope();
            var requests = scope.ServiceProvider.GetRequiredService<IntegrationRequests>();
            settings = DiscordBotSettings.FromIntegration(integration.Id.ToString(), integration.WorkspaceId, integration.Id,
                IntegrationRequests.ReadSettings(integration.SettingsJson), requests.Credentials(integration));
        }
        catch (Exception ex) when (ex is ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            await MarkNeedsReconnectAsync(integration.Id, ex.Message, CancellationToken.None);
            return;
        }

        while (!ct.IsCancellationRequested)
        {
            DiscordListenerResult result;
            try
            {
                result = await factory.Create(settings).RunAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogListenerCrashed(ex, integration.Id);
                result = new DiscordListenerResult(DiscordListenerExitReason.LeaseLost, ex.Message);
            }

            switch (result.Reason)
            {
                case DiscordListenerExitReason.Stopped:
                    return;
                case DiscordListenerExitReason.AuthenticationFailed:
                case DiscordListenerExitReason.GatewayClosed:
                    LogListenerEnded(integration.Id, result.Reason);
                    await MarkNeedsReconnectAsync(integration.Id, result.Message ?? result.Reason.ToString(), CancellationToken.None);
                    return;
                default:
                    LogLeaseWait(integration.Id, result.Reason);
                    try
                    {
                        await Task.Delay(options.Value.DiscordLeaseRetryDelay, time, ct);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    break;
            }
        }
    }

    private async Task MarkNeedsReconnectAsync(Guid integrationId, string message, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
            var integration = await db.Integrations.IgnoreQueryFilters().FirstOrDefaultAsync(i => i.Id == integrationId, ct);
            if (integration is null)
            {
                return;
            }

            var now = time.GetUtcNow().UtcDateTime;
            integration.Status = IntegrationStatus.NeedsReconnect;
            integration.StatusMessage = message.Length <= 2000 ? message : message[..2000];
            integration.LastError = integration.StatusMessage;
            IntegrationStatusEvents.Add(db, integration, now);
            await db.SaveChangesAsync(ct);
        }
        catch (Exception ex)
        {
            LogMarkFailed(ex, integrationId);
        }
    }

    private sealed record Running(DateTime Version, CancellationTokenSource Cancellation, Task Task);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord supervisor scan failed; retrying at the next interval")]
    private partial void LogScanFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "Discord listener of integration {IntegrationId} crashed; retrying after the lease delay")]
    private partial void LogListenerCrashed(Exception ex, Guid integrationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord listener of integration {IntegrationId} ended with {Reason}; marked needs-reconnect")]
    private partial void LogListenerEnded(Guid integrationId, DiscordListenerExitReason reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord listener of integration {IntegrationId}: {Reason}; standing by")]
    private partial void LogLeaseWait(Guid integrationId, DiscordListenerExitReason reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not mark integration {IntegrationId} needs-reconnect")]
    private partial void LogMarkFailed(Exception ex, Guid integrationId);
}
