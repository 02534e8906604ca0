using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Cordon.Bench;

/// <summary>How long <c>cordon generate</c> took, as it reports itself and as the wall clock of its process saw it.</summary>
public sealed record LoadResult(
    int Residents, double GenerateSeconds, double ResidentsPerSecond, double ProcessSeconds, double SeedDemoSeconds,
    double? VacuumAnalyzeSeconds, long DatabaseBytes);

public sealed record ProviderResult(Provider Provider, LoadResult? Load, IReadOnlyList<Measurement> Latency, string MachineLoad);

/// <summary>One provider end to end: fresh database, demo areas and accounts, bulk generation, then the host under HTTP load.</summary>
public static partial class ProviderRun
{
    public static async Task<ProviderResult> RunAsync(Provider provider, BenchOptions options, Workload workload)
    {
        var dataDirectory = options.DataDirectory is { } root
            ? Path.Combine(root, provider.ToString().ToLowerInvariant())
            : Path.Combine(Path.GetTempPath(), $"cordon-bench-{provider.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(dataDirectory);
        var logFile = Path.Combine(dataDirectory, "cordon.log");
        var connectionString = provider == Provider.Postgres
            ? new NpgsqlConnectionStringBuilder(options.PostgresAdmin) { Database = BenchOptions.PostgresDatabase }.ConnectionString
            : null;
        List<string> configuration =
        [
            $"--Database:Provider={provider}",
            $"--Cordon:DataDirectory={dataDirectory}",
            "--Database:SeedDemoOnStart=false",
            "--Database:DemoResidents=0",
        ];
        if (connectionString is not null) configuration.Add($"--Database:ConnectionString={connectionString}");
        var host = new CordonHost(options.CordonDll, configuration, logFile);
        Console.WriteLine($"== {provider}: data directory {dataDirectory} (host log: {logFile})");

        LoadResult? load = null;
        try
        {
            var loadBefore = LoadAverage();
            if (!options.SkipLoad) load = await LoadAsync(provider, options, host, dataDirectory);
            else Console.WriteLine("  --skip-load: measuring the database of an earlier run");

            Console.WriteLine($"  starting cordon serve ...");
            await using var server = await host.StartServerAsync(TimeSpan.FromMinutes(3));
            Console.WriteLine($"  serving at {server.BaseAddress} (pid {server.ProcessId}); {options.Requests} requests per scenario and mode");
            using var runner = new LatencyRunner(server.BaseAddress, options.Requests, options.Concurrency, Console.WriteLine);
            var searchBefore = LoadAverage();
            var latency = await runner.RunAsync(workload);
            // Other work on the machine skews latency; the 1-minute load average before and after says whether there was any.
            var machineLoad = $"1-min load average {loadBefore} before the load, {searchBefore} before the searches, {LoadAverage()} after them";
            Console.WriteLine($"  {machineLoad}");
            return new ProviderResult(provider, load, latency, machineLoad);
        }
        finally
        {
            if (!options.Keep && !options.SkipLoad)
            {
                if (provider == Provider.Postgres) await RecreatePostgresAsync(options.PostgresAdmin, create: false);
                if (options.DataDirectory is null) Directory.Delete(dataDirectory, recursive: true);
            }
            else Console.WriteLine($"  kept: {(provider == Provider.Postgres ? $"database {BenchOptions.PostgresDatabase}, " : "")}{dataDirectory}");
        }
    }

    private static async Task<LoadResult> LoadAsync(Provider provider, BenchOptions options, CordonHost host, string dataDirectory)
    {
        if (provider == Provider.Postgres) await RecreatePostgresAsync(options.PostgresAdmin, create: true);
        else
        {
            foreach (var file in Directory.GetFiles(dataDirectory, "cordon.db*")) File.Delete(file);
        }

        // Areas, venues and the demo accounts; a token residents so the district is complete but small.
        var seed = await host.RunAsync(["seed-demo", "--residents", "1000"], TimeSpan.FromMinutes(5));
        if (seed.ExitCode != 0) throw new InvalidOperationException($"cordon seed-demo failed ({seed.ExitCode}):\n{seed.Output}");
        Console.WriteLine($"  seed-demo (areas, venues, accounts, 1,000 residents): {seed.Elapsed.TotalSeconds:F1} s");

        Console.WriteLine($"  cordon generate --residents {options.Residents} --seed {Workload.Seed} --id-area {Workload.IdArea} ...");
        var generate = await host.RunAsync(
            ["generate", "--residents", options.Residents.ToString(CultureInfo.InvariantCulture), "--seed", Workload.Seed.ToString(CultureInfo.InvariantCulture), "--id-area", Workload.IdArea],
            TimeSpan.FromHours(2));
        var match = GenerateLine().Match(generate.Output);
        if (generate.ExitCode != 0 || !match.Success) throw new InvalidOperationException($"cordon generate failed ({generate.ExitCode}):\n{generate.Output}");
        var written = int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        var seconds = double.Parse(match.Groups["s"].Value.Replace(',', '.'), CultureInfo.InvariantCulture);
        var rate = double.Parse(match.Groups["r"].Value, CultureInfo.InvariantCulture);
        Console.WriteLine($"  {match.Value.Trim()} — process wall time {generate.Elapsed.TotalSeconds:F1} s");

        double? vacuum = null;
        if (provider == Provider.Postgres)
        {
            // After a bulk load autovacuum would soon vacuum and analyze the table; doing it now measures the steady
            // state instead of racing the daemon (and tells how long it takes).
            var started = Stopwatch.StartNew();
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(options.PostgresAdmin) { Database = BenchOptions.PostgresDatabase, CommandTimeout = 3600 }.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""VACUUM (ANALYZE) "Residents" """, connection);
            await command.ExecuteNonQueryAsync();
            vacuum = started.Elapsed.TotalSeconds;
            Console.WriteLine($"  VACUUM (ANALYZE) \"Residents\": {vacuum:F1} s");
        }
        var bytes = await DatabaseBytesAsync(provider, options, dataDirectory);
        return new LoadResult(written, seconds, rate, generate.Elapsed.TotalSeconds, seed.Elapsed.TotalSeconds, vacuum, bytes);
    }

    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static async Task<long> DatabaseBytesAsync(Provider provider, BenchOptions options, string dataDirectory)
    {
        if (provider == Provider.Sqlite) return Directory.GetFiles(dataDirectory, "cordon.db*").Sum(f => new FileInfo(f).Length);
        await using var connection = new NpgsqlConnection(options.PostgresAdmin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT pg_database_size('{BenchOptions.PostgresDatabase}')", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Drops the database and, with <paramref name="create"/>, creates it afresh (as a copy of <paramref name="template"/> if given).</summary>
    internal static async Task RecreatePostgresAsync(string admin, bool create, string database = BenchOptions.PostgresDatabase, string? template = null)
    {
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using (var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", connection))
            await drop.ExecuteNonQueryAsync();
        if (!create) return;
        await using var command = new NpgsqlCommand($"CREATE DATABASE {database}{(template is null ? "" : $" TEMPLATE {template}")}", connection);
        await command.ExecuteNonQueryAsync();
    }

    [GeneratedRegex(@"Generated (?<n>\d+) residents .*? in (?<s>[\d.,]+) s \((?<r>\d+) residents/s\)\.")]
    private static partial Regex GenerateLine();
}
