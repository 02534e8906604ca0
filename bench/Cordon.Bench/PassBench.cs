using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cordon.Features.Demo;
using Cordon.Features.Health;
using Cordon.Features.Passes;

namespace Cordon.Bench;

/// <summary>
/// <c>passes</c>: pass verification in-process (verifications/s, one thread and every core) and pass issuance over
/// HTTP with wrk beside a trivial endpoint of the same host (ADR 008). Every phase is bounded in time; the load goes
/// to 127.0.0.1 only.
/// </summary>
public static partial class PassBench
{
    public const string Usage = """
        Cordon.Bench passes — pass verification rate in-process and pass issuance over HTTP (wrk)

        Usage: dotnet run -c Release --project bench/Cordon.Bench -- passes [options]

          --seconds N        length of each measured phase, 1–60 (default 10)
          --connections N    wrk connections, 2–256 (default 16)
          --provider P       sqlite, postgres or both (default both) for the HTTP part
          --cordon PATH      the host to run (default src/Cordon/bin/<configuration>/net10.0/cordon.dll)
          --output PATH      Markdown report to write (default docs/benchmarks-passes.md; '-' for none)

        The HTTP part runs 'cordon serve' with the demo district (seeded on start) in a temporary directory, on SQLite
        and/or PostgreSQL (CORDON_BENCH_POSTGRES admin connection; database 'cordon_pass_bench' created afresh), signs in
        as the demo resident and needs wrk on the PATH (apt-get install wrk); without it, it is skipped.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--help" or "-h")
            {
                Console.WriteLine(Usage);
                return 0;
            }
            if (args[i] is "--seconds" or "--connections" or "--provider" or "--cordon" or "--output" && i + 1 < args.Length) values[args[i]] = args[++i];
            else return Fail($"Unknown or incomplete argument '{args[i]}'.");
        }
        if (!int.TryParse(values.GetValueOrDefault("--seconds", "10"), CultureInfo.InvariantCulture, out var seconds) || seconds is < 1 or > 60)
            return Fail("--seconds must be between 1 and 60.");
        if (!int.TryParse(values.GetValueOrDefault("--connections", "16"), CultureInfo.InvariantCulture, out var connections) || connections is < 2 or > 256)
            return Fail("--connections must be between 2 and 256.");
        Provider[]? providers = values.GetValueOrDefault("--provider", "both") switch
        {
            "both" => [Provider.Sqlite, Provider.Postgres],
            "sqlite" => [Provider.Sqlite],
            "postgres" => [Provider.Postgres],
            _ => null,
        };
        if (providers is null) return Fail("--provider must be sqlite, postgres or both.");
        var repoRoot = BenchOptions.FindRepoRoot();
        var cordon = Path.GetFullPath(values.GetValueOrDefault("--cordon") ?? BenchOptions.DefaultCordonDll(repoRoot));
        var output = values.GetValueOrDefault("--output", Path.Combine(repoRoot, "docs", "benchmarks-passes.md"));

        var report = new StringBuilder();
        report.AppendLine("# Benchmarks: signed passes").AppendLine();
        report.AppendLine($"Command: `dotnet run -c Release --project bench/Cordon.Bench -- passes{(args.Length == 0 ? "" : " " + string.Join(' ', args))}`  ");
        report.AppendLine($"Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, "
            + $"load average before: {LoadAverage()}").AppendLine();

        InProcess(report, TimeSpan.FromSeconds(seconds));
        report.AppendLine("## Over HTTP (wrk, same host)").AppendLine();
        foreach (var provider in providers) await OverHttpAsync(report, provider, cordon, seconds, connections);

        report.AppendLine().AppendLine($"Load average after: {LoadAverage()}. The machine is shared: figures vary with what else runs.");
        var markdown = report.ToString();
        Console.WriteLine(markdown);
        if (output != "-")
        {
            await File.WriteAllTextAsync(output, markdown);
            Console.WriteLine($"Written to {output}");
        }
        return 0;
    }

    private static void InProcess(StringBuilder report, TimeSpan phase)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = PassFormat.WholeSeconds(DateTime.UtcNow);
        var published = PassPublicKey.From("bench1", key, now.AddDays(-1), now.AddDays(8));
        var verifier = new PassVerifier(kid => kid == published.KeyId ? published : null, TimeSpan.FromSeconds(60));
        var passes = Enumerable.Range(1, 1000).Select(i => PassFormat.Sign(new PassContent("bench1", i, (HealthColour)(i % 3 + 1),
            i % 7 == 0 ? [PopupKind.ScreeningRound] : [], now.AddHours(-i % 72), "张*三", now, now.AddMinutes(5)), key)).ToArray();
        // One signature character changed: still well-formed base64url of 64 bytes, so the signature check rejects it.
        var forged = passes.Select(p => string.Concat(p.AsSpan(0, p.Length - 20), p[^20] == 'A' ? "B" : "A", p.AsSpan(p.Length - 19))).ToArray();

        var sign = Rate(phase, 1, i => PassFormat.Sign(new PassContent("bench1", i, HealthColour.Green, [], null, "张*三", now, now.AddMinutes(5)), key).Length > 0);
        var verifyOne = Rate(phase, 1, i => verifier.Verify(passes[i % passes.Length], now).IsValid);
        var verifyAll = Rate(phase, Environment.ProcessorCount, i => verifier.Verify(passes[i % passes.Length], now).IsValid);
        var rejectAll = Rate(phase, Environment.ProcessorCount, i => !verifier.Verify(forged[i % forged.Length], now).IsValid);

        report.AppendLine("## In-process (PassFormat / PassVerifier, ECDSA P-256)").AppendLine();
        report.AppendLine($"Each phase runs {phase.TotalSeconds:F0} s over 1,000 distinct passes of {passes[0].Length} characters.").AppendLine();
        report.AppendLine("| operation | threads | per second |");
        report.AppendLine("|---|---:|---:|");
        report.AppendLine($"| sign (issue) | 1 | {sign:N0} |");
        report.AppendLine($"| verify, valid | 1 | {verifyOne:N0} |");
        report.AppendLine($"| verify, valid | {Environment.ProcessorCount} | {verifyAll:N0} |");
        report.AppendLine($"| verify, forged signature (rejected) | {Environment.ProcessorCount} | {rejectAll:N0} |");
        report.AppendLine();
    }

    /// <summary>Operations per second of <paramref name="operation"/> on <paramref name="threads"/> threads for <paramref name="phase"/>; fails loudly if it ever returns false.</summary>
    private static double Rate(TimeSpan phase, int threads, Func<int, bool> operation)
    {
        long total = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            long count = 0;
            for (var i = t; clock.Elapsed < phase; i += threads, count++)
            {
                if (!operation(i)) throw new InvalidOperationException("A benchmark operation gave the wrong answer.");
            }
            Interlocked.Add(ref total, count);
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        return total / clock.Elapsed.TotalSeconds;
    }

    private static async Task OverHttpAsync(StringBuilder report, Provider provider, string cordon, int seconds, int connections)
    {
        report.AppendLine($"### {provider}").AppendLine();
        if (!File.Exists(cordon) || Which("wrk") is not { } wrk)
        {
            report.AppendLine($"Skipped: {(File.Exists(cordon) ? "wrk is not installed (apt-get install wrk)" : $"the host {cordon} is not built")}.").AppendLine();
            return;
        }
        var dataDirectory = Directory.CreateTempSubdirectory("cordon-pass-bench-").FullName;
        try
        {
            List<string> configuration = [
                $"--Database:Provider={provider}", "--Database:SeedDemoOnStart=true", "--Database:DemoResidents=1000",
                $"--Cordon:DataDirectory={dataDirectory}", "--Logging:LogLevel:Default=Warning",
            ];
            if (provider == Provider.Postgres) configuration.Add($"--Database:ConnectionString={await FreshPostgresAsync()}");
            var host = new CordonHost(cordon, configuration, Path.Combine(dataDirectory, "bench.log"));
            await using var server = await host.StartServerAsync(TimeSpan.FromMinutes(5));
            using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            var signIn = await client.PostAsJsonAsync("/api/v1/auth/token", new { userName = "resident", password = DemoDistrict.Password });
            signIn.EnsureSuccessStatusCode();
            var token = (await signIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
            using var first = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me/pass");
            first.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var firstPass = await client.SendAsync(first);
            if (!firstPass.IsSuccessStatusCode)
            {
                report.AppendLine($"Skipped: GET /api/v1/me/pass answered {(int)firstPass.StatusCode} for the demo resident: {await firstPass.Content.ReadAsStringAsync()}").AppendLine();
                return;
            }

            report.AppendLine($"`cordon serve` on {provider} (demo district, 1,000 residents), wrk -t2 -c{connections} -d{seconds}s from a second process; "
                + "`/api/v1/me/pass` signed in as the demo resident with a bearer token (authentication, stored status and name read, signing, JSON).").AppendLine();
            report.AppendLine("| endpoint | requests/s | p50 | p99 | errors |");
            report.AppendLine("|---|---:|---:|---:|---:|");
            var trivial = await WrkAsync(wrk, new Uri(server.BaseAddress, "/health/live"), null, seconds, connections);
            var issue = await WrkAsync(wrk, new Uri(server.BaseAddress, "/api/v1/me/pass"), token, seconds, connections);
            report.AppendLine($"| GET /health/live (trivial) | {trivial.Rate:N0} | {trivial.P50} | {trivial.P99} | {trivial.Errors} |");
            report.AppendLine($"| GET /api/v1/me/pass (issue a pass) | {issue.Rate:N0} | {issue.P50} | {issue.P99} | {issue.Errors} |");
            report.AppendLine().AppendLine($"Pass issuance runs at {issue.Rate / trivial.Rate:P0} of the trivial endpoint's rate.").AppendLine();
        }
        finally
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // left to the temporary directory's cleaner
            }
        }
    }

    private const string PostgresDatabase = "cordon_pass_bench";

    /// <summary>An empty database for the host, created afresh; its connection string.</summary>
    private static async Task<string> FreshPostgresAsync()
    {
        var admin = Environment.GetEnvironmentVariable("CORDON_BENCH_POSTGRES") is { Length: > 0 } configured ? configured : BenchOptions.DefaultPostgresAdmin;
        await using (var connection = new Npgsql.NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using (var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {PostgresDatabase} WITH (FORCE)", connection)) await drop.ExecuteNonQueryAsync();
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {PostgresDatabase}", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new Npgsql.NpgsqlConnectionStringBuilder(admin) { Database = PostgresDatabase }.ConnectionString;
    }

    private sealed record WrkResult(double Rate, string P50, string P99, string Errors);

    private static async Task<WrkResult> WrkAsync(string wrk, Uri url, string? token, int seconds, int connections)
    {
        var start = new ProcessStartInfo(wrk) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-t2", $"-c{connections}", $"-d{seconds}s", "--timeout", "10s", "--latency" }) start.ArgumentList.Add(arg);
        if (token is not null)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add($"Authorization: Bearer {token}");
        }
        start.ArgumentList.Add(url.ToString());
        using var process = Process.Start(start)!;
        var text = await process.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 30));
        await process.WaitForExitAsync(cts.Token);
        Console.WriteLine($"$ wrk … {url}\n{text}");
        var rate = RequestsPerSecond().Match(text) is { Success: true } r ? double.Parse(r.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var errors = Non2xx().Match(text) is { Success: true } e ? e.Groups[1].Value : "0";
        return new WrkResult(rate, Percentile(text, "50%"), Percentile(text, "99%"), errors);
    }

    private static string Percentile(string wrkOutput, string label) =>
        Regex.Match(wrkOutput, $@"^\s*{Regex.Escape(label)}\s+(\S+)", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : "?";

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xx();

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"{message}\n\n{Usage}");
        return 2;
    }
}
