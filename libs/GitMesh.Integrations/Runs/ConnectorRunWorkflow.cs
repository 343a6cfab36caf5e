using GitMesh.Connectors;
using GitMesh.Data;
using GitMesh.Domain.Integrations;
using GitMesh.Domain.Signals;
using GitMesh.Scheduling;
using GitMesh.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GitMesh.Integrations.Runs;

/// <summary>Input of a connector run; the scheduler sends <c>{"integrationId","workspaceId"}</c>.</summary>
public sealed record ConnectorRunInput(Guid IntegrationId, Guid WorkspaceId);

/// <param name="Skipped">Why nothing ran (integration deleted, paused, needs reconnect, or a type that does not poll).</param>
public sealed record ConnectorRunResult(int Pages, long Signals, string? Skipped);

/// <summary>What step "start" decided, persisted so replays take the same path.</summary>
public sealed record ConnectorRunStart(bool Runnable, string? Reason, string? Cursor, DateTimeOffset BackfillSince);

/// <summary>One fetched page as persisted in the step result. <see cref="Stopped"/>: the integration went away mid-run.</summary>
public sealed record FetchedPage(List<SignalEnvelope> Signals, string? NextCursor, bool HasMore, bool Stopped = false);

/// <summary>
/// Polls one integration to the end of what is available now: step <c>fetch-N</c> reads a page from the saved cursor,
/// step <c>enqueue-N</c> hands its signals to the ingest queue and only then saves the page's cursor, so a crash
/// re-reads a page but never skips one. The workflow id <c>connector:{integrationId}</c> keeps one active run per
/// integration. A rate limit parks the run until the provider's reset time (the runtime does that for
/// <see cref="RateLimitedException"/>); transient failures retry with backoff; refused credentials mark the integration
/// needs-reconnect and an exhausted quota marks it errored, both ending the run at once.
/// </summary>
[WorkflowName(Name)]
public sealed class ConnectorRunWorkflow(IServiceScopeFactory scopes, TimeProvider time, IOptions<IntegrationsOptions> options)
    : IWorkflow<ConnectorRunInput, ConnectorRunResult>
{
    /// <summary>The type name the scheduler starts (Scheduling:IntegrationWorkflowType).</summary>
    public const string Name = "connector-run";

    public static string WorkflowIdFor(Guid integrationId) => $"connector:{integrationId}";

    public async Task<ConnectorRunResult> RunAsync(WorkflowContext context, ConnectorRunInput input)
    {
        var start = await context.StepAsync("start", ct => StartAsync(input, ct));
        if (!start.Runnable)
        {
            return new ConnectorRunResult(0, 0, start.Reason);
        }

        var cursor = start.Cursor;
        var pages = 0;
        long signals = 0;
        try
        {
            for (var n = 1; ; n++)
            {
                var pageCursor = cursor;
                var page = await context.StepAsync($"fetch-{n}", ct => FetchAsync(input, pageCursor, start.BackfillSince, ct));
                if (page.Stopped)
                {
                    return new ConnectorRunResult(pages, signals, "the integration was deleted or paused during the run");
                }

                await context.StepAsync($"enqueue-{n}", ct => EnqueueAsync(input, page, ct));
                cursor = page.NextCursor;
                pages = n;
                signals += page.Signals.Count;
                if (!page.HasMore || n >= options.Value.MaxPagesPerRun)
                {
                    break;
                }
            }
        }
        catch (WorkflowStepFailedException ex)
        {
            await context.StepAsync("finish-failed", ct => FinishAsync(input, ex.Error, ct));
            throw;
        }

        await context.StepAsync("finish", ct => FinishAsync(input, null, ct));
        return new ConnectorRunResult(pages, signals, null);
    }

    private async Task<ConnectorRunStart> StartAsync(ConnectorRunInput input, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
        var requests = scope.ServiceProvider.GetRequiredService<IntegrationRequests>();
        var integration = await db.Integrations.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(i => i.Id == input.IntegrationId, ct);
        var now = time.GetUtcNow();
        if (integration is null)
        {
            return new ConnectorRunStart(false, "the integration no longer exists", null, now);
        }

        if (integration.Status != IntegrationStatus.Active)
        {
            return new ConnectorRunStart(false, $"the integration is {IntegrationStatusEvents.StatusName(integration.Status)}", null, now);
        }

        if (requests.FindConnector(integration.Type) is null)
        {
            return new ConnectorRunStart(false, $"'{integration.Type}' integrations are not polled", null, now);
        }

        return new ConnectorRunStart(true, null, integration.Cursor, now.AddDays(-Math.Max(0, integration.BackfillDays)));
    }

    private async Task<FetchedPage> FetchAsync(ConnectorRunInput input, string? cursor, DateTimeOffset backfillSince, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
        var requests = scope.ServiceProvider.GetRequiredService<IntegrationRequests>();
        var integration = await db.Integrations.IgnoreQueryFilters().FirstOrDefaultAsync(i => i.Id == input.IntegrationId, ct);
        if (integration is null || integration.Status != IntegrationStatus.Active || requests.FindConnector(integration.Type) is not { } connector)
        {
            return new FetchedPage([], cursor, HasMore: false, Stopped: true);
        }

        try
        {
            var page = await connector.FetchPageAsync(requests.Create(integration, cursor, backfillSince), ct);
            return new FetchedPage([.. page.Signals], page.NextCursor, page.HasMore);
        }
        catch (ConnectorAuthException ex)
        {
            await MarkAsync(db, integration, IntegrationStatus.NeedsReconnect, ex.ProviderMessage, ex.Message, ct);
            throw new NonRetryableStepException(ex.Message, ex);
        }
        catch (QuotaExhaustedException ex)
        {
            await MarkAsync(db, integration, IntegrationStatus.Error, ex.Message, ex.Message, ct);
            throw new NonRetryableStepException(ex.Message, ex);
        }
    }

    private async Task EnqueueAsync(ConnectorRunInput input, FetchedPage page, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var sink = scope.ServiceProvider.GetRequiredService<ISignalSink>();
        var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
        await sink.EnqueueAsync(input.WorkspaceId, input.IntegrationId, page.Signals, ct);

        // Only now: a crash before this line re-reads the page on retry (duplicates are no-ops downstream).
        var count = page.Signals.Count;
        var nextCursor = page.NextCursor;
        await db.Integrations.IgnoreQueryFilters().Where(i => i.Id == input.IntegrationId)
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Cursor, nextCursor)
                .SetProperty(i => i.ItemsFetched, i => i.ItemsFetched + count), ct);
    }

    private async Task FinishAsync(ConnectorRunInput input, string? error, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
        var integration = await db.Integrations.IgnoreQueryFilters().FirstOrDefaultAsync(i => i.Id == input.IntegrationId, ct);
        if (integration is null)
        {
            return;
        }

        var now = time.GetUtcNow().UtcDateTime;
        integration.LastRunAt = now;
        integration.LastError = error is null ? null : Truncate(error);
        if (integration.Status == IntegrationStatus.Active)
        {
            integration.NextRunAt = ScheduleTiming.Next(integration.CronSchedule, integration.PollIntervalSeconds, now);
            integration.StatusMessage = error is null ? null : "The last run failed; the next scheduled run retries.";
        }

        IntegrationStatusEvents.Add(db, integration, now);
        await db.SaveChangesAsync(ct);
    }

    private async Task MarkAsync(GitMeshDbContext db, Integration integration, IntegrationStatus status, string message, string error, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        integration.Status = status;
        integration.StatusMessage = Truncate(message);
        integration.LastError = Truncate(error);
        IntegrationStatusEvents.Add(db, integration, now);
        await db.SaveChangesAsync(ct);
    }

    private static string Truncate(string value) => value.Length <= 2000 ? value : value[..2000];
}
