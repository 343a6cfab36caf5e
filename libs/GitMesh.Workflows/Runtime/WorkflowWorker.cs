using System.Collections.Concurrent;
using GitMesh.Data;
using GitMesh.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitMesh.Workflows.Runtime;

/// <summary>
/// Claims runnable runs of the workflow types registered in this process and executes up to
/// <see cref="WorkflowOptions.Concurrency"/> at once, renewing their leases on a heartbeat. Any number of workers may
/// share one database; a worker that dies loses its runs to another after <see cref="WorkflowOptions.LeaseDuration"/>.
/// </summary>
public sealed partial class WorkflowWorker : BackgroundService
{
    public const string ComponentName = "workflow-worker";

    private readonly IServiceScopeFactory _scopes;
    private readonly WorkflowRegistry _registry;
    private readonly WorkflowWakeup _wakeup;
    private readonly ReadinessState? _readiness;
    private readonly WorkflowOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WorkflowWorker> _logger;
    private readonly ConcurrentDictionary<Guid, (RunLease Lease, Task Task)> _running = new();
    private readonly IServiceProvider _services;
    private long _claims;

    public WorkflowWorker(IServiceProvider services, IServiceScopeFactory scopes, WorkflowRegistry registry, WorkflowWakeup wakeup,
        IOptions<WorkflowOptions> options, TimeProvider time, ILogger<WorkflowWorker> logger, ReadinessState? readiness = null)
    {
        _services = services;
        _scopes = scopes;
        _registry = registry;
        _wakeup = wakeup;
        _readiness = readiness;
        _options = options.Value;
        _time = time;
        _logger = logger;
        WorkerId = string.IsNullOrWhiteSpace(_options.WorkerId)
            ? $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}"
            : _options.WorkerId;
        _readiness?.Register(ComponentName);
    }

    public string WorkerId { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var executor = ActivatorUtilities.CreateInstance<WorkflowExecutor>(_services);
        var types = _registry.Names.ToList();
        _readiness?.SetRunning(ComponentName, true);
        LogStarted(WorkerId, _options.Concurrency, types.Count);
        var heartbeat = HeartbeatLoopAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var free = _options.Concurrency - _running.Count;
                var claimedAll = false;
                if (free > 0)
                {
                    try
                    {
                        await using var scope = _scopes.CreateAsyncScope();
                        var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
                        var token = $"{WorkerId}#{Interlocked.Increment(ref _claims)}";
                        var claimed = await WorkflowLeaseStore.ClaimAsync(db, token, types, _running.Keys.ToList(), free, _time.GetUtcNow().UtcDateTime, _options.LeaseDuration, stoppingToken);
                        foreach (var run in claimed)
                        {
                            Start(executor, run, token, stoppingToken);
                        }

                        claimedAll = claimed.Count == free;
                    }
                    catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                    {
                        LogClaimFailed(ex);
                    }
                }

                if (!claimedAll || free <= 0)
                {
                    await _wakeup.WaitAsync(_options.PollInterval, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            _readiness?.SetRunning(ComponentName, false);
            var inFlight = _running.Values.Select(r => r.Task).ToArray();
            await Task.WhenAny(Task.WhenAll(inFlight), Task.Delay(_options.ShutdownTimeout, CancellationToken.None));
            await heartbeat.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private void Start(WorkflowExecutor executor, ClaimedRun claimed, string token, CancellationToken stoppingToken)
    {
        var lease = new RunLease(claimed.Id, token, stoppingToken) { CancelRequested = claimed.CancelRequested };
        // Registered before it can finish, so the completion's removal never precedes the add.
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = Task.Run(async () =>
        {
            await registered.Task;
            try
            {
                await executor.ExecuteAsync(lease);
            }
            catch (Exception ex)
            {
                LogExecutionFailed(ex, claimed.Id);
            }
            finally
            {
                _running.TryRemove(claimed.Id, out _);
                lease.Dispose();
                _wakeup.Nudge();
            }
        }, CancellationToken.None);
        _running[claimed.Id] = (lease, task);
        registered.SetResult();
    }

    private async Task HeartbeatLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.HeartbeatInterval, stoppingToken);
                var snapshot = _running.Select(r => (RunId: r.Key, r.Value.Lease)).ToList();
                if (snapshot.Count == 0)
                {
                    continue;
                }

                await using var scope = _scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
                var alive = (await WorkflowLeaseStore.HeartbeatAsync(db, snapshot.Select(s => (s.RunId, s.Lease.Owner)).ToList(), _time.GetUtcNow().UtcDateTime, _options.LeaseDuration, stoppingToken))
                    .ToDictionary(r => r.Id);
                foreach (var (runId, lease) in snapshot)
                {
                    if (alive.TryGetValue(runId, out var state))
                    {
                        lease.CancelRequested |= state.CancelRequested;
                    }
                    else if (_running.TryGetValue(runId, out var current) && ReferenceEquals(current.Lease, lease))
                    {
                        // Not finished (still registered with this very claim) yet no longer ours: taken over.
                        lease.MarkLost();
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogHeartbeatFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow worker {WorkerId} started: concurrency {Concurrency}, {TypeCount} workflow types")]
    private partial void LogStarted(string workerId, int concurrency, int typeCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Claiming workflow runs failed")]
    private partial void LogClaimFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Executing workflow run {RunId} failed unexpectedly")]
    private partial void LogExecutionFailed(Exception exception, Guid runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow lease heartbeat failed")]
    private partial void LogHeartbeatFailed(Exception exception);
}
