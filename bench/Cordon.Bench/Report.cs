using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Cordon.Bench;

/// <summary>The Markdown report: printed, and written between markers into docs/benchmarks.md so hand-written notes around it survive.</summary>
public static class Report
{
    public const string Begin = "<!-- bench:results:begin (written by bench/Cordon.Bench; edit outside these markers) -->";
    public const string End = "<!-- bench:results:end -->";
    public const double BulkTarget = 100_000;
    public const double SearchP99TargetMs = 50;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<string> MachineAsync(BenchOptions options)
    {
        var cpu = ReadProc("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memory = ReadProc("/proc/meminfo", "MemTotal") is { } kb && long.TryParse(kb.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], out var k)
            ? $"{k / 1024.0 / 1024.0:F0} GB RAM" : "RAM unknown";
        var parts = new List<string>
        {
            $"{cpu}, {Environment.ProcessorCount} cores, {memory}",
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
        };
        if (options.Providers.Contains(Provider.Postgres))
        {
            try
            {
                await using var connection = new NpgsqlConnection(options.PostgresAdmin);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT current_setting('server_version'), current_setting('shared_buffers'), current_setting('work_mem'), current_setting('synchronous_commit')", connection);
                await using var reader = await command.ExecuteReaderAsync();
                await reader.ReadAsync();
                parts.Add($"PostgreSQL {reader.GetString(0).Split(' ')[0]} (shared_buffers {reader.GetString(1)}, work_mem {reader.GetString(2)}, synchronous_commit {reader.GetString(3)}; otherwise default settings)");
            }
            catch (NpgsqlException e)
            {
                parts.Add($"PostgreSQL unreachable: {e.Message}");
            }
        }
        if (options.Providers.Contains(Provider.Sqlite))
        {
            await using var sqlite = new SqliteConnection("Data Source=:memory:");
            await sqlite.OpenAsync();
            await using var command = sqlite.CreateCommand();
            command.CommandText = "SELECT sqlite_version()";
            parts.Add($"SQLite {await command.ExecuteScalarAsync()} (Microsoft.Data.Sqlite, WAL)");
        }
        return string.Join("; ", parts);
    }

    public static string Markdown(BenchOptions options, string machine, IReadOnlyList<ProviderResult> results, DateTimeOffset started)
    {
        var md = new StringBuilder();
        md.AppendLine(Inv, $"## Results: {options.Residents:N0} residents{(options.Quick ? " (quick smoke run)" : "")}");
        md.AppendLine();
        md.AppendLine(Inv, $"- Date: {started:yyyy-MM-dd HH:mm} UTC, commit {GitCommit(options.RepoRoot)}");
        md.AppendLine(Inv, $"- Machine: {machine}");
        md.AppendLine("- The benchmark client, the `cordon` host (Release build, Production environment) and the database share this machine.");
        md.AppendLine(Inv, $"- Command: `{options.CommandLine}`");
        md.AppendLine();

        md.AppendLine("### Targets");
        md.AppendLine();
        md.AppendLine("| Target | Provider | Measured | Met |");
        md.AppendLine("|---|---|---|---|");
        foreach (var r in results)
        {
            if (r.Provider == Provider.Postgres && r.Load is { } load)
                md.AppendLine(Inv, $"| Bulk load ≥ {BulkTarget:N0} residents/s (COPY) | {Name(r.Provider)} | {load.ResidentsPerSecond:N0} residents/s | {Met(load.ResidentsPerSecond >= BulkTarget)} |");
        }
        foreach (var r in results)
        {
            var searches = r.Latency.Where(m => m.User != LatencyRunner.Anonymous).ToList();
            if (searches.Count == 0) continue;
            var sequential = searches.Where(m => m.Mode == "sequential").MaxBy(m => m.P99)!;
            var parallel = searches.Where(m => m.Mode != "sequential").MaxBy(m => m.P99)!;
            var scale = options.Residents >= 1_000_000 ? "" : $" (at {options.Residents:N0} residents, not 1 M)";
            md.AppendLine(Inv, $"| Search p99 < {SearchP99TargetMs} ms, sequential{scale} | {Name(r.Provider)} | worst p99 {sequential.P99:F1} ms ({sequential.Scenario}, {sequential.User}) | {Met(sequential.P99 < SearchP99TargetMs)} |");
            // With client, host and database on one small machine, parallel clients mostly measure queueing: shown, not judged.
            md.AppendLine(Inv, $"| Search p99, {parallel.Mode}{scale} | {Name(r.Provider)} | worst p99 {parallel.P99:F1} ms ({parallel.Scenario}, {parallel.User}) | for information |");
        }
        md.AppendLine();

        if (results.Any(r => r.Load is not null))
        {
            md.AppendLine("### Bulk load: `cordon generate`");
            md.AppendLine();
            md.AppendLine("Rate as `cordon generate` reports it: generating the rows (names, ID numbers), hashing and encrypting each ID number, and writing them (binary COPY on PostgreSQL, one prepared INSERT in one transaction on SQLite) with all indexes and the area foreign key in place. The process wall time adds start-up and migrations check.");
            md.AppendLine();
            md.AppendLine("| Provider | Residents | Load time | Residents/s | Process wall time | VACUUM (ANALYZE) afterwards | Database size |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var r in results.Where(r => r.Load is not null))
            {
                var l = r.Load!;
                md.AppendLine(Inv, $"| {Name(r.Provider)} | {l.Residents:N0} | {l.GenerateSeconds:F1} s | **{l.ResidentsPerSecond:N0}** | {l.ProcessSeconds:F1} s | {(l.VacuumAnalyzeSeconds is { } v ? $"{v:F1} s" : "n/a")} | {l.DatabaseBytes / 1024.0 / 1024.0:N0} MB |");
            }
            md.AppendLine();
        }

        foreach (var r in results)
        {
            md.AppendLine(Inv, $"### Search latency over HTTP: {Name(r.Provider)}");
            md.AppendLine();
            md.AppendLine(Inv, $"`GET /api/v1/residents?q=…&limit=20` with a bearer token; `commander` sees the whole district, `worker` one community (~1/60 of the residents). {options.Requests:N0} requests per row after a warm-up; latency to the last byte, in ms; rows/resp is the average page length returned.");
            md.AppendLine();
            md.AppendLine(Inv, $"Machine load: {r.MachineLoad}.");
            md.AppendLine();
            md.AppendLine("| Request | User | Mode | p50 | p90 | p99 | max | req/s | rows/resp | errors |");
            md.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var m in r.Latency)
            {
                md.AppendLine(Inv, $"| {m.Scenario} | {m.User} | {m.Mode} | {m.P50:F2} | {m.P90:F2} | {m.P99:F2} | {m.Max:F2} | {m.RequestsPerSecond:N0} | {m.ItemsPerResponse:F1} | {m.Errors} |");
            }
            md.AppendLine();
        }
        return md.ToString().TrimEnd() + "\n";
    }

    /// <summary>Replaces the generated section of the report file (creating the file when it does not exist yet).</summary>
    public static void Write(string path, string section, string begin = Begin, string end = End)
    {
        var generated = $"{begin}\n{section}{end}";
        string text;
        if (File.Exists(path) && File.ReadAllText(path) is var existing && existing.IndexOf(begin, StringComparison.Ordinal) is var b and >= 0
            && existing.IndexOf(end, b, StringComparison.Ordinal) is var e and >= 0)
        {
            text = existing[..b] + generated + existing[(e + end.Length)..];
        }
        else
        {
            text = $"""
                # Benchmarks

                Measured with `bench/Cordon.Bench` (see bench/README.md). The section between the markers below is
                rewritten by every run; notes outside it are kept.

                {generated}

                """;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static string Name(Provider provider) => provider == Provider.Postgres ? "PostgreSQL" : "SQLite";

    private static string Met(bool met) => met ? "yes" : "**no**";

    private static string? ReadProc(string file, string key)
    {
        if (!File.Exists(file)) return null;
        var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line?[(line.IndexOf(':') + 1)..].Trim();
    }

    /// <summary>The commit of the working tree, and whether the host was built with changes to src/ not committed yet.</summary>
    internal static string GitCommit(string repoRoot)
    {
        var commit = Git(repoRoot, "rev-parse", "--short", "HEAD");
        if (commit is null) return "unknown";
        return Git(repoRoot, "status", "--porcelain", "--", "src") is { Length: > 0 } ? $"{commit} (with uncommitted changes in src/)" : commit;
    }

    private static string? Git(string repoRoot, params string[] arguments)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", ["-C", repoRoot, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true });
            var output = git!.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
