using System.Globalization;
using System.Reflection;

namespace Cordon.Bench;

public enum Provider
{
    Postgres,
    Sqlite,
}

/// <summary>The command line of the scenario runner (see bench/README.md).</summary>
public sealed record BenchOptions(
    IReadOnlyList<Provider> Providers,
    int Residents,
    int Requests,
    int Concurrency,
    bool Quick,
    string PostgresAdmin,
    string CordonDll,
    string RepoRoot,
    string? Output,
    string? DataDirectory,
    bool Keep,
    bool SkipLoad,
    string CommandLine)
{
    public const string DefaultPostgresAdmin = "Host=127.0.0.1;Port=5432;Username=cordon;Password=cordon;Database=postgres";
    public const string PostgresDatabase = "cordon_bench";

    public const string Usage = """
        Cordon.Bench — bulk load and HTTP search latency of the real cordon host

        Usage: dotnet run -c Release --project bench/Cordon.Bench -- [options]

          --provider sqlite|postgres|both   databases to measure (default both)
          --residents N                     residents to generate with 'cordon generate' (default 1000000)
          --requests N                      measured requests per scenario and mode (default 2000)
          --concurrency N                   parallel clients of the concurrent mode (default 8)
          --quick                           smoke run: 50000 residents, 300 requests (unless given explicitly)
          --output PATH                     Markdown report to update (default docs/benchmarks.md; '-' for none)
          --cordon PATH                     the host to run (default src/Cordon/bin/<configuration>/net10.0/cordon.dll)
          --data-dir DIR                    data directory of the host (default: a fresh temporary directory per provider)
          --keep                            keep the databases and data directories afterwards (for EXPLAIN)
          --skip-load                       reuse the databases of a previous --keep run (needs --data-dir and --residents)

        PostgreSQL: CORDON_BENCH_POSTGRES is an admin connection string (default
        Host=127.0.0.1;Port=5432;Username=cordon;Password=cordon;Database=postgres); the database
        'cordon_bench' is dropped and created afresh unless --skip-load.
        """;

    /// <summary>Null (after printing why) when the arguments are not usable.</summary>
    public static BenchOptions? Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        string[] valued = ["--provider", "--residents", "--requests", "--concurrency", "--output", "--cordon", "--data-dir"];
        string[] flagNames = ["--quick", "--keep", "--skip-load", "--help", "-h"];
        if (ReadArguments(args, valued, flagNames, values, flags) is { } error) return Fail(error);
        if (flags.Contains("--help") || flags.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return null;
        }

        var quick = flags.Contains("--quick");
        Provider[]? providers = values.GetValueOrDefault("--provider", "both").ToLowerInvariant() switch
        {
            "both" => [Provider.Postgres, Provider.Sqlite],
            "postgres" or "postgresql" or "pg" => [Provider.Postgres],
            "sqlite" => [Provider.Sqlite],
            _ => null,
        };
        if (providers is null) return Fail("--provider must be sqlite, postgres or both.");
        if (!TryInt(values, "--residents", quick ? 50_000 : 1_000_000, out var residents) || residents < 1 || residents > 16_000_000)
            return Fail("--residents must be between 1 and 16000000.");
        if (!TryInt(values, "--requests", quick ? 300 : 2_000, out var requests) || requests < 10)
            return Fail("--requests must be at least 10.");
        if (!TryInt(values, "--concurrency", 8, out var concurrency) || concurrency < 1 || concurrency > 256)
            return Fail("--concurrency must be between 1 and 256.");

        var repoRoot = FindRepoRoot();
        var cordon = values.GetValueOrDefault("--cordon") ?? DefaultCordonDll(repoRoot);
        if (!File.Exists(cordon)) return Fail($"The host '{cordon}' does not exist: build it (dotnet build -c Release Cordon.slnx) or pass --cordon.");
        var output = values.GetValueOrDefault("--output", Path.Combine(repoRoot, "docs", "benchmarks.md"));
        var skipLoad = flags.Contains("--skip-load");
        var dataDirectory = values.GetValueOrDefault("--data-dir");
        if (skipLoad && dataDirectory is null) return Fail("--skip-load needs the --data-dir of the run that loaded the data.");

        return new BenchOptions(
            providers, residents, requests, concurrency, quick,
            Environment.GetEnvironmentVariable("CORDON_BENCH_POSTGRES") is { Length: > 0 } admin ? admin : DefaultPostgresAdmin,
            Path.GetFullPath(cordon), repoRoot, output == "-" ? null : Path.GetFullPath(output), dataDirectory is null ? null : Path.GetFullPath(dataDirectory),
            flags.Contains("--keep"), skipLoad,
            "dotnet run -c Release --project bench/Cordon.Bench" + (args.Length == 0 ? "" : " -- " + string.Join(' ', args)));
    }

    /// <summary>Sorts the arguments into options with a value and flags; the problem with the first one that is neither, or null.</summary>
    internal static string? ReadArguments(string[] args, string[] valued, string[] flagNames, Dictionary<string, string> values, HashSet<string> flags)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (valued.Contains(args[i]) && i + 1 < args.Length) values[args[i]] = args[++i];
            else if (flagNames.Contains(args[i])) flags.Add(args[i]);
            else return $"Unknown or incomplete argument '{args[i]}'.";
        }
        return null;
    }

    internal static bool TryInt(Dictionary<string, string> values, string name, int fallback, out int value)
    {
        if (!values.TryGetValue(name, out var text))
        {
            value = fallback;
            return true;
        }
        return int.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>The repository root and the host of this runner's configuration (shared with the other scenarios).</summary>
    internal static (string RepoRoot, string CordonDll) Defaults() => (FindRepoRoot(), DefaultCordonDll(FindRepoRoot()));

    private static BenchOptions? Fail(string message)
    {
        Console.Error.WriteLine($"{message}\n\n{Usage}");
        return null;
    }

    /// <summary>The directory holding Cordon.slnx, found upwards from the bench's own output directory.</summary>
    internal static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cordon.slnx"))) return dir.FullName;
        }
        return Directory.GetCurrentDirectory();
    }

    /// <summary>The host's own build output of the same configuration as this runner (Release under dotnet run -c Release).</summary>
    internal static string DefaultCordonDll(string repoRoot)
    {
        var configuration = typeof(BenchOptions).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        return Path.Combine(repoRoot, "src", "Cordon", "bin", configuration, "net10.0", "cordon.dll");
    }
}
