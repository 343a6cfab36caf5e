using System.Globalization;
using GitMesh.Api.Features.Integrations;
using GitMesh.Connectors.Import;
using GitMesh.Data;
using GitMesh.Hosting;
using GitMesh.Ingest;
using GitMesh.Integrations;
using GitMesh.Integrations.Imports;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Cli;

/// <summary>
/// <c>import --workspace ID --file PATH [--format csv|jsonl]</c>: streams a file into the ingest queue of the configured
/// database (the same code path as POST /imports) with a percentage progress line, then lists rejected lines.
/// </summary>
internal static class ImportCommand
{
    private const int ErrorsShown = 50;

    public static async Task<int> RunAsync(string[] args)
    {
        var workspace = Option(args, "--workspace");
        var file = Option(args, "--file");
        var formatOption = Option(args, "--format");
        if (!Guid.TryParse(workspace, out var workspaceId) || string.IsNullOrWhiteSpace(file))
        {
            await Console.Error.WriteLineAsync("usage: import --workspace ID --file PATH [--format csv|jsonl]");
            return 2;
        }

        var format = formatOption is null ? SignalImportReader.FormatFromFileName(file) : ImportEndpoints.ParseFormat(formatOption);
        if (format is null)
        {
            await Console.Error.WriteLineAsync("Cannot tell the format: pass --format csv or --format jsonl (or use a .csv / .jsonl file name).");
            return 2;
        }

        if (!File.Exists(file))
        {
            await Console.Error.WriteLineAsync($"No such file: {file}");
            return 2;
        }

        var settings = args.Where((a, i) => i > 0 && !IsOwnOption(args, i)).ToArray();
        var builder = Host.CreateApplicationBuilder(settings);
        builder.AddGitMeshDefaults(appliesMigrations: false);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddGitMeshIngest(builder.Configuration, runConsumer: false);
        builder.Services.AddGitMeshIntegrations(builder.Configuration);
        using var host = builder.Build();
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
        if (!await db.Workspaces.IgnoreQueryFilters().AnyAsync(w => w.Id == workspaceId))
        {
            await Console.Error.WriteLineAsync($"Workspace {workspaceId} does not exist in this database.");
            return 1;
        }

        await using var stream = File.OpenRead(file);
        var importer = scope.ServiceProvider.GetRequiredService<SignalImporter>();
        var result = await importer.ImportAsync(workspaceId, stream, format.Value, stream.Length, new ConsoleProgress(), CancellationToken.None);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Imported {result.Imported} signal(s); rejected {result.RejectedCount} line(s)."));
        foreach (var error in result.Rejected.Take(ErrorsShown))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  line {error.Line}: {error.Error}"));
        }

        if (result.RejectedCount > ErrorsShown)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  … and {result.RejectedCount - ErrorsShown} more."));
        }

        return 0;
    }

    private static bool IsOwnOption(string[] args, int i) =>
        args[i] is "--workspace" or "--file" or "--format" || (i > 0 && args[i - 1] is "--workspace" or "--file" or "--format");

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>Synchronous, so the line is drawn as batches finish (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class ConsoleProgress : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value)
        {
            var percent = value.TotalBytes is > 0 and var total ? Math.Min(100, value.BytesRead * 100 / total) : 0;
            Console.Write(string.Create(CultureInfo.InvariantCulture, $"\rImporting… {percent,3}%  {value.Imported} imported, {value.Rejected} rejected"));
        }
    }
}
