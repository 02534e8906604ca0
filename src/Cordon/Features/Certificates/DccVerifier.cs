using System.Formats.Cbor;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Serialization;
using Cordon.Features.Registry;

namespace Cordon.Features.Certificates;

/// <summary>The stage a verification reached: the first that failed, or <c>ok</c>.</summary>
public static class DccStage
{
    public const string Prefix = "prefix";
    public const string Base45 = "base45";
    public const string Zlib = "zlib";
    public const string Cose = "cose";
    public const string Signature = "signature";
    public const string Claims = "claims";
    public const string Expiry = "expiry";
    public const string Ok = "ok";
}

/// <summary>
/// What an authentic certificate says, reported apart from its validity; the name is masked. Fields of other kinds
/// stay null.
/// </summary>
public sealed record DccContent(
    string Kind,
    string MaskedName,
    string? Issuer,
    string? Country,
    string? CertificateId,
    string IssuingCountry,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TestType = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TestName = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Result = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SampleTime = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TestingCentre = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Dose = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? VaccinationDate = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FirstPositive = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ValidFrom = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ValidUntil = null);

/// <summary>The answer of the verifier: <c>valid</c> means authentic and within its validity period at the instant asked about, whatever the content.</summary>
public sealed record DccVerification(bool Valid, string Stage, string Reason, DccContent? Content)
{
    public static DccVerification Fail(string stage, string reason, DccContent? content = null) => new(false, stage, reason, content);
}

/// <summary>The X.509 signer certificates a verifier trusts, found by their DCC key id.</summary>
public sealed class DccTrustList
{
    private readonly ILookup<string, X509Certificate2> _byKid;

    public DccTrustList(IEnumerable<X509Certificate2> certificates)
    {
        Certificates = certificates.ToList();
        _byKid = Certificates.ToLookup(c => Convert.ToBase64String(CoseSign1Message.KeyIdOf(c)));
    }

    public IReadOnlyList<X509Certificate2> Certificates { get; }

    public IEnumerable<X509Certificate2> Find(byte[] keyId) => _byKid[Convert.ToBase64String(keyId)];

    /// <summary>A trust list from base64 DER certificates; the reason when one of them is not a certificate.</summary>
    public static DccTrustList? TryParse(IEnumerable<string> base64Der, out string reason)
    {
        var certificates = new List<X509Certificate2>();
        var index = 0;
        foreach (var text in base64Der)
        {
            try
            {
                certificates.Add(X509CertificateLoader.LoadCertificate(Convert.FromBase64String(text)));
            }
            catch (Exception e) when (e is FormatException or CryptographicException)
            {
                reason = $"trust[{index}] is not a base64 DER X.509 certificate";
                return null;
            }
            index++;
        }
        reason = "";
        return new DccTrustList(certificates);
    }
}

/// <summary>
/// Verifies an EU DCC QR text ("HC1:…") step by step — prefix, Base45, zlib, COSE_Sign1, signature by a trusted
/// signer, CWT claims, validity at an instant — and stops at the first step that fails, saying which and why.
/// Pure: no clock, no database, no network.
/// </summary>
public static class DccVerifier
{
    /// <summary>Longer texts are refused before decoding (a QR code holds at most 4,296 alphanumeric characters).</summary>
    public const int MaxTextLength = 8_192;
    /// <summary>A decompressed certificate larger than this is refused (a zlib bomb must not exhaust memory).</summary>
    public const int MaxDecompressedBytes = 64 * 1024;

