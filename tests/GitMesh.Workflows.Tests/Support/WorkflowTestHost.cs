using GitMesh.Data;
using GitMesh.Domain.Workflows;
using GitMesh.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GitMesh.Workflows.Tests.Support;

/// <summary>One worker (or just a client) on a database: its own service provider, DbContexts and connection pool.</summary>
public sealed class WorkflowTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly List<IHostedService> _hosted;

    private WorkflowTestHost(ServiceProvider provider, List<IHostedService> hosted)
    {
        _provider = provider;
        _hosted = hosted;
    }

    public IServiceProvider Services => _provider;

    public static ServiceCollection CreateServices(DatabaseInfo database, TimeProvider time, Action<WorkflowOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
        services.AddSingleton(database);
        services.AddScoped<WorkspaceScope>();
        services.AddDbContext<GitMeshDbContext>(b => DataServiceCollectionExtensions.Configure(b, database));
        services.AddSingleton(time);
        services.AddSingleton<IHostApplicationLifetime, Microsoft.Extensions.Hosting.Internal.ApplicationLifetime>();
        services.AddGitMeshWorkflows(new ConfigurationBuilder().Build());
        services.Configure<WorkflowOptions>(o =>
        {
            o.PollInterval = TimeSpan.FromMilliseconds(25);
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(200);
            o.LeaseDuration = TimeSpan.FromSeconds(5);
            o.DefaultRetry = RetryPolicy.Default with { InitialInterval = TimeSpan.FromMilliseconds(10), Jitter = 0 };
            configure?.Invoke(o);
        });
        services.AddSingleton<ExecutionLog>();
        services.AddWorkflow<ThreeStepWorkflow>();
        services.AddWorkflow<FlakyWorkflow>();
        services.AddWorkflow<SleepyWorkflow>();
        services.AddWorkflow<SignalWorkflow>();
        services.AddWorkflow<ParentWorkflow>();
        services.AddWorkflow<ChildWorkflow>();
        services.AddWorkflow<RateLimitedWorkflow>();
        services.AddWorkflow<SlowStepWorkflow>();
        return services;
    }

    public static async Task<WorkflowTestHost> StartAsync(DatabaseInfo database, TimeProvider time, bool worker = true, Action<WorkflowOptions>? configure = null, Action<IServiceCollection>? extra = null)
    {
        var services = CreateServices(database, time, configure);
        if (worker)
        {
            services.AddWorkflowWorker();
        }

        extra?.Invoke(services);
        var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        ((Microsoft.Extensions.Hosting.Internal.ApplicationLifetime)provider.GetRequiredService<IHostApplicationLifetime>()).NotifyStarted();
        return new WorkflowTestHost(provider, hosted);
    }

    public ExecutionLog Log => _provider.GetRequiredService<ExecutionLog>();

    public async Task<T> WithClientAsync<T>(Func<IWorkflowClient, Task<T>> action)
    {
        await using var scope = _provider.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<IWorkflowClient>());
    }

    public async Task<T> WithDbAsync<T>(Func<GitMeshDbContext, Task<T>> action)
    {
        await using var scope = _provider.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<GitMeshDbContext>());
    }

    public Task<WorkflowRun?> GetRunAsync(Guid runId) =>
        WithDbAsync(db => db.WorkflowRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId));

    public Task<List<WorkflowStep>> GetStepsAsync(Guid runId) =>
        WithDbAsync(db => db.WorkflowSteps.AsNoTracking().Where(s => s.RunId == runId).OrderBy(s => s.Sequence).ToListAsync());

    public void Nudge() => _provider.GetRequiredService<WorkflowWakeup>().Nudge();

    public Task<WorkflowRun> WaitForStatusAsync(Guid runId, params WorkflowRunStatus[] statuses) =>
        Eventually.GetAsync(async () => (await GetRunAsync(runId))!, r => r is not null && statuses.Contains(r.Status), $"run {runId} to be {string.Join("/", statuses)}");

    /// <summary>Waits until the run is parked (Waiting, not leased) — i.e. the activation finished.</summary>
    public Task<WorkflowRun> WaitParkedAsync(Guid runId) =>
        Eventually.GetAsync(async () => (await GetRunAsync(runId))!, r => r is { Status: WorkflowRunStatus.Waiting, LeaseOwner: null }, $"run {runId} to park");

    public async ValueTask DisposeAsync()
    {
        foreach (var service in Enumerable.Reverse(_hosted))
        {
            await service.StopAsync(CancellationToken.None);
        }

        await _provider.DisposeAsync();
    }
}
