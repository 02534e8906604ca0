namespace Cordon.Bench.Testing;

/// <summary>The command line of the screening-round scenario (<c>cordon-bench testing …</c>).</summary>
public sealed record TestingBenchOptions(
    int Residents,
    int Clients,
    int Requests,
    int CoverageRequests,
    bool WithoutCoverageIndex,
    TimeSpan TimeLimit,
    string PostgresAdmin,
    string CordonDll,
    string RepoRoot,
    string? Output,
    bool Keep,
    bool ReuseLoad,
    bool LoadOnly,
    string CommandLine)
{
    /// <summary>Its own database, so that it never races the registry bench's <c>cordon_bench</c>.</summary>
    public const string Database = "cordon_bench_testing";
    /// <summary>A fixed personal-data key: ID numbers hash the same in every run, so a loaded registry can be reused.</summary>
    public const string PersonalDataKey = "Q29yZG9uLWJlbmNoLXBlcnNvbmFsLWRhdGEta2V5ISE=";

    public const int PoolSize = 10;
    public const string CoverageIndex = "IX_PersonResults_AreaCode_SampledAt_ResidentId_Kind";

    public const string Usage = """
        Cordon.Bench testing — a screening round on PostgreSQL through the real cordon host

        Usage: dotnet run -c Release --project bench/Cordon.Bench -- testing [options]

          --residents N             residents of the round, sampled in 10-in-1 pools (default 100000; the issue's city scale: 2000000)
          --clients N               parallel sampling terminals uploading batches (default 4)
          --requests N              untested-list requests per measurement (default 500)
          --coverage-requests N     coverage requests (default 10)
          --without-coverage-index  drop the coverage index of PersonResults before the results (ADR 011 comparison)
          --minutes N               give up after N minutes (default 60)
          --output PATH             Markdown report to update (default docs/benchmarks-testing.md; '-' for none)
          --cordon PATH             the host to run (default src/Cordon/bin/<configuration>/net10.0/cordon.dll)
          --keep                    keep the database cordon_bench_testing afterwards (for EXPLAIN)
          --reuse-load              keep the loaded registry as the template cordon_bench_testing_seed_N and start from a
                                    copy of it when it exists (seconds instead of minutes of 'cordon generate')
          --load-only               with --reuse-load: only load the registry and keep it as the template, measure nothing

        PostgreSQL only: CORDON_BENCH_POSTGRES is an admin connection string (default
        Host=127.0.0.1;Port=5432;Username=cordon;Password=cordon;Database=postgres); the database
        'cordon_bench_testing' is dropped and created afresh.
        """;

    public int Tubes => (Residents + PoolSize - 1) / PoolSize;

    public string SeedTemplate => $"{Database}_seed_{Residents}";

    public static TestingBenchOptions? Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        string[] valued = ["--residents", "--clients", "--requests", "--coverage-requests", "--minutes", "--output", "--cordon"];
        string[] flagNames = ["--without-coverage-index", "--keep", "--reuse-load", "--load-only", "--help", "-h"];
        if (BenchOptions.ReadArguments(args, valued, flagNames, values, flags) is { } error) return Fail(error);
        if (flags.Contains("--help") || flags.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return null;
        }
        // The import endpoint takes at most 200,000 rows: one file, as a lab would send it.
        if (!BenchOptions.TryInt(values, "--residents", 100_000, out var residents) || residents < 1_000 || residents > 2_000_000)
            return Fail("--residents must be between 1000 and 2000000 (one result file holds at most 200,000 tubes).");
        if (!BenchOptions.TryInt(values, "--clients", 4, out var clients) || clients < 1 || clients > 32) return Fail("--clients must be between 1 and 32.");
        if (!BenchOptions.TryInt(values, "--requests", 500, out var requests) || requests < 10) return Fail("--requests must be at least 10.");
        if (!BenchOptions.TryInt(values, "--coverage-requests", 10, out var coverage) || coverage < 1) return Fail("--coverage-requests must be at least 1.");
        if (!BenchOptions.TryInt(values, "--minutes", 60, out var minutes) || minutes < 1 || minutes > 600) return Fail("--minutes must be between 1 and 600.");

        var defaults = BenchOptions.Defaults();
        var cordon = values.GetValueOrDefault("--cordon") ?? defaults.CordonDll;
        if (!File.Exists(cordon)) return Fail($"The host '{cordon}' does not exist: build it (dotnet build -c Release Cordon.slnx) or pass --cordon.");
        var output = values.GetValueOrDefault("--output", Path.Combine(defaults.RepoRoot, "docs", "benchmarks-testing.md"));
        return new TestingBenchOptions(
            residents, clients, requests, coverage, flags.Contains("--without-coverage-index"), TimeSpan.FromMinutes(minutes),
            Environment.GetEnvironmentVariable("CORDON_BENCH_POSTGRES") is { Length: > 0 } admin ? admin : BenchOptions.DefaultPostgresAdmin,
            Path.GetFullPath(cordon), defaults.RepoRoot, output == "-" ? null : Path.GetFullPath(output), flags.Contains("--keep"), flags.Contains("--reuse-load") || flags.Contains("--load-only"), flags.Contains("--load-only"),
            "dotnet run -c Release --project bench/Cordon.Bench -- testing" + (args.Length == 0 ? "" : " " + string.Join(' ', args)));
    }

    private static TestingBenchOptions? Fail(string message)
    {
        Console.Error.WriteLine($"{message}\n\n{Usage}");
        return null;
    }
}
