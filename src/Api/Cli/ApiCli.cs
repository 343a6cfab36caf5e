using GitMesh.Data;
using GitMesh.Data.Migrations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitMesh.Api.Cli;

/// <summary>
/// Verbs run by the Api host instead of serving: `migrate`, `migrations script --provider sqlite|postgres`,
/// `eval intent|sentiment|duplicates --data PATH`, `train --out DIR`, `search rebuild`, `import`.
/// Returns null when the arguments are not a verb (normal server start).
/// </summary>
internal static class ApiCli
{
    public static async Task<int?> TryRunAsync(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            return null;
        }

        switch (args[0])
        {
            case "migrations" when args.Length >= 2 && args[1] == "script":
                return ScriptModel(Option(args, "--provider") ?? "sqlite");
            case "migrate":
                return await MigrateAsync(args);
            case "import":
                return await ImportCommand.RunAsync(args);
            case "eval" or "train" or "cv":
                return await Intelligence.Evaluation.IntelligenceCli.TryRunAsync(args, Console.Out, CancellationToken.None);
            case "search":
                return await Search.SearchCli.TryRunAsync(args, ResolveDatabase(args), Console.Out, CancellationToken.None);
            default:
                return null;
        }
    }

    /// <summary>Prints the schema EF derives from the model, as a starting point for a new migration file.</summary>
    private static int ScriptModel(string provider)
    {
        var info = provider.Equals("postgres", StringComparison.OrdinalIgnoreCase)
            ? new DatabaseInfo(DatabaseProvider.Postgres, "Host=localhost")
            : new DatabaseInfo(DatabaseProvider.Sqlite, "Data Source=:memory:");
        using var context = DataServiceCollectionExtensions.CreateContext(info);
        Console.WriteLine(context.Database.GenerateCreateScript());
        return 0;
    }

    /// <summary>The database the server would use: appsettings.json, environment, then --Key value arguments.</summary>
    private static DatabaseInfo ResolveDatabase(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains(':', StringComparison.Ordinal)).ToArray())
            .Build();
        var options = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var dataDirectory = Path.GetFullPath(configuration["GitMesh:DataDirectory"] ?? "./data");
        return DataServiceCollectionExtensions.Resolve(options, dataDirectory);
    }

    private static async Task<int> MigrateAsync(string[] args)
    {
        var info = ResolveDatabase(args);
        var options = new DatabaseOptions();
        var result = await new MigrationRunner(NullLogger<MigrationRunner>.Instance)
            .MigrateAsync(info.Provider, info.ConnectionString, TimeSpan.FromSeconds(options.MigrationLockTimeoutSeconds), CancellationToken.None);
        Console.WriteLine($"{info.Provider}: applied {result.Applied.Count} ({string.Join(", ", result.Applied)}), {result.AlreadyApplied} already applied.");
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