    public static DccVerification Verify(string? qr, DccTrustList trust, DateTimeOffset at)
    {
        if (string.IsNullOrEmpty(qr)) return DccVerification.Fail(DccStage.Prefix, "empty input");
        qr = qr.Trim();
        if (!qr.StartsWith(Hcert.Prefix, StringComparison.Ordinal)) return DccVerification.Fail(DccStage.Prefix, "the text does not start with HC1:");
        if (qr.Length > MaxTextLength) return DccVerification.Fail(DccStage.Base45, $"longer than {MaxTextLength} characters");
        if (Base45.TryDecode(qr.AsSpan(Hcert.Prefix.Length)) is not { } compressed)
            return DccVerification.Fail(DccStage.Base45, "not valid Base45");
        if (Decompress(compressed, out var zlibReason) is not { } coseBytes) return DccVerification.Fail(DccStage.Zlib, zlibReason);
        if (CoseSign1Message.TryDecode(coseBytes, out var coseReason) is not { } message) return DccVerification.Fail(DccStage.Cose, coseReason);
        if (message.KeyId is not { Length: > 0 } kid) return DccVerification.Fail(DccStage.Cose, "no key id (kid) in the headers");

        var candidates = trust.Find(kid).ToList();
        var kidText = Convert.ToBase64String(kid);
        if (candidates.Count == 0) return DccVerification.Fail(DccStage.Signature, $"signer {kidText} is not in the trust list");
        X509Certificate2? signer;
        try
        {
            signer = candidates.FirstOrDefault(message.VerifyWith);
        }
        catch (CryptographicException)
        {
            signer = null;
        }
        if (signer is null) return DccVerification.Fail(DccStage.Signature, $"the signature does not match signer {kidText}");

        if (ReadClaims(message.Payload, out var claimsReason) is not { } claims) return DccVerification.Fail(DccStage.Claims, claimsReason);
        if (claims.IssuedAt < new DateTimeOffset(signer.NotBefore.ToUniversalTime()) || claims.IssuedAt > new DateTimeOffset(signer.NotAfter.ToUniversalTime()))
            return DccVerification.Fail(DccStage.Signature, $"signer {kidText} was not valid when the certificate was issued");
        if (!MaySign(signer, claims.Content.Kind))
            return DccVerification.Fail(DccStage.Signature, $"signer {kidText} may not sign {claims.Content.Kind} certificates (extended key usage)");
        if (at < claims.IssuedAt)
            return DccVerification.Fail(DccStage.Expiry, $"not valid before {Text(claims.IssuedAt)}", claims.Content);
        if (at >= claims.ExpiresAt)
            return DccVerification.Fail(DccStage.Expiry, $"expired at {Text(claims.ExpiresAt)}", claims.Content);
        return new DccVerification(true, DccStage.Ok, $"authentic, signed by {kidText}, valid until {Text(claims.ExpiresAt)}", claims.Content);
    }

    // The DCC extended key usages: a signer certificate that names any of them may sign only those kinds.
    private static readonly Dictionary<string, string> KindUsages = new()
    {
        ["1.3.6.1.4.1.1847.2021.1.1"] = "test",
        ["1.3.6.1.4.1.1847.2021.1.2"] = "vaccination",
        ["1.3.6.1.4.1.1847.2021.1.3"] = "recovery",
        ["1.3.6.1.4.1.0.1847.2021.1.1"] = "test",
        ["1.3.6.1.4.1.0.1847.2021.1.2"] = "vaccination",
        ["1.3.6.1.4.1.0.1847.2021.1.3"] = "recovery",
    };

    private static bool MaySign(X509Certificate2 signer, string kind)
    {
        var usages = signer.Extensions.OfType<X509EnhancedKeyUsageExtension>()
            .SelectMany(e => e.EnhancedKeyUsages.Cast<Oid>()).Select(o => o.Value ?? "")
            .Where(KindUsages.ContainsKey).ToList();
        return usages.Count == 0 || usages.Any(u => KindUsages[u] == kind);
    }

