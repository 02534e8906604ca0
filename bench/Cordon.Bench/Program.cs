using System.Diagnostics;
using Cordon.Bench;

// Scenario runner, not a unit test: it loads a synthetic registry with the real 'cordon generate' and measures the
// real 'cordon serve' over HTTP. Timing targets are reported here, never asserted in tests.
if (args.FirstOrDefault() == "health") return await HealthBench.RunAsync(args[1..]);
if (args.FirstOrDefault() == "passes") return await PassBench.RunAsync(args[1..]);
if (args.FirstOrDefault() == "lookup") return await LookupBench.RunAsync(args[1..]);
if (args is ["testing", ..]) return await Cordon.Bench.Testing.TestingBench.RunAsync(args[1..]);
if (args.FirstOrDefault() == "certificates") return await CertificateBench.RunAsync(args[1..]);
if (args.FirstOrDefault() == "scans") return await ScanBench.RunAsync(args[1..]);
if (args.FirstOrDefault() == "scanbatch") return await ScanBatchBench.RunAsync(args[1..]);
var options = BenchOptions.Parse(args);
if (options is null) return args.Contains("--help") || args.Contains("-h") ? 0 : 2;

var started = DateTimeOffset.UtcNow;
var machine = await Report.MachineAsync(options);
Console.WriteLine($"Cordon.Bench: {options.Residents:N0} residents, providers {string.Join(", ", options.Providers)}; host {options.CordonDll}");
Console.WriteLine($"Machine: {machine}");

var clock = Stopwatch.StartNew();
var workload = Workload.Build(options.Residents);
Console.WriteLine($"Workload replayed from the generator in {clock.Elapsed.TotalSeconds:F1} s: surnames {string.Join(" ", workload.Surnames)}; two-character prefixes {string.Join(" ", workload.TwoCharPrefixes)}; {workload.IdNumbers.Count} ID numbers (+{workload.WorkerIdNumbers.Count} in {workload.WorkerJurisdiction})");

var results = new List<ProviderResult>();
foreach (var provider in options.Providers)
{
    results.Add(await ProviderRun.RunAsync(provider, options, workload));
}

var markdown = Report.Markdown(options, machine, results, started);
Console.WriteLine();
Console.WriteLine(markdown);
if (options.Output is { } output)
{
    Report.Write(output, markdown);
    Console.WriteLine($"Written to {output}");
}
Console.WriteLine($"Total {clock.Elapsed.TotalMinutes:F1} min");
return 0;
