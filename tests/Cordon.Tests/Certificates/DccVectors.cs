using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cordon.Features.Certificates;

namespace Cordon.Tests.Certificates;

/// <summary>Test signers and certificates made in the tests with our own keys: no vector comes from outside.</summary>
public sealed class DccSigner : IDisposable
{
    public DccSigner(AsymmetricAlgorithm key, X509Certificate2 certificate) => (Key, Certificate) = (key, certificate);

    public AsymmetricAlgorithm Key { get; }
    public X509Certificate2 Certificate { get; }
    public byte[] KeyId => CoseSign1Message.KeyIdOf(Certificate);
    public string Der => Convert.ToBase64String(Certificate.RawData);

    public static DccSigner Ecdsa(string name = "Test DSC ES256", string? usage = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new DccSigner(key, SelfSigned(new CertificateRequest($"CN={name}, C=XX", key, HashAlgorithmName.SHA256), usage, notBefore, notAfter));
    }

    public static DccSigner Rsa(string name = "Test DSC PS256")
    {
        var key = RSA.Create(2048);
        return new DccSigner(key, SelfSigned(new CertificateRequest($"CN={name}, C=XX", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pss), null, null, null));
    }

    private static X509Certificate2 SelfSigned(CertificateRequest request, string? usage, DateTimeOffset? notBefore, DateTimeOffset? notAfter)
    {
        if (usage is not null) request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        using var withKey = request.CreateSelfSigned(notBefore ?? DccVectors.IssuedAt.AddYears(-1), notAfter ?? DccVectors.IssuedAt.AddYears(1));
        return X509CertificateLoader.LoadCertificate(withKey.RawData);
    }

    public DccTrustList Trust => new([Certificate]);

    public void Dispose()
    {
        Key.Dispose();
        Certificate.Dispose();
    }
}

public static class DccVectors
{
    public static readonly DateTimeOffset IssuedAt = new(2026, 11, 20, 2, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset ExpiresAt = IssuedAt.AddHours(72);
    public static readonly DateTimeOffset During = IssuedAt.AddHours(1);

    public static DccTest Test(string name = "张三丰") => new(
        NameTransliteration.Of(name), new DateOnly(1990, 3, 7), IssuedAt.UtcDateTime.AddHours(-6), "示范区人民医院采样点", "CN", "Cordon test issuer",
        "URN:UVCI:01:CN:CORDONTEST0000000000000000001");

    public static byte[] Claims(DccTest? test = null, DateTimeOffset? issuedAt = null, DateTimeOffset? expiresAt = null) =>
        Hcert.Claims("CN", issuedAt ?? IssuedAt, expiresAt ?? ExpiresAt, (test ?? Test()).Payload());

    public static string Qr(DccSigner signer, byte[]? claims = null, bool tagged = true, bool compress = true) =>
        Hcert.Pack(CoseSign1Message.Sign(claims ?? Claims(), signer.Key, signer.KeyId, tagged), compress);

    /// <summary>The COSE bytes inside a QR text.</summary>
    public static byte[] Unpack(string qr)
    {
        var compressed = Base45.TryDecode(qr.AsSpan(4))!;
        using var zlib = new System.IO.Compression.ZLibStream(new MemoryStream(compressed), System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        zlib.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Re-encodes a COSE_Sign1 message after changing its parts (protected, unprotected, payload, signature).</summary>
    public static string Rewrite(string qr, Action<List<object?>> change)
    {
        var reader = new CborReader(Unpack(qr), CborConformanceMode.Lax);
        reader.ReadTag();
        var parts = (List<object?>)CborTree.ReadItem(reader, 0)!;
        change(parts);
        var writer = new CborWriter(CborConformanceMode.Lax);
        writer.WriteTag((CborTag)CoseSign1Message.Tag);
        CborTree.Write(writer, parts);
        return Hcert.Pack(writer.Encode());
    }
}
