using System.Diagnostics;

namespace GitMesh.Messaging.Tests;

/// <summary>
/// The SQS emulator (fauxqs) for tests. CI passes its URL in GITMESH_TEST_SQS_URL; without it the first test that needs
/// it runs scripts/sqs-emulator.sh start (installs on first use, then reuses a running one) and stops it at exit if
/// this process was the one that started it.
/// </summary>
public static class SqsEmulator
{
    public const string EnvironmentVariable = "GITMESH_TEST_SQS_URL";

    private static readonly Lazy<Task<Uri>> Url = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Task<Uri> GetUrlAsync() => Url.Value;

    private static async Task<Uri> StartAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            return new Uri(given);
        }

        var script = Path.Combine(FindRepositoryRoot(), "scripts", "sqs-emulator.sh");
        var (exitCode, stdout, stderr) = await RunAsync(script, "start");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (exitCode != 0 || lines.Length == 0 || !Uri.TryCreate(lines[^1], UriKind.Absolute, out var url))
        {
            throw new InvalidOperationException(
                $"Could not start the SQS emulator with '{script} start' (exit {exitCode}). It needs npm and the npm registry on first use; " +
                $"or start one yourself and set {EnvironmentVariable}=http://127.0.0.1:PORT.\nstdout: {stdout}\nstderr: {stderr}");
        }

        if (lines.Any(l => l.StartsWith("started ", StringComparison.Ordinal)))
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => RunAsync(script, "stop").GetAwaiter().GetResult();
        }

        return url;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GitMesh.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"GitMesh.sln not found above {AppContext.BaseDirectory}; set {EnvironmentVariable} instead.");
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string script, string verb)
    {
        var psi = new ProcessStartInfo("bash", [script, verb])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}
