using GitMesh.Data;
using GitMesh.Search.Postgres;
using GitMesh.Search.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GitMesh.Search;

public static class SearchServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ISignalSearchIndex"/> for the configured database provider (the <see cref="DatabaseInfo"/>
    /// singleton registered by AddGitMeshDbContext): FTS5 on SQLite, tsvector/GIN on PostgreSQL. The adapters are
    /// stateless; the <see cref="GitMeshDbContext"/> is passed per call.
    /// </summary>
    public static IServiceCollection AddSignalSearch(this IServiceCollection services)
    {
        services.TryAddSingleton<ISignalSearchIndex>(sp => Create(sp.GetRequiredService<DatabaseInfo>().Provider));
        return services;
    }

    public static ISignalSearchIndex Create(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Postgres => new PostgresSignalSearchIndex(),
        _ => new SqliteSignalSearchIndex(),
    };
}
