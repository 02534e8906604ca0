using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Cordon.BrowserTests;

/// <summary>
/// The real <c>cordon</c> executable on Kestrel, started as a child process on a free loopback port with its own
/// SQLite file and a small demo district, exactly as a user starts it (only smaller).
/// </summary>
public sealed class CordonServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataDirectory;
    private readonly System.Text.StringBuilder _output = new();

    public string BaseUrl { get; }

    private CordonServer(Process process, string baseUrl, string dataDirectory)
    {
        _process = process;
        BaseUrl = baseUrl;
        _dataDirectory = dataDirectory;
    }

    /// <summary>Starts a server; <c>settings</c> are more configuration, as command-line settings (e.g. <c>--Passes:LifetimeSeconds=30</c>).</summary>
    public static async Task<CordonServer> StartAsync(int demoResidents = 3000, params string[] settings)
    {
        var port = FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var dataDirectory = Directory.CreateTempSubdirectory("cordon-browser-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(HostAssembly())!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            HostAssembly(), "serve", $"--urls={baseUrl}", $"--Cordon:DataDirectory={dataDirectory}",
            $"--Database:DemoResidents={demoResidents}", "--Logging:LogLevel:Default=Warning", .. settings,
        ];
        foreach (var arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }
        // Development serves the static web assets (CSS, scripts) straight from the source tree.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        var process = Process.Start(start)!;
        var server = new CordonServer(process, baseUrl, dataDirectory);
        process.OutputDataReceived += (_, e) => { lock (server._output) server._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (server._output) server._output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        return server;
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"cordon exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await http.GetAsync($"{BaseUrl}/health/ready")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"cordon did not become ready within {timeout}:\n{Output}");
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>The host's own build output (Development static assets resolve from there to the source tree).</summary>
    private static string HostAssembly()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Cordon.slnx"))) directory = directory.Parent;
        if (directory is null) throw new InvalidOperationException("Cordon.slnx not found above the test directory.");
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var dll = Path.Combine(directory.FullName, "src", "Cordon", "bin", configuration, "net10.0", "cordon.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the solution first.", dll);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