    private static string Text(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// zlib-inflates the data. Data that does not start with a zlib header (CMF 0x78 and a valid FCHECK) is taken
    /// as an uncompressed COSE message, which the DCC specification lets verifiers accept.
    /// </summary>
    private static byte[]? Decompress(byte[] data, out string reason)
    {
        reason = "";
        var isZlib = data.Length >= 2 && (data[0] & 0x0F) == 8 && (data[0] << 8 | data[1]) % 31 == 0;
        if (!isZlib)
        {
            if (data.Length > 0 && (data[0] == 0xD2 || data[0] == 0x84)) return data;
            reason = "neither zlib data nor an uncompressed COSE message";
            return null;
        }
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(data), CompressionMode.Decompress);
            var output = new MemoryStream();
            var buffer = new byte[8192];
            int read;
            while ((read = zlib.Read(buffer)) > 0)
            {
                if (output.Length + read > MaxDecompressedBytes)
                {
                    reason = $"larger than {MaxDecompressedBytes} bytes once decompressed";
                    return null;
                }
                output.Write(buffer, 0, read);
            }
            if (output.Length == 0)
            {
                reason = "empty once decompressed";
                return null;
            }
            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            reason = "broken zlib data";
            return null;
        }
    }

    private sealed record ClaimSet(DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, DccContent Content);

    private static ClaimSet? ReadClaims(byte[] payload, out string reason)
    {
        Dictionary<object, object?> claims;
        try
        {
            if (CborTree.Read(payload) is not Dictionary<object, object?> map)
            {
                reason = "the payload is not a CWT claims map";
                return null;
            }
            claims = map;
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or OverflowException)
        {
            reason = "the payload is not well-formed CBOR";
            return null;
        }
        if (claims.GetValueOrDefault(Hcert.IssuerClaim) is not string { Length: > 0 } issuer)
        {
            reason = "no issuer (iss, claim 1)";
            return null;
        }
        if (Seconds(claims.GetValueOrDefault(Hcert.IssuedAtClaim)) is not { } issuedAt)
        {
            reason = "no issued-at time (iat, claim 6)";
            return null;
        }
        if (Seconds(claims.GetValueOrDefault(Hcert.ExpiresClaim)) is not { } expiresAt)
        {
            reason = "no expiry time (exp, claim 4)";
            return null;
        }
        if (expiresAt <= issuedAt)
        {
            reason = "expires (exp) before it was issued (iat)";
            return null;
        }
        if (claims.GetValueOrDefault(Hcert.HcertClaim) is not Dictionary<object, object?> hcert
            || hcert.GetValueOrDefault(Hcert.EuDccV1) is not Dictionary<object, object?> dcc)
        {
            reason = "no DCC payload (hcert, claim -260, key 1)";
            return null;
        }
        if (ReadContent(dcc, issuer, issuedAt, expiresAt, out reason) is not { } content) return null;
        return new ClaimSet(issuedAt, expiresAt, content);
    }

    private static DateTimeOffset? Seconds(object? value)
    {
        try
        {
            return value switch
            {
                long seconds => DateTimeOffset.FromUnixTimeSeconds(seconds),
                double seconds when double.IsFinite(seconds) => DateTimeOffset.FromUnixTimeSeconds((long)seconds),
                _ => null,
            };
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static DccContent? ReadContent(Dictionary<object, object?> dcc, string issuingCountry, DateTimeOffset issuedAt, DateTimeOffset expiresAt, out string reason)
    {
        if (dcc.GetValueOrDefault("ver") is not string)
        {
            reason = "the DCC payload has no schema version (ver)";
            return null;
        }
        if (dcc.GetValueOrDefault("nam") is not Dictionary<object, object?> name || name.GetValueOrDefault("fnt") is not string familyStandard)
        {
            reason = "the DCC payload has no standardised family name (nam.fnt)";
            return null;
        }
        if (dcc.GetValueOrDefault("dob") is not string)
        {
            reason = "the DCC payload has no date of birth (dob)";
            return null;
        }
        var entries = new[] { "t", "v", "r" }
            .SelectMany(key => dcc.GetValueOrDefault(key) is List<object?> list ? list.Select(e => (key, entry: e)) : [])
            .ToList();
        if (entries.Count != 1 || entries[0].entry is not Dictionary<object, object?> entry)
        {
            reason = $"a DCC holds exactly one test, vaccination or recovery entry ({entries.Count} found)";
            return null;
        }
        string? Field(string key) => entry.GetValueOrDefault(key) switch
        {
            string s => s,
            long n => n.ToString(CultureInfo.InvariantCulture),
            _ => null,
        };
        var masked = MaskedName(name.GetValueOrDefault("fn") as string, name.GetValueOrDefault("gn") as string, familyStandard, name.GetValueOrDefault("gnt") as string);
        var content = new DccContent(
            entries[0].key switch { "t" => "test", "v" => "vaccination", _ => "recovery" },
            masked, Field("is"), Field("co"), Field("ci"), issuingCountry, issuedAt, expiresAt);
        reason = "";
        return entries[0].key switch
        {
            "t" => content with
            {
                TestType = Field("tt") switch { DccTest.TypeNaat => "NAAT", DccTest.TypeRat => "RAT", var other => other },
                TestName = Field("nm") ?? Field("ma"),
                Result = Field("tr") switch { DccTest.NotDetected => "not detected", DccTest.Detected => "detected", var other => other },
                SampleTime = Field("sc"),
                TestingCentre = Field("tc"),
            },
            "v" => content with { Dose = $"{Field("dn")}/{Field("sd")}", VaccinationDate = Field("dt") },
            _ => content with { FirstPositive = Field("fr"), ValidFrom = Field("df"), ValidUntil = Field("du") },
        };
    }

    /// <summary>张三丰 → 张*丰; a Latin name keeps the first and last letters of each part (M********n, E***a).</summary>
    private static string MaskedName(string? family, string? given, string familyStandard, string? givenStandard)
    {
        family = string.IsNullOrWhiteSpace(family) ? familyStandard : family;
        given = string.IsNullOrWhiteSpace(given) ? givenStandard ?? "" : given;
        if ((family + given).Any(c => c >= '\u3400' && c <= '\u9FFF')) return Mask.Name(family + given);
        return string.Join(' ', new[] { given, family }.Where(p => p.Length > 0).Select(Mask.Name));
    }
}
