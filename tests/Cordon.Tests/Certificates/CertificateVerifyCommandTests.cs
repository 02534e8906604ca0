using System.Diagnostics;
using System.Text.Json;
using Cordon.Features.Certificates;
using static Cordon.Tests.Certificates.DccVectors;

namespace Cordon.Tests.Certificates;

/// <summary><c>cordon certificate verify</c>: one JSON line in, one JSON line out, in order; broken lines answered, never fatal.</summary>
public sealed class CertificateVerifyCommandTests : IDisposable
{
    private readonly DccSigner _signer = DccSigner.Ecdsa();
    private readonly DccSigner _other = DccSigner.Rsa();

    public void Dispose()
    {
        _signer.Dispose();
        _other.Dispose();
    }

    private string[] Lines() =>
    [
        Line(new { qr = Qr(_signer), trust = new[] { _signer.Der }, at = "2026-11-20T03:00:00Z" }),
        Line(new { qr = Qr(_signer), trust = new[] { _signer.Der }, at = "2026-11-24T00:00:00+08:00" }),
        Line(new { qr = Qr(_other), trust = new[] { _signer.Der }, at = "2026-11-20T03:00:00Z" }),
        "this is not json",
        Line(new { qr = "HC1:ABCD", trust = new[] { _signer.Der } }),
        "",
        Line(new { qr = Qr(_signer), trust = new[] { "not base64!" }, at = "2026-11-20T03:00:00Z" }),
        Line(new { qr = Qr(_signer), trust = new[] { _signer.Der }, at = "yesterday" }),
        Line(new { qr = Qr(_other) }),
        Line(new { trust = new[] { _signer.Der } }),
    ];

    private static string Line(object value) => JsonSerializer.Serialize(value);

    private static void ShouldMatch(string[] output)
    {
        var results = output.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        results.Count.ShouldBe(9); // the blank line is not an input
        string Stage(int i) => results[i].GetProperty("stage").GetString()!;
        bool Valid(int i) => results[i].GetProperty("valid").GetBoolean();
        (Valid(0), Stage(0)).ShouldBe((true, "ok"));
        results[0].GetProperty("content").GetProperty("result").GetString()!.ShouldBe("not detected");
        results[0].GetProperty("content").GetProperty("maskedName").GetString()!.ShouldBe("张*丰");
        (Valid(1), Stage(1)).ShouldBe((false, "expiry"));
        results[1].GetProperty("content").GetProperty("kind").GetString()!.ShouldBe("test");
        (Valid(2), Stage(2)).ShouldBe((false, "signature"));
        results[2].GetProperty("content").ValueKind.ShouldBe(JsonValueKind.Null);
        (Valid(3), Stage(3)).ShouldBe((false, "prefix"));
        results[3].GetProperty("reason").GetString()!.ShouldBe("line 4 is not a JSON object");
        (Valid(4), Stage(4)).ShouldBe((false, "base45"));
        (Valid(5), Stage(5)).ShouldBe((false, "signature"));
        results[5].GetProperty("reason").GetString()!.ShouldContain("trust[0]");
        (Valid(6), Stage(6)).ShouldBe((false, "expiry"));
        results[6].GetProperty("reason").GetString()!.ShouldContain("ISO-8601");
        (Valid(7), Stage(7)).ShouldBe((false, "signature")); // the configured trust list does not hold the other signer
        (Valid(8), Stage(8)).ShouldBe((false, "prefix"));
        foreach (var result in results) result.EnumerateObject().Select(p => p.Name).ShouldBe(["valid", "stage", "reason", "content"]);
    }

    [Fact]
    public async Task Each_input_line_gets_its_own_output_line_in_order()
    {
        var output = new StringWriter();
        var configuredReads = 0;

        await CertificateVerifyCommand.RunAsync(new StringReader(string.Join('\n', Lines())), output,
            () => { configuredReads++; return Task.FromResult(_signer.Trust); }, TimeProvider.System);

        ShouldMatch(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        configuredReads.ShouldBe(1); // read once, and only for the line without its own trust list
    }

    [Fact]
    public async Task Lines_that_bring_their_trust_list_never_read_the_configured_one()
    {
        var output = new StringWriter();

        await CertificateVerifyCommand.RunAsync(new StringReader(Lines()[0] + "\n" + Lines()[2]), output,
            () => throw new InvalidOperationException("no database here"), TimeProvider.System);

        output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(2);
    }

    [Fact]
    public async Task The_real_command_verifies_lines_from_standard_input_without_a_database()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "cordon.dll");
        Skip.IfNot(File.Exists(dll), "cordon.dll is not beside the tests");
        var data = Directory.CreateTempSubdirectory("cordon-cli-").FullName;
        // The configured trust list lives in the database: point it at one that cannot open, so only lines with a trust list can pass.
        var start = new ProcessStartInfo("dotnet", [dll, "certificate", "verify", $"--Cordon:DataDirectory={data}", "--Database:Provider=Postgres",
            "--Database:ConnectionString=Host=127.0.0.1;Port=1;Username=none;Password=none;Database=none;Timeout=2", "--Logging:LogLevel:Default=None"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        foreach (var line in Lines()) await process.StandardInput.WriteLineAsync(line);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        process.ExitCode.ShouldBe(0, await stderr);
        var output = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var results = output.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        results.Count.ShouldBe(9);
        results[0].GetProperty("valid").GetBoolean().ShouldBeTrue();
        results[7].GetProperty("reason").GetString()!.ShouldContain("configured one could not be read");
        Directory.Delete(data, recursive: true);
    }
}

public class CertificateCommandLineTests
{
    [Theory]
    [InlineData(new[] { "certificate", "verify" }, "certificate verify")]
    [InlineData(new[] { "certificate", "verify", "--Database:Provider=Postgres" }, "certificate verify")]
    [InlineData(new[] { "certificate", "issue" }, "unknown:certificate issue")]
    [InlineData(new[] { "certificate" }, "unknown:certificate")]
    public void Certificate_takes_its_sub_command_as_part_of_its_name(string[] args, string name) =>
        Cordon.Infrastructure.Cli.CordonCommand.Parse(args).Name.ShouldBe(name);

    [Fact]
    public void The_help_describes_the_verify_contract() =>
        Cordon.Infrastructure.Cli.CordonCommand.Help.ShouldContain("  certificate verify ");
}

public class CertificateCommandOutputTests
{
    [Fact]
    public void Verify_sends_its_logs_to_standard_error_so_that_standard_output_holds_only_results()
    {
        var command = Cordon.Infrastructure.Cli.CordonCommand.Parse(["certificate", "verify", "--Database:Provider=Postgres"]);

        command.HostArgs.ShouldBe(["--Logging:Console:LogToStandardErrorThreshold=Trace", "--Database:Provider=Postgres"]);
    }
}
