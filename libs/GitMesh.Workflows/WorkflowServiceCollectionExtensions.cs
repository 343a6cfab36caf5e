using GitMesh.Workflows.Retention;
using GitMesh.Workflows.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GitMesh.Workflows;

public static class WorkflowServiceCollectionExtensions
{
    /// <summary>
    /// The workflow client, registry and options ("Workflows" section). Every host that starts or signals workflows
    /// calls this; only hosts that execute them also call <see cref="AddWorkflowWorker"/>.
    /// </summary>
    public static IServiceCollection AddGitMeshWorkflows(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WorkflowOptions>().Bind(configuration.GetSection(WorkflowOptions.SectionName))
            .Validate(o => o.Concurrency > 0 && o.LeaseDuration > o.HeartbeatInterval && o.PollInterval > TimeSpan.Zero,
                "Workflows: Concurrency must be positive and LeaseDuration longer than HeartbeatInterval.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<WorkflowWakeup>();
        services.TryAddSingleton(sp => new WorkflowRegistry(sp.GetServices<WorkflowRegistration>()));
        services.TryAddScoped<IWorkflowClient, WorkflowClient>();
        services.AddWorkflow<PruneWorkflowRunsWorkflow>();
        return services;
    }

    /// <summary>Registers a workflow class under its type name (or <see cref="WorkflowNameAttribute"/>); resolved per activation.</summary>
    public static IServiceCollection AddWorkflow<TWorkflow>(this IServiceCollection services)
        where TWorkflow : class, IWorkflow
    {
        services.TryAddTransient<TWorkflow>();
        services.AddSingleton(WorkflowRegistration.Create(typeof(TWorkflow)));
        return services;
    }

    /// <summary>The background worker that claims and executes runs of the workflows registered in this process.</summary>
    public static IServiceCollection AddWorkflowWorker(this IServiceCollection services)
    {
        services.AddHostedService<WorkflowWorker>();
        return services;
    }
}
