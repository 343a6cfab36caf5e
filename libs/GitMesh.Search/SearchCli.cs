using System.Diagnostics;
using System.Globalization;
using GitMesh.Data;
using Microsoft.Extensions.DependencyInjection;

namespace GitMesh.Search;

/// <summary>
/// Search verbs, hosted by any executable that knows the database (<c>dotnet run --project src/Api -- search rebuild</c>):
/// <list type="bullet">
/// <item><c>search rebuild [--workspace ID]</c> — rebuilds the full-text index (all workspaces, or one) from the signals table.</item>
/// </list>
/// The schema must be migrated first (the index table/index is created by migration 0004).
/// </summary>
public static class SearchCli
{
    /// <summary>Runs a verb and returns its exit code, or null when <paramref name="args"/> is not a search verb.</summary>
    public static async Task<int?> TryRunAsync(string[] args, DatabaseInfo database, TextWriter output, CancellationToken cancellationToken)
    {
        if (args.Length == 0 || args[0] != "search")
        {
            return null;
        }

        if (args.Length < 2 || args[1] != "rebuild")
        {
            return Usage(output);
        }

        Guid? workspaceId = null;
        for (var i = 2; i < args.Length; i++)
        {
            if (args[i] == "--workspace" && i + 1 < args.Length && Guid.TryParse(args[i + 1], out var id))
            {
                workspaceId = id;
                i++;
            }
            else
            {
                output.WriteLine($"error: unexpected argument '{args[i]}'.");
                return Usage(output);
            }
        }

        await using var db = DataServiceCollectionExtensions.CreateContext(database);
        var index = SearchServiceCollectionExtensions.Create(database.Provider);
        var scope = workspaceId is { } ws ? $"workspace {ws}" : "all workspaces";
        output.WriteLine($"Rebuilding the {database.Provider} search index for {scope}...");
        var watch = Stopwatch.StartNew();
        var progress = new SyncProgress(done => output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {done:N0} signals processed ({watch.Elapsed.TotalSeconds:F1} s)")));
        var indexed = await index.RebuildAsync(db, workspaceId, progress, cancellationToken);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Done: {indexed:N0} signals indexed in {watch.Elapsed.TotalSeconds:F1} s."));
        return 0;
    }

    /// <summary>Same, resolving the database from a host's services.</summary>
    public static Task<int?> TryRunAsync(string[] args, IServiceProvider services, TextWriter output, CancellationToken cancellationToken) =>
        TryRunAsync(args, services.GetRequiredService<DatabaseInfo>(), output, cancellationToken);

    private static int Usage(TextWriter output)
    {
        output.WriteLine("usage: search rebuild [--workspace ID]");
        return 2;
    }

    /// <summary>Reports on the calling thread, in order: <see cref="Progress{T}"/> would post to the thread pool and could print after "Done".</summary>
    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
