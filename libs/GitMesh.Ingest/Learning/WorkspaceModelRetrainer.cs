using GitMesh.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitMesh.Ingest.Learning;

/// <summary>
/// The learning loop: every <see cref="LearningOptions.RetrainInterval"/> it finds workspaces with corrections the
/// stored model has not seen and retrains them, so a burst of PM corrections costs one retraining per interval.
/// Several workers may run it; retraining is idempotent and the last writer wins.
/// </summary>
public sealed partial class WorkspaceModelRetrainer(
    IServiceScopeFactory scopes,
    WorkspaceModelService service,
    IOptions<LearningOptions> options,
    TimeProvider time,
    ILogger<WorkspaceModelRetrainer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
                await Task.Delay(options.Value.RetrainInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogRetrainFailed(ex);
                try
                {
                    await Task.Delay(options.Value.RetrainInterval * 2, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One scan: retrains every stale workspace. Returns how many were retrained.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        IReadOnlyList<Guid> stale;
        await using (var scope = scopes.CreateAsyncScope())
        {
            stale = await service.FindStaleAsync(scope.ServiceProvider.GetRequiredService<GitMeshDbContext>(), ct);
        }

        var done = 0;
        foreach (var workspaceId in stale)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var row = await service.RetrainAsync(scope.ServiceProvider.GetRequiredService<GitMeshDbContext>(), workspaceId, ct);
                LogRetrained(workspaceId, row.Examples);
                done++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // Typically a concurrent retraining by another worker inserted the row first; the next scan settles it.
                LogWorkspaceFailed(workspaceId, ex.Message);
            }
        }

        return done;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retrained the correction model of workspace {WorkspaceId} ({Examples} examples)")]
    private partial void LogRetrained(Guid workspaceId, int examples);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retraining the correction model of workspace {WorkspaceId} failed: {Error}")]
    private partial void LogWorkspaceFailed(Guid workspaceId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The correction retraining loop failed")]
    private partial void LogRetrainFailed(Exception ex);
}
