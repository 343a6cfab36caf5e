using GitMesh.Data;
using GitMesh.Data.Migrations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitMesh.Hosting;

/// <summary>
/// Runs before every other hosted service. In the process that owns migrations it applies them (blocking startup,
/// so no component ever sees an old schema); elsewhere it waits until the expected migrations are recorded.
/// </summary>
internal sealed class DatabaseStartupService(
    DatabaseInfo database,
    IOptions<GitMeshHostOptions> hostOptions,
    IOptions<DatabaseOptions> databaseOptions,
    MigrationRunner runner,
    ReadinessState readiness,
    ILogger<DatabaseStartupService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var lockTimeout = TimeSpan.FromSeconds(databaseOptions.Value.MigrationLockTimeoutSeconds);
        try
        {
            if (hostOptions.Value.ApplyMigrations)
            {
                var result = await runner.MigrateAsync(database.Provider, database.ConnectionString, lockTimeout, cancellationToken);
                logger.LogInformation("Database {Provider} migrated: {Applied} applied now, {Already} already applied",
                    database.Provider, result.Applied.Count, result.AlreadyApplied);
            }
            else
            {
                await WaitForMigrationsAsync(lockTimeout, cancellationToken);
            }

            readiness.MarkDatabaseReady();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            readiness.MarkDatabaseFailed(ex.Message);
            logger.LogCritical(ex, "Database startup failed on {Provider}", database.Provider);
            throw;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task WaitForMigrationsAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var expected = MigrationRunner.Load(database.Provider).Select(m => m.Version).ToList();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using var context = DataServiceCollectionExtensions.CreateContext(database);
            var connection = context.Database.GetDbConnection();
            try
            {
                await connection.OpenAsync(cancellationToken);
                var applied = await MigrationRunner.GetAppliedAsync(connection, cancellationToken);
                if (expected.All(applied.Contains))
                {
                    return;
                }
            }
            catch (System.Data.Common.DbException ex)
            {
                logger.LogInformation("Waiting for the database: {Reason}", ex.Message);
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The database was not migrated to {expected.LastOrDefault()} within {timeout.TotalSeconds:0}s. Start the Api host (it applies migrations) or check Database settings.");
            }

            logger.LogInformation("Waiting for migrations to be applied by the Api host");
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }
}
