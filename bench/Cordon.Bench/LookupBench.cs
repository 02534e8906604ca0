using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Cordon.Bench;

/// <summary>
/// <c>lookup</c>: status lookup and pass issuance over HTTP with wrk (a second process) beside a trivial endpoint of the
/// same host, at N residents on PostgreSQL, honest about the per-host status cache (ADR 013): a cold run (a fresh host,
/// random residents: nearly every lookup is a first one), a filling pass over the residents in order (bounded in
/// time), then a warm run (random residents among those held). Reports the host's resident memory before and after.
/// </summary>
public static partial class LookupBench
{
    public const string Usage = """
        Cordon.Bench lookup — status lookup and pass issuance over HTTP (wrk), cold and warm, beside a trivial endpoint

        Usage: dotnet run -c Release --project bench/Cordon.Bench -- lookup [options]

          --residents N      residents to generate (default 1000000)
          --seconds N        length of each measured wrk run, 1–120 (default 15)
          --connections N    wrk connections (default 32)
          --fill-seconds N   longest filling pass over the residents in order (default 300)
          --reuse            keep the database 'cordon_bench_lookup' of a previous run if it holds N residents (else load it)
          --keep             keep the database and data directory afterwards (for --reuse)
          --output PATH      Markdown to append to (default docs/benchmarks-health.md; '-' for none)

        Needs wrk on the PATH and a Release build (dotnet build -c Release Cordon.slnx). PostgreSQL: CORDON_BENCH_POSTGRES
        (admin connection). The load goes to 127.0.0.1 only.
        """;

