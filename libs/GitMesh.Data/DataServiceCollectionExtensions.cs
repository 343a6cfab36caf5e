using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GitMesh.Data;

/// <summary>The resolved database: which provider and the full connection string.</summary>
public sealed record DatabaseInfo(DatabaseProvider Provider, string ConnectionString);

public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="GitMeshDbContext"/> for the configured provider. SQLite (the embedded default) lives
    /// at {dataDirectory}/gitmesh.db unless a connection string is given.
    /// </summary>
    public static IServiceCollection AddGitMeshDbContext(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        var options = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var info = Resolve(options, dataDirectory);
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName);
        services.AddSingleton(info);
        services.AddScoped<WorkspaceScope>();
        services.AddDbContext<GitMeshDbContext>(b => Configure(b, info));
        return services;
    }

    public static DatabaseInfo Resolve(DatabaseOptions options, string dataDirectory)
    {
        if (options.Provider == DatabaseProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                throw new InvalidOperationException("Database:Provider is Postgres but Database:ConnectionString is empty. Set it, e.g. Host=localhost;Port=5432;Database=gitmesh;Username=gitmesh;Password=...");
            }

            return new DatabaseInfo(DatabaseProvider.Postgres, options.ConnectionString);
        }

        var connectionString = string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "gitmesh.db") }.ToString()
            : options.ConnectionString;
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DefaultTimeout < 30)
        {
            // Microsoft.Data.Sqlite retries SQLITE_BUSY until the command timeout: give concurrent writers room.
            builder.DefaultTimeout = 30;
        }

        return new DatabaseInfo(DatabaseProvider.Sqlite, builder.ToString());
    }

    public static void Configure(DbContextOptionsBuilder builder, DatabaseInfo info)
    {
        if (info.Provider == DatabaseProvider.Postgres)
        {
            builder.UseNpgsql(info.ConnectionString, o => o.CommandTimeout(60));
        }
        else
        {
            builder.UseSqlite(info.ConnectionString).AddInterceptors(SqlitePragmaInterceptor.Instance);
        }
    }

    /// <summary>A context outside DI (tools, tests, benchmarks), unscoped.</summary>
    public static GitMeshDbContext CreateContext(DatabaseInfo info, WorkspaceScope? scope = null)
    {
        var builder = new DbContextOptionsBuilder<GitMeshDbContext>();
        Configure(builder, info);
        return new GitMeshDbContext(builder.Options, scope);
    }
}
