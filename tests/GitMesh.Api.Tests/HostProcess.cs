using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GitMesh.Api.Tests;

/// <summary>A real GitMesh host process (built dll) with captured output, killed for real when asked.</summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HostProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <param name="host">"Api", "Workers", "JobGenerator" or "DiscordListener".</param>
    public static HostProcess Start(string host, IDictionary<string, string> environment)
    {
        var port = FreePort();
        var dll = Path.Combine(BinDirectoryOf(host), $"GitMesh.{host}.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build the solution first: {dll} is missing.");
        }

        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" --urls http://127.0.0.1:{port}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        psi.Environment["GitMeshSkipDashboardBuild"] = "true";
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        var process = Process.Start(psi)!;
        var host1 = new HostProcess(process, port);
        process.OutputDataReceived += (_, e) => host1.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host1.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host1;
    }

    public async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await TestWait.UntilAsync(async () =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Host exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                return (await http.GetAsync($"{BaseUrl}/readyz")).StatusCode == HttpStatusCode.OK;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or too busy to answer within the per-request timeout.
                return false;
            }
        }, "host ready", TimeSpan.FromMinutes(2));
    }

    /// <summary>SIGKILL: no graceful shutdown, no finally blocks, exactly what a crash or OOM kill does.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static string BinDirectoryOf(string host)
    {
        // Same configuration as this test assembly: .../tests/GitMesh.Api.Tests/bin/{Configuration}/net10.0/
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testBin.Parent!.Name;
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "GitMesh.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException("GitMesh.sln not found above the test directory.");
        }

        return host == "Api" ? AppContext.BaseDirectory : Path.Combine(root.FullName, "src", host, "bin", configuration, "net10.0");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