    private const string Database = "cordon_bench_lookup";
    // Fixed, so that a reused database's encrypted names stay readable; a benchmark key, never a real one.
    private const string PersonalDataKey = "Q29yZG9uLWJlbmNoLWxvb2t1cC1wZXJzb25hbC1rZXk=";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        var residents = HealthBench.Arg(args, "--residents", 1_000_000);
        var seconds = Math.Clamp(HealthBench.Arg(args, "--seconds", 15), 1, 120);
        var connections = Math.Clamp(HealthBench.Arg(args, "--connections", 32), 2, 256);
        var fillSeconds = Math.Clamp(HealthBench.Arg(args, "--fill-seconds", 300), 5, 3600);
        var reuse = args.Contains("--reuse");
        var keep = args.Contains("--keep");
        var (repo, cordon) = BenchOptions.Defaults();
        var output = args.SkipWhile(a => a != "--output").Skip(1).FirstOrDefault() ?? Path.Combine(repo, "docs", "benchmarks-health.md");
        if (!File.Exists(cordon)) throw new FileNotFoundException($"Build the host first (dotnet build -c Release Cordon.slnx): {cordon}");
        var admin = Environment.GetEnvironmentVariable("CORDON_BENCH_POSTGRES") ?? BenchOptions.DefaultPostgresAdmin;
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = Database, CommandTimeout = 3600 }.ConnectionString;
        var dataDirectory = Path.Combine(Path.GetTempPath(), "cordon-bench-lookup");
        var report = new List<string>();
        void Say(string line)
        {
            Console.WriteLine(line);
            report.Add(line);
        }

        var host = new CordonHost(cordon, [
            "--Database:Provider=Postgres", $"--Database:ConnectionString={connectionString}", $"--Cordon:DataDirectory={dataDirectory}",
            $"--Cordon:PersonalDataKey={PersonalDataKey}", "--Database:SeedDemoOnStart=false", "--Database:DemoResidents=0", "--Health:SweepSeconds=3600",
        ], Path.Combine(Path.GetTempPath(), "cordon-bench-lookup.log"));
        Say($"- host: `{cordon}`; load before: {HealthBench.LoadAverage()}");
        if (!reuse || await ResidentsAsync(admin, connectionString) < residents)
        {
            await HealthBench.RecreateAsync(admin, create: true, Database);
            if (Directory.Exists(dataDirectory)) Directory.Delete(dataDirectory, recursive: true);
            Directory.CreateDirectory(dataDirectory);
            var seed = await host.RunAsync(["seed-demo", "--residents", "1000"], TimeSpan.FromMinutes(10));
            if (seed.ExitCode != 0) throw new InvalidOperationException(seed.Output);
            var generate = await host.RunAsync(["generate", "--residents", residents.ToString(CultureInfo.InvariantCulture), "--seed", "7"], TimeSpan.FromHours(1));
            if (generate.ExitCode != 0) throw new InvalidOperationException(generate.Output);
            await HealthBench.ExecuteAsync(connectionString, """VACUUM (ANALYZE) "Residents" """);
            Say($"- generated {residents:N0} residents in {generate.Elapsed.TotalSeconds:F0} s");
        }
        else Say("- reused the database of a previous run (--reuse)");
        try
        {
            var total = await HealthBench.CountAsync(connectionString, """SELECT count(*) FROM "Residents" """);
            await using var server = await host.StartServerAsync(TimeSpan.FromMinutes(5));
            var clock = Stopwatch.StartNew();
            await HealthBench.WaitAsync(connectionString, """SELECT count(*) FROM "HealthStatuses" """, n => n >= total, TimeSpan.FromMinutes(30));
            if (clock.Elapsed > TimeSpan.FromSeconds(5))
            {
                Say($"- start-up fill of the stored statuses: {clock.Elapsed.TotalSeconds:F0} s");
                await HealthBench.ExecuteAsync(connectionString, """VACUUM (ANALYZE) "HealthStatuses" """);
            }
            var (low, high) = (await HealthBench.CountAsync(connectionString, """SELECT min("Id") FROM "Residents" """), await HealthBench.CountAsync(connectionString, """SELECT max("Id") FROM "Residents" """));
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
            var staff = await HealthBench.TokenAsync(http, "commander");
            var resident = await HealthBench.TokenAsync(http, "resident");
            var rssStart = Rss(server.ProcessId);
            Say($"- {total:N0} residents with stored statuses; host process {rssStart} MB resident after start-up");
            Say($"- every run: `wrk -t2 -c{connections} -d{seconds}s --latency` from a second process on the same machine ({Environment.ProcessorCount} cores shared by the host, wrk, PostgreSQL and other work)");
            Say("");
            Say("| run | endpoint | requests/s | p50 | p99 | non-2xx | host CPU per request | load (1 min) |");
            Say("|---|---|---:|---:|---:|---:|---:|---:|");
            void Row(string run, string endpoint, WrkResult r) =>
                Say($"| {run} | {endpoint} | {r.Rate:N0} | {r.P50} | {r.P99} | {r.Errors} | {r.CpuMicroseconds:N0} µs | {HealthBench.LoadAverage()} |");

            // Not measured: the JIT compiles the paths (a few seconds each; the lookup's over 2,000 of the residents only).
            var script = Path.Combine(dataDirectory, "random.lua");
            await File.WriteAllTextAsync(script, RandomScript(low, low + 1_999, staff));
            await WrkAsync(server.ProcessId, new Uri(server.BaseAddress, "/health/live"), null, 3, connections);
            await WrkAsync(server.ProcessId, new Uri(server.BaseAddress, "/"), script, 3, connections);
            await WrkAsync(server.ProcessId, new Uri(server.BaseAddress, "/api/v1/me/health"), null, 2, connections, resident);
            await WrkAsync(server.ProcessId, new Uri(server.BaseAddress, "/api/v1/me/pass"), null, 2, connections, resident);

            var trivial = await WrkAsync(server.ProcessId, new Uri(server.BaseAddress, "/health/live"), null, seconds, connections);
            Row("—", "trivial `GET /health/live`", trivial);
            await File.WriteAllTextAsync(script, RandomScript(low, high, staff));
            var cold = await WrkAsync(server.ProcessId, new Uri(server.BaseAddress, "/"), script, seconds, connections);
            Row("cold (fresh host, random of all)", "staff `GET /api/v1/residents/{id}/health`", cold);

            var fill = Path.Combine(dataDirectory, "fill.lua");
            await File.WriteAllTextAsync(fill, FillScript(low, high, staff));
            var filled = await WrkAsync(server.ProcessId, new Uri(server.BaseAddress, "/"), fill, fillSeconds, connections);
            Row("filling pass (every id in order, at most " + fillSeconds + " s)", "staff `GET /api/v1/residents/{id}/health`", filled);
            var held = Math.Min(high, low + filled.Requests) - low;
            var rssFilled = Rss(server.ProcessId);

            await File.WriteAllTextAsync(script, RandomScript(low, low + held - 1, staff));
            var warm = await WrkAsync(server.ProcessId, new Uri(server.BaseAddress, "/"), script, seconds, connections);
            Row($"warm (random of the {held:N0} held)", "staff `GET /api/v1/residents/{id}/health`", warm);
            var mine = await WrkAsync(server.ProcessId, new Uri(server.BaseAddress, "/api/v1/me/health"), null, seconds, connections, resident);
            Row("warm (one resident)", "resident `GET /api/v1/me/health`", mine);
            var pass = await WrkAsync(server.ProcessId, new Uri(server.BaseAddress, "/api/v1/me/pass"), null, seconds, connections, resident);
            Row("warm (one resident)", "resident `GET /api/v1/me/pass` (signs a pass)", pass);
            var trivialAgain = await WrkAsync(server.ProcessId, new Uri(server.BaseAddress, "/health/live"), null, seconds, connections);
            Row("—", "trivial `GET /health/live` (again)", trivialAgain);
            Say("");
            var reference = (trivial.Rate + trivialAgain.Rate) / 2;
            Say($"Against the trivial endpoint (mean of its two runs, {reference:N0}/s): cold lookup {cold.Rate / reference:P0}, warm lookup {warm.Rate / reference:P0}, "
                + $"me/health {mine.Rate / reference:P0}, me/pass {pass.Rate / reference:P0}.");
            Say($"Host memory: {rssStart} MB after start-up, {rssFilled} MB with about {held:N0} residents held "
                + $"(≈ {(rssFilled - rssStart) * 1024.0 * 1024 / Math.Max(1, held):F0} bytes each, GC headroom included).");
        }
        finally
        {
            if (!keep) await HealthBench.RecreateAsync(admin, create: false, Database);
        }
        if (output != "-")
        {
            var markdown = $"\n## Lookup with the per-host cache (ADR 013), run of {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC ({Environment.ProcessorCount} cores, PostgreSQL, Release build)\n\n{string.Join("\n", report)}\n";
            await File.AppendAllTextAsync(output, markdown);
        }
        return 0;
    }

    private static string RandomScript(long low, long high, string token) => $$"""
        math.randomseed(os.time())
        request = function()
          local id = math.random({{low}}, {{high}})
          return wrk.format("GET", "/api/v1/residents/" .. id .. "/health", { ["Authorization"] = "Bearer {{token}}" })
        end
        """;

    /// <summary>Each of wrk's two threads walks every other id from the lowest; a thread stops past the highest.</summary>
    private static string FillScript(long low, long high, string token) => $$"""
        local threads = 0
        function setup(thread)
          thread:set("tid", threads)
          threads = threads + 1
        end
        local counter = 0
        request = function()
          local id = {{low}} + tid + counter * 2
          counter = counter + 1
          if id > {{high}} then id = {{high}} end
          return wrk.format("GET", "/api/v1/residents/" .. id .. "/health", { ["Authorization"] = "Bearer {{token}}" })
        end
        response = function(status, headers, body)
          if {{low}} + tid + counter * 2 > {{high}} + 64 then wrk.thread:stop() end
        end
        """;

    /// <summary>One wrk run; <paramref name="CpuMicroseconds"/> is the host process's CPU time per request (user + system), which the other work on a shared machine does not inflate as much as latency.</summary>
    private sealed record WrkResult(double Rate, long Requests, string P50, string P99, long Errors, double CpuMicroseconds);

    private static async Task<WrkResult> WrkAsync(int host, Uri url, string? script, int seconds, int connections, string? token = null)
    {
        var cpu = CpuTicks(host);
        List<string> arguments = ["-t2", $"-c{connections}", $"-d{seconds}s", "--latency"];
        if (script is not null) arguments.AddRange(["-s", script]);
        if (token is not null) arguments.AddRange(["-H", $"Authorization: Bearer {token}"]);
        arguments.Add(url.ToString());
        using var process = Process.Start(new ProcessStartInfo("wrk", arguments) { RedirectStandardOutput = true })!;
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Console.WriteLine(text);
        var rate = double.Parse(RateLine().Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
        var requests = long.Parse(RequestsLine().Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
        var errors = ErrorsLine().Match(text) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var cpuMicroseconds = (CpuTicks(host) - cpu) * 10_000.0 / Math.Max(1, requests);
        return new WrkResult(rate, requests, HealthBench.Percentile(text, "50%"), HealthBench.Percentile(text, "99%"), errors, cpuMicroseconds);
    }

    /// <summary>User plus system CPU time of a process in clock ticks (1/100 s), from /proc; 0 where there is none.</summary>
    private static long CpuTicks(int processId)
    {
        var stat = $"/proc/{processId}/stat";
        if (!File.Exists(stat)) return 0;
        var fields = File.ReadAllText(stat).Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // After the command name: state is field 3, utime 14 and stime 15 of the whole line.
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RateLine();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex ErrorsLine();

    /// <summary>The host's resident set size in MB (from /proc), or 0 where there is none.</summary>
    private static long Rss(int processId)
    {
        var status = $"/proc/{processId}/status";
        if (!File.Exists(status)) return 0;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    private static async Task<long> ResidentsAsync(string admin, string connectionString)
    {
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var exists = new NpgsqlCommand($"SELECT count(*) FROM pg_database WHERE datname = '{Database}'", connection);
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(), CultureInfo.InvariantCulture) == 0) return 0;
        }
        try
        {
            return await HealthBench.CountAsync(connectionString, """SELECT count(*) FROM "Residents" """);
        }
        catch (PostgresException)
        {
            return 0;
        }
    }
}
