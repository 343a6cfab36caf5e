using GitMesh.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Quartz;

namespace GitMesh.Scheduling;

public static class SchedulingServiceCollectionExtensions
{
    /// <summary>Quartz table prefix on PostgreSQL: the qrtz_* tables live in schema "quartz" (migration 0002).</summary>
    public const string PostgresTablePrefix = "quartz.qrtz_";

    /// <summary>
    /// The scheduler role: Quartz (clustered ADO store on PostgreSQL so several JobGenerator instances never double-fire;
    /// in-memory on SQLite, where one process runs everything) plus the schedule synchroniser. Requires
    /// AddGitMeshWorkflows (it only starts workflows).
    /// </summary>
    public static IServiceCollection AddGitMeshScheduler(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SchedulingOptions>().Bind(configuration.GetSection(SchedulingOptions.SectionName));
        var options = configuration.GetSection(SchedulingOptions.SectionName).Get<SchedulingOptions>() ?? new SchedulingOptions();
        var database = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = "gitmesh";
                o.InstanceId = options.InstanceId ?? $"{Environment.MachineName}:{Environment.ProcessId}";
            });
            if (database.Provider == DatabaseProvider.Postgres && !string.IsNullOrWhiteSpace(database.ConnectionString))
            {
                q.UsePersistentStore(store =>
                {
                    store.UsePostgres(database.ConnectionString);
                    store.UseSystemTextJsonSerializer();
                    store.UseClustering(c => c.CheckinInterval = options.ClusterCheckinInterval);
                    store.ConfigureStore(o => o.TablePrefix = PostgresTablePrefix);
                    // Creates the qrtz_* tables in schema "quartz" (made by migration 0002) when missing; never alters existing ones.
                    store.ProvisionSchema();
                });
            }
            else
            {
                q.UseInMemoryStore();
            }
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        services.AddHostedService<ScheduleSynchronizer>();
        return services;
    }
}
