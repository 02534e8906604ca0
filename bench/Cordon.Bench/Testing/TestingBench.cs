using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Cordon.Features.Demo;
using Cordon.Features.Registry;
using Npgsql;

namespace Cordon.Bench.Testing;

/// <summary>
/// The screening-round scenario of issue 3 on PostgreSQL, through the real <c>cordon serve</c>: a district of N generated
/// residents, a round over all of it, everyone sampled in 10-in-1 pools by sampling terminals uploading batches
/// (<c>POST /api/v1/sampling/batches</c>, several clients), the lab's result file of all tubes imported in one request
/// (<c>POST /api/v1/results/import</c>), then the coverage of the whole round and the untested list of one community.
/// Only the hand-over between sampling and the lab (boxing, dispatch, receipt: a few hundred scans a day per site, not a
/// throughput path) is set up with SQL; it is timed and reported as set-up.
/// </summary>
public static class TestingBench
{
    public const string Begin = "<!-- bench:testing:begin (written by bench/Cordon.Bench testing; edit outside these markers) -->";
    public const string End = "<!-- bench:testing:end -->";
    private const int TubesPerBatch = 2_000;
    private const int TubesPerBox = 500;
    private const int UntestedPage = 50;
    private const string Sampler = "sampler";
    private const string Commander = "commander";
    private const string Worker = "worker";
    private const string LabUser = "lab";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = TestingBenchOptions.Parse(args);
        if (options is null) return args.Contains("--help") || args.Contains("-h") ? 0 : 2;
        using var limit = new CancellationTokenSource(options.TimeLimit);
        var started = DateTimeOffset.UtcNow;
        var bench = BenchOptions.Parse(["--provider", "postgres", "--output", "-", "--cordon", options.CordonDll])!;
        var machine = await Report.MachineAsync(bench);
        Console.WriteLine($"Cordon.Bench testing: {options.Residents:N0} residents in {options.Tubes:N0} tubes of {TestingBenchOptions.PoolSize}; {options.Clients} sampling clients; time limit {options.TimeLimit.TotalMinutes:F0} min");
        Console.WriteLine($"Machine: {machine}");
        var result = new TestingResult { Uptime = new List<string> { $"start: {Uptime()}" } };
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"cordon-bench-testing-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(dataDirectory);
        try
        {
            await RunPhasesAsync(options, dataDirectory, result, limit.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            result.Failure = $"stopped after the time limit of {options.TimeLimit.TotalMinutes:F0} min";
            Console.WriteLine($"  {result.Failure}");
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or NpgsqlException or TimeoutException)
        {
            result.Failure = e.Message;
            Console.WriteLine($"  FAILED: {e}");
        }
        finally
        {
            if (!options.Keep)
            {
                await ProviderRun.RecreatePostgresAsync(options.PostgresAdmin, create: false, TestingBenchOptions.Database);
                Directory.Delete(dataDirectory, recursive: true);
            }
            else Console.WriteLine($"  kept: database {TestingBenchOptions.Database}, {dataDirectory}");
        }
        result.Uptime.Add($"end: {Uptime()}");

        if (options.LoadOnly) return result.Failure is null ? 0 : 1;
        var markdown = Markdown(options, machine, result, started);
        Console.WriteLine();
        Console.WriteLine(markdown);
        if (options.Output is { } output)
        {
            Report.Write(output, markdown, Begin, End);
            Console.WriteLine($"Written to {output}");
        }
        return result.Failure is null ? 0 : 1;
    }

