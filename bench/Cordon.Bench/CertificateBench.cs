using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cordon.Features.Certificates;

namespace Cordon.Bench;

/// <summary>
/// <c>Cordon.Bench certificates [--seconds S]</c>: EU DCC certificate issuance and verification rates in-process
/// (ES256 and PS256), single-threaded and on every core. Bounded in time; no server, no database.
/// </summary>
public static class CertificateBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (Array.IndexOf(args, "--lines") is var at and >= 0 && at + 1 < args.Length)
            return Lines(int.Parse(args[at + 1], CultureInfo.InvariantCulture));
        var index = Array.IndexOf(args, "--seconds");
        var seconds = index >= 0 && index + 1 < args.Length ? double.Parse(args[index + 1], CultureInfo.InvariantCulture) : 3;
        var duration = TimeSpan.FromSeconds(Math.Clamp(seconds, 0.5, 30));
        Console.WriteLine($"Certificates in-process, {duration.TotalSeconds:F1} s per figure, {Environment.ProcessorCount} cores; load {await LoadAsync()}");
        Console.WriteLine("| operation | algorithm | threads | per second | QR length |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsa = RSA.Create(2048);
        foreach (var (name, key, certificate) in new[]
        {
            ("ES256", (AsymmetricAlgorithm)ec, new CertificateRequest("CN=Bench ES256", ec, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1))),
            ("PS256", rsa, new CertificateRequest("CN=Bench PS256", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pss).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1))),
        })
        {
            var publicOnly = X509CertificateLoader.LoadCertificate(certificate.RawData);
            var trust = new DccTrustList([publicOnly]);
            var kid = CoseSign1Message.KeyIdOf(publicOnly);
            var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            string Issue() => Hcert.Issue(Hcert.Claims("CN", now, now.AddHours(72), Test().Payload()), key, kid);
            var qr = Issue();
            if (!DccVerifier.Verify(qr, trust, now.AddMinutes(1)).Valid) throw new InvalidOperationException("The bench certificate does not verify.");
            Row("issue", name, 1, Rate(duration, 1, () => Issue()), qr.Length);
            Row("verify", name, 1, Rate(duration, 1, () => DccVerifier.Verify(qr, trust, now.AddMinutes(1))), qr.Length);
            Row("verify", name, Environment.ProcessorCount, Rate(duration, Environment.ProcessorCount, () => DccVerifier.Verify(qr, trust, now.AddMinutes(1))), qr.Length);
            var tampered = qr[..^2] + (qr[^2] == '0' ? "1" : "0") + qr[^1];
            Row("verify, tampered text", name, 1, Rate(duration, 1, () => DccVerifier.Verify(tampered, trust, now.AddMinutes(1))), tampered.Length);
        }
        return 0;
    }

    /// <summary>Input for <c>cordon certificate verify</c>: N JSON lines, each with its own ES256 certificate and the trust list.</summary>
    private static int Lines(int count)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=Bench ES256", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var trust = Convert.ToBase64String(certificate.RawData);
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        for (var i = 0; i < Math.Clamp(count, 1, 1_000_000); i++)
        {
            var qr = Hcert.Issue(Hcert.Claims("CN", now, now.AddHours(72), Test().Payload()), key, CoseSign1Message.KeyIdOf(certificate));
            Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { qr, trust = new[] { trust } }));
        }
        return 0;
    }

    private static DccTest Test() => new(NameTransliteration.Of("欧阳娜娜"), new DateOnly(1990, 3, 7), DateTime.UtcNow.AddHours(-6), "示范区人民医院采样点", "CN",
        "Cordon Demo City Health Commission", DccTest.NewCertificateId("CN"));

    private static double Rate(TimeSpan duration, int threads, Action work)
    {
        for (var i = 0; i < 50; i++) work(); // warm-up
        long total = 0;
        var clock = Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            long count = 0;
            while (clock.Elapsed < duration)
            {
                work();
                count++;
            }
            Interlocked.Add(ref total, count);
        });
        return total / clock.Elapsed.TotalSeconds;
    }

    private static void Row(string operation, string algorithm, int threads, double rate, int length) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {operation} | {algorithm} | {threads} | {rate:N0} | {length} |"));

    private static async Task<string> LoadAsync() =>
        File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg")).Trim() : "n/a";
}
