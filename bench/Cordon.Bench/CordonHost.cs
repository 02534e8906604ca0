using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Cordon.Bench;

/// <summary>The output of one finished <c>cordon</c> sub-command.</summary>
public sealed record CommandResult(int ExitCode, string Output, TimeSpan Elapsed);

/// <summary>
/// Runs the real <c>cordon</c> executable (its own build output, its own deps and appsettings) as child processes:
/// sub-commands to completion, <c>serve</c> in the background. Host configuration is passed as <c>--key=value</c>
/// arguments; the child's environment is stripped of Cordon settings so nothing from the caller's shell leaks in.
/// </summary>
public sealed class CordonHost(string cordonDll, IReadOnlyList<string> configuration, string logFile)
{
    private static readonly string[] StrippedPrefixes = ["Database__", "Cordon__", "ASPNETCORE_", "DOTNET_ENVIRONMENT", "Logging__", "Urls"];

    public async Task<CommandResult> RunAsync(IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        using var process = new Process { StartInfo = StartInfo([.. arguments, .. configuration]) };
        var output = new System.Text.StringBuilder();
        var started = Stopwatch.StartNew();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"cordon {string.Join(' ', arguments)} did not finish within {timeout}.");
        }
        var elapsed = started.Elapsed;
        string text;
        lock (output) text = output.ToString();
        await File.AppendAllTextAsync(logFile, $"$ cordon {string.Join(' ', arguments)}\n{text}\n");
        return new CommandResult(process.ExitCode, text, elapsed);
    }

    /// <summary>Starts <c>cordon serve</c> on a free loopback port and waits until /health/ready answers 200.</summary>
    public async Task<RunningServer> StartServerAsync(TimeSpan timeout)
    {
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var process = new Process { StartInfo = StartInfo(["serve", $"--urls={baseAddress}", .. configuration]) };
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        await log.WriteLineAsync($"$ cordon serve --urls={baseAddress}");
        process.OutputDataReceived += (_, e) => WriteLine(log, e.Data);
        process.ErrorDataReceived += (_, e) => WriteLine(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RunningServer(process, baseAddress, log);

        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (process.HasExited)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"cordon serve exited with code {process.ExitCode}; see {logFile}.");
            }
            try
            {
                using var response = await probe.GetAsync(new Uri(baseAddress, "/health/ready"));
                if (response.StatusCode == HttpStatusCode.OK) return server;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // slow first answer
            }
            await Task.Delay(200);
        }
        await server.DisposeAsync();
        throw new TimeoutException($"cordon serve was not ready within {timeout}; see {logFile}.");
    }

    private ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(cordonDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(cordonDll);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var key in info.Environment.Keys.Where(k => StrippedPrefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
            info.Environment.Remove(key);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        return info;
    }

    private static string DotnetHost() =>
        Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : "dotnet";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Append(System.Text.StringBuilder output, string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }

    private static void WriteLine(StreamWriter log, string? line)
    {
        if (line is null) return;
        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // a last line after the server was stopped
            }
        }
    }
}

/// <summary>A <c>cordon serve</c> child process; disposing stops it (SIGTERM, then kill after 15 s).</summary>
public sealed class RunningServer(Process process, Uri baseAddress, StreamWriter log) : IAsyncDisposable
{
    public Uri BaseAddress { get; } = baseAddress;

    public int ProcessId => process.Id;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                // A graceful stop lets the host finish requests and SQLite check-point its WAL.
                using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                {
                    await term.WaitForExitAsync();
                }
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                try
                {
                    await process.WaitForExitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
            }
        }
        finally
        {
            process.Dispose();
            lock (log) log.Dispose();
        }
    }
}