    private static async Task RunPhasesAsync(TestingBenchOptions options, string dataDirectory, TestingResult result, CancellationToken ct)
    {
        var logFile = Path.Combine(dataDirectory, "cordon.log");
        var connectionString = new NpgsqlConnectionStringBuilder(options.PostgresAdmin) { Database = TestingBenchOptions.Database, CommandTimeout = 3600 }.ConnectionString;
        var host = new CordonHost(options.CordonDll,
            ["--Database:Provider=Postgres", $"--Cordon:DataDirectory={dataDirectory}", "--Database:SeedDemoOnStart=false", "--Database:DemoResidents=0",
             $"--Database:ConnectionString={connectionString}", $"--Cordon:PersonalDataKey={TestingBenchOptions.PersonalDataKey}"], logFile);
        Console.WriteLine($"== PostgreSQL: data directory {dataDirectory} (host log: {logFile})");

        // Set-up: the demo district (areas, sites, labs, staff) and the generated residents, as the registry bench does.
        var clock = Stopwatch.StartNew();
        if (options.ReuseLoad && await DatabaseExistsAsync(options.PostgresAdmin, options.SeedTemplate, ct))
        {
            await ProviderRun.RecreatePostgresAsync(options.PostgresAdmin, create: true, TestingBenchOptions.Database, options.SeedTemplate);
            result.Setup.Add(($"copy of the loaded registry {options.SeedTemplate} (--reuse-load)", clock.Elapsed.TotalSeconds));
        }
        else
        {
            await ProviderRun.RecreatePostgresAsync(options.PostgresAdmin, create: true, TestingBenchOptions.Database);
            var seed = await host.RunAsync(["seed-demo", "--residents", "1000"], TimeSpan.FromMinutes(5));
            if (seed.ExitCode != 0) throw new InvalidOperationException($"cordon seed-demo failed ({seed.ExitCode}):\n{seed.Output}");
            var generate = await host.RunAsync(
                ["generate", "--residents", options.Residents.ToString(Inv), "--seed", Workload.Seed.ToString(Inv), "--id-area", Workload.IdArea],
                TimeSpan.FromHours(2));
            if (generate.ExitCode != 0) throw new InvalidOperationException($"cordon generate failed ({generate.ExitCode}):\n{generate.Output}");
            await using (var vacuum = new NpgsqlConnection(connectionString))
            {
                await vacuum.OpenAsync(ct);
                await ExecuteAsync(vacuum, """VACUUM (ANALYZE) "Residents" """, ct);
            }
            result.Setup.Add(("seed-demo, `cordon generate` and VACUUM (ANALYZE)", clock.Elapsed.TotalSeconds));
            if (options.ReuseLoad)
            {
                NpgsqlConnection.ClearAllPools();
                await ProviderRun.RecreatePostgresAsync(options.PostgresAdmin, create: true, options.SeedTemplate, TestingBenchOptions.Database);
                Console.WriteLine($"  kept the loaded registry as {options.SeedTemplate} for --reuse-load");
            }
        }
        Console.WriteLine($"  set-up: {options.Residents:N0} residents in {clock.Elapsed.TotalSeconds:F1} s");
        if (options.LoadOnly) return;
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync(ct);

        // Everyone generated, in the generator's order (building by building): the ID numbers a sampler types for people
        // without a phone. Replayed from the deterministic generator, as the registry bench does.
        var buildings = DemoDistrict.Areas().Where(a => a.Level == AreaLevel.Building).Select(a => a.Code).Order(StringComparer.Ordinal).ToArray();
        var idNumbers = DemoDistrict.Residents(options.Residents, buildings, Workload.Seed, Workload.IdArea).Select(r => r.IdNumber).ToArray();
        var community = DemoDistrict.Accounts.Single(a => a.UserName == Worker).JurisdictionCode;

        await using var server = await host.StartServerAsync(TimeSpan.FromMinutes(3));
        Console.WriteLine($"  serving at {server.BaseAddress} (pid {server.ProcessId})");
        using var http = new Http(server.BaseAddress, options.Clients);
        foreach (var user in new[] { Sampler, Commander, Worker, LabUser }) await http.SignInAsync(user, ct);

        var siteId = (await http.GetJsonAsync(Sampler, "/api/v1/sampling/sites", ct)).EnumerateArray().Min(s => s.GetProperty("id").GetInt32());
        var labId = (await http.GetJsonAsync(LabUser, "/api/v1/labs", ct)).EnumerateArray().Min(l => l.GetProperty("id").GetInt32());
        var now = DateTimeOffset.UtcNow;
        var round = await http.PostJsonAsync(Commander, "/api/v1/rounds",
            new { name = $"全区筛查 {options.Residents:N0}", areaCodes = new[] { DemoDistrict.DistrictCode }, startsAt = now.AddHours(-1), endsAt = now.AddDays(2) }, ct);
        var roundId = round.GetProperty("id").GetInt32();

        // (d, before) The untested list while nobody is sampled yet: full pages.
        result.Latency.Add(await MeasureUntestedAsync(http, roundId, community, options.Requests, "before sampling (everyone untested)", ct));

        // (a) Sampling: batches of 2,000 tubes of 10 from several terminals at once.
        var runTag = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var batches = idNumbers.Chunk(TestingBenchOptions.PoolSize).Select((codes, i) => (Barcode: $"BENCH{runTag}-{i:D7}", Codes: codes))
            .Chunk(TubesPerBatch).ToArray();
        Console.WriteLine($"  sampling: {batches.Length} batches of up to {TubesPerBatch} tubes from {options.Clients} clients ...");
        result.Uptime.Add($"before sampling: {Uptime()}");
        var next = -1;
        var batchTimes = new List<double>();
        clock.Restart();
        await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var b && b < batches.Length)
            {
                var body = new { siteId, tubes = batches[b].Select(t => new { barcode = t.Barcode, poolSize = TestingBenchOptions.PoolSize, codes = t.Codes }) };
                var sent = Stopwatch.StartNew();
                var report = await http.PostJsonAsync(Sampler, "/api/v1/sampling/batches", body, ct);
                lock (batchTimes) batchTimes.Add(sent.Elapsed.TotalMilliseconds);
                if (report.GetProperty("created").GetInt32() != batches[b].Length)
                    throw new InvalidOperationException($"Batch {b} created {report.GetProperty("created")} tubes instead of {batches[b].Length}.");
            }
        }));
        result.SamplingSeconds = clock.Elapsed.TotalSeconds;
        result.BatchMs = batchTimes;
        Console.WriteLine($"  sampled {options.Residents:N0} persons in {result.SamplingSeconds:F1} s: {options.Residents / result.SamplingSeconds:N0} persons/s");
        result.Uptime.Add($"after sampling: {Uptime()}");

        // Set-up: boxes of 500 tubes, dispatched to and received by the lab (what the lab console's box scan does).
        clock.Restart();
        await ExecuteAsync(db, $"""
            INSERT INTO "TransportBoxes" ("Code", "SiteId", "LabId", "Status", "CreatedAt", "DispatchedAt", "DispatchedBy", "Courier", "ReceivedAt", "ReceivedBy")
            SELECT 'BOX{runTag}-' || g, {siteId}, {labId}, 3, now(), now(), '{Sampler}', 'bench', now(), '{LabUser}'
            FROM generate_series(0, {(options.Tubes - 1) / TubesPerBox}) AS g
            """, ct);
        await ExecuteAsync(db, $"""
            UPDATE "Tubes" AS t SET "BoxId" = b."Id", "Status" = 5, "BoxedAt" = now(), "DispatchedAt" = now(), "ReceivedAt" = now()
            FROM "TransportBoxes" AS b
            WHERE t."Barcode" LIKE 'BENCH{runTag}-%' AND b."Code" = 'BOX{runTag}-' || (substr(t."Barcode", {runTag.Length + 7})::int / {TubesPerBox})
            """, ct);
        await ExecuteAsync(db, """VACUUM (ANALYZE) "Tubes", "TubeMembers" """, ct);
        if (options.WithoutCoverageIndex) await ExecuteAsync(db, $"""DROP INDEX "{TestingBenchOptions.CoverageIndex}" """, ct);
        result.Setup.Add(("boxes dispatched and received (SQL)" + (options.WithoutCoverageIndex ? $", {TestingBenchOptions.CoverageIndex} dropped" : ""), clock.Elapsed.TotalSeconds));

        // (b) The lab's result file: every tube, one pool in a thousand positive.
        var csv = new StringBuilder("barcode,result,ct\n");
        var positives = 0;
        foreach (var (barcode, i) in batches.SelectMany(b => b).Select((t, i) => (t.Barcode, i)))
        {
            if (i % 1000 == 999) { csv.Append(barcode).Append(",positive,31.5\n"); positives++; }
            else csv.Append(barcode).Append(",negative,\n");
        }
        var file = Encoding.UTF8.GetBytes(csv.ToString());
        Console.WriteLine($"  result file: {options.Tubes:N0} rows, {file.Length / 1024.0 / 1024.0:F1} MB; importing ...");
        result.Uptime.Add($"before the import: {Uptime()}");
        clock.Restart();
        var import = await http.PostFileAsync(LabUser, $"/api/v1/results/import?labId={labId}", file, "results.csv", ct);
        result.ImportSeconds = clock.Elapsed.TotalSeconds;
        result.ImportServerSeconds = import.GetProperty("seconds").GetDouble();
        result.PersonResults = import.GetProperty("personResults").GetInt32();
        result.RetestOrders = import.GetProperty("retestOrders").GetInt32();
        if (import.GetProperty("applied").GetInt32() != options.Tubes)
            throw new InvalidOperationException($"The import applied {import.GetProperty("applied")} of {options.Tubes} tubes: {import}");
        result.Uptime.Add($"after the import: {Uptime()}");
        // Visible: the import answers after its commit; count what a resident's page reads.
        result.VisibleResults = await ScalarAsync(db, $"""
            SELECT count(*) FROM "PersonResults" AS p JOIN "Tubes" AS t ON t."Id" = p."TubeId" WHERE t."Barcode" LIKE 'BENCH{runTag}-%'
            """, ct);
        Console.WriteLine($"  imported in {result.ImportSeconds:F1} s ({result.ImportServerSeconds:F1} s in the host): {result.PersonResults:N0} person results ({result.VisibleResults:N0} visible), {result.RetestOrders:N0} retest orders");
        await ExecuteAsync(db, """ANALYZE "PersonResults" """, ct);

        // (c) Coverage of the whole round, then (d) the untested list again, now that almost everyone is sampled.
        result.Latency.Add(await MeasureAsync(http, "coverage of the whole round", Commander, options.CoverageRequests, 1, _ => $"/api/v1/rounds/{roundId}/coverage", ct));
        result.Latency.Add(await MeasureAsync(http, "coverage of one street (drill-down)", Commander, options.CoverageRequests, 1,
            _ => $"/api/v1/rounds/{roundId}/coverage?parent={community[..9]}", ct));
        result.Latency.Add(await MeasureUntestedAsync(http, roundId, community, options.Requests, "after the results (almost everyone sampled)", ct));
        result.Required = await ScalarAsync(db, $"""SELECT count(*) FROM "Residents" WHERE "AreaCode" LIKE '{DemoDistrict.DistrictCode}%'""", ct);
        result.Uptime.Add($"after the queries: {Uptime()}");
    }

    /// <summary>The untested list of one community as its community worker pages through it: page 1, then the next pages by cursor, up to page 5.</summary>
    private static async Task<LatencyRow> MeasureUntestedAsync(Http http, int roundId, string community, int requests, string when, CancellationToken ct)
    {
        var first = $"/api/v1/rounds/{roundId}/untested?area={community}&limit={UntestedPage}";
        var paths = new List<string> { first };
        var cursor = (await http.GetJsonAsync(Worker, first, ct)).GetProperty("nextCursor");
        while (paths.Count < 5 && cursor.ValueKind == JsonValueKind.String)
        {
            var path = $"{first}&after={Uri.EscapeDataString(cursor.GetString()!)}";
            paths.Add(path);
            cursor = (await http.GetJsonAsync(Worker, path, ct)).GetProperty("nextCursor");
        }
        return await MeasureAsync(http, $"untested list of community {community}, pages 1–{paths.Count}, {when}", Worker, requests, Math.Max(10, requests / 10), i => paths[i % paths.Count], ct);
    }

    private static async Task<LatencyRow> MeasureAsync(Http http, string name, string user, int requests, int warmUp, Func<int, string> path, CancellationToken ct)
    {
        var items = 0L;
        for (var i = 0; i < warmUp; i++) await http.GetJsonAsync(user, path(i), ct);
        var times = new List<double>(requests);
        for (var i = 0; i < requests; i++)
        {
            var sent = Stopwatch.StartNew();
            var json = await http.GetJsonAsync(user, path(i), ct);
            times.Add(sent.Elapsed.TotalMilliseconds);
            items += json.TryGetProperty("items", out var list) ? list.GetArrayLength() : json.TryGetProperty("rows", out var rows) ? rows.GetArrayLength() : 0;
        }
        var row = new LatencyRow(name, user, requests, Percentile(times, 50), Percentile(times, 99), times.Max(), (double)items / requests);
        Console.WriteLine($"  {name}: p50 {row.P50:F1} ms, p99 {row.P99:F1} ms, max {row.Max:F1} ms, {row.ItemsPerResponse:F1} rows/response");
        return row;
    }

    internal static double Percentile(IReadOnlyList<double> values, double percent)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private static async Task<bool> DatabaseExistsAsync(string admin, string database, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = @name", connection);
        command.Parameters.AddWithValue("name", database);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), Inv) > 0;
    }

    private static async Task ExecuteAsync(NpgsqlConnection db, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, db);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection db, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, db);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), Inv);
    }

    private static string Uptime() =>
        File.Exists("/proc/loadavg") ? "load average " + string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "n/a";

    private static string Markdown(TestingBenchOptions options, string machine, TestingResult r, DateTimeOffset started)
    {
        var md = new StringBuilder();
        md.AppendLine(Inv, $"## Results: screening round over {options.Residents:N0} residents ({options.Tubes:N0} tubes of {TestingBenchOptions.PoolSize}){(options.WithoutCoverageIndex ? $", without {TestingBenchOptions.CoverageIndex}" : "")}");
        md.AppendLine();
        md.AppendLine(Inv, $"- Date: {started:yyyy-MM-dd HH:mm} UTC, commit {Report.GitCommit(options.RepoRoot)}");
        md.AppendLine(Inv, $"- Machine: {machine}");
        md.AppendLine("- The benchmark client, the `cordon` host (Release build, Production environment) and PostgreSQL share this machine, and other work ran on it at the same time: the figures are pessimistic.");
        md.AppendLine(Inv, $"- Machine load (`/proc/loadavg`, 1, 5, 15 min): {string.Join("; ", r.Uptime)}");
        md.AppendLine(Inv, $"- Command: `{options.CommandLine}`");
        if (r.Failure is not null) md.AppendLine(Inv, $"- **Incomplete run**: {r.Failure}");
        md.AppendLine();
        md.AppendLine("| Target (issue 3) | Measured | Met |");
        md.AppendLine("|---|---|---|");
        if (r.SamplingSeconds is { } sampling)
        {
            var rate = options.Residents / sampling;
            md.AppendLine(Inv, $"| (a) ≥ 20,000 sampled persons/s through `POST /api/v1/sampling/batches` | **{rate:N0} persons/s** ({options.Residents:N0} persons in {sampling:F1} s, {options.Clients} clients, batches of {TubesPerBatch:N0} tubes; per batch p50 {Percentile(r.BatchMs, 50):N0} ms, max {r.BatchMs.Max():N0} ms) | {Met(rate >= 20_000)} |");
        }
        if (r.ImportSeconds is { } import)
            md.AppendLine(Inv, $"| (b) {options.Tubes:N0} tube results applied in < 60 s (`POST /api/v1/results/import`, file → all members' results visible) | **{import:F1} s** ({r.ImportServerSeconds:F1} s inside the host; {r.PersonResults:N0} person results, {r.VisibleResults:N0} visible after the answer; {r.RetestOrders:N0} retest orders) | {Met(import < 60)} |");
        // (c) before (d), whatever order they were measured in.
        foreach (var row in r.Latency.OrderBy(row => row.Name.StartsWith("untested", StringComparison.Ordinal)))
        {
            var target = row.Name.StartsWith("coverage of the whole", StringComparison.Ordinal) ? $"(c) coverage < 2 s: worst of {row.Requests}" :
                row.Name.StartsWith("untested", StringComparison.Ordinal) ? "(d) untested list p99 < 100 ms" : "for information";
            var worst = target.StartsWith("(c)", StringComparison.Ordinal) ? row.Max : row.P99;
            var met = target.StartsWith("(c)", StringComparison.Ordinal) ? Met(row.Max < 2_000) : target.StartsWith("(d)", StringComparison.Ordinal) ? Met(row.P99 < 100) : "";
            md.AppendLine(Inv, $"| {target}: {row.Name} | **{worst:N1} ms** (p50 {row.P50:N1}, p99 {row.P99:N1}, max {row.Max:N1} ms over {row.Requests} requests as `{row.User}`, {row.ItemsPerResponse:F1} rows each) | {met} |");
        }
        md.AppendLine();
        md.AppendLine(Inv, $"Round: {r.Required:N0} required residents (the generated ones and the demo district's 1,000). Set-up, not measured: {string.Join("; ", r.Setup.Select(s => $"{s.What} {s.Seconds:F1} s"))}.");
        return md.ToString();
    }

    private static string Met(bool met) => met ? "yes" : "**no**";

    private sealed record LatencyRow(string Name, string User, int Requests, double P50, double P99, double Max, double ItemsPerResponse);

    private sealed class TestingResult
    {
        public required List<string> Uptime { get; init; }
        public List<(string What, double Seconds)> Setup { get; } = [];
        public List<LatencyRow> Latency { get; } = [];
        public double? SamplingSeconds { get; set; }
        public List<double> BatchMs { get; set; } = [];
        public double? ImportSeconds { get; set; }
        public double ImportServerSeconds { get; set; }
        public int PersonResults { get; set; }
        public int RetestOrders { get; set; }
        public long VisibleResults { get; set; }
        public long Required { get; set; }
        public string? Failure { get; set; }
    }

    /// <summary>Bearer-token clients per demo user over one keep-alive connection pool; every non-2xx answer throws with its body.</summary>
    private sealed class Http : IDisposable
    {
        private readonly SocketsHttpHandler handler;
        private readonly HttpClient client;
        private readonly Dictionary<string, string> tokens = [];

        public Http(Uri baseAddress, int clients)
        {
            handler = new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan, MaxConnectionsPerServer = clients + 2, UseCookies = false };
            client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(15) };
        }

        public async Task SignInAsync(string user, CancellationToken ct)
        {
            using var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { userName = user, password = DemoDistrict.Password }, ct);
            tokens[user] = (await ReadAsync(response, ct)).GetProperty("accessToken").GetString()!;
        }

        public Task<JsonElement> GetJsonAsync(string user, string path, CancellationToken ct) => SendAsync(user, HttpMethod.Get, path, null, ct);

        public Task<JsonElement> PostJsonAsync(string user, string path, object body, CancellationToken ct) =>
            SendAsync(user, HttpMethod.Post, path, JsonContent.Create(body), ct);

        public Task<JsonElement> PostFileAsync(string user, string path, byte[] file, string name, CancellationToken ct)
        {
            var content = new MultipartFormDataContent();
            var part = new ByteArrayContent(file);
            part.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            content.Add(part, "file", name);
            return SendAsync(user, HttpMethod.Post, path, content, ct);
        }

        private async Task<JsonElement> SendAsync(string user, HttpMethod method, string path, HttpContent? content, CancellationToken ct)
        {
            using var request = new HttpRequestMessage(method, path) { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[user]);
            using var response = await client.SendAsync(request, ct);
            return await ReadAsync(response, ct);
        }

        private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken ct)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException($"{(int)response.StatusCode} {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: {text[..Math.Min(text.Length, 2000)]}", null, response.StatusCode);
            using var json = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
            return json.RootElement.Clone();
        }

        public void Dispose()
        {
            client.Dispose();
            handler.Dispose();
        }
    }
}
