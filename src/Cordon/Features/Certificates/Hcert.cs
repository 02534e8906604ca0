using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Cordon.Features.Certificates;

/// <summary>The facts a negative-test certificate states (DCC schema 1.3 test entry).</summary>
public sealed record DccTest(
    DccName Name, DateOnly BirthDate, DateTime SampledAtUtc, string TestingCentre, string Country, string Issuer, string CertificateId)
{
    public const string TargetCovid19 = "840539006";
    public const string TypeNaat = "LP6464-4";
    public const string TypeRat = "LP217198-3";
    public const string NotDetected = "260415000";
    public const string Detected = "260373001";
    public const string SchemaVersion = "1.3.0";

    /// <summary>The DCC payload: ver, nam, dob and one test entry (a NAAT: the name of the test, no RAT device).</summary>
    public Dictionary<object, object?> Payload() => new()
    {
        ["ver"] = SchemaVersion,
        ["nam"] = new Dictionary<object, object?>
        {
            ["fn"] = Name.FamilyName,
            ["fnt"] = Name.FamilyNameStandard,
            ["gn"] = Name.GivenName,
            ["gnt"] = Name.GivenNameStandard,
        },
        ["dob"] = BirthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["t"] = new List<object?>
        {
            new Dictionary<object, object?>
            {
                ["tg"] = TargetCovid19,
                ["tt"] = TypeNaat,
                ["nm"] = "SARS-CoV-2 RT-PCR",
                ["sc"] = Hcert.Instant(SampledAtUtc),
                ["tr"] = NotDetected,
                ["tc"] = TestingCentre,
                ["co"] = Country,
                ["is"] = Issuer,
                ["ci"] = CertificateId,
            },
        },
    };

    /// <summary>A unique certificate identifier (UVCI, option 3 of the eHealth network guidelines): URN:UVCI:01:CC:opaque.</summary>
    public static string NewCertificateId(string country)
    {
        const string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        Span<char> opaque = stackalloc char[26];
        for (var i = 0; i < opaque.Length; i++) opaque[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        return $"URN:UVCI:01:{country}:CORDON{opaque}";
    }
}

/// <summary>
/// The Health Certificate container (HC1): CWT claims in a COSE_Sign1 message, zlib-compressed, Base45-encoded and
/// prefixed with "HC1:", as the EU Digital COVID Certificate specifies.
/// </summary>
public static class Hcert
{
    public const string Prefix = "HC1:";
    public const long IssuerClaim = 1;
    public const long ExpiresClaim = 4;
    public const long IssuedAtClaim = 6;
    public const long HcertClaim = -260;
    public const long EuDccV1 = 1;

    /// <summary>The CWT claims map as bytes: iss, iat, exp, and hcert {1: payload}.</summary>
    public static byte[] Claims(string issuerCountry, DateTimeOffset issuedAt, DateTimeOffset expiresAt, Dictionary<object, object?> payload) =>
        CborTree.Encode(new Dictionary<object, object?>
        {
            [IssuerClaim] = issuerCountry,
            [IssuedAtClaim] = issuedAt.ToUnixTimeSeconds(),
            [ExpiresClaim] = expiresAt.ToUnixTimeSeconds(),
            [HcertClaim] = new Dictionary<object, object?> { [EuDccV1] = payload },
        });

    /// <summary>Signs the claims and packs them into the QR text.</summary>
    public static string Issue(byte[] claims, AsymmetricAlgorithm key, byte[] keyId) => Pack(CoseSign1Message.Sign(claims, key, keyId));

    /// <summary>"HC1:" + Base45(zlib(cose)); uncompressed when <paramref name="compress"/> is false (which verifiers may accept).</summary>
    public static string Pack(byte[] cose, bool compress = true) => Prefix + Base45.Encode(compress ? Compress(cose) : cose);

    public static byte[] Compress(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.SmallestSize)) zlib.Write(data);
        return output.ToArray();
    }

    /// <summary>An instant as the DCC writes it: ISO 8601 UTC to the second.</summary>
    public static string Instant(DateTime utc) =>
        DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
