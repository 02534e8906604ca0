using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Certificates;

/// <summary>One of our document signers: its X.509 certificate (published) and its private key (encrypted at rest).</summary>
public sealed class CertificateSigner
{
    public int Id { get; set; }
    /// <summary>The DCC kid (first 8 bytes of SHA-256 of the DER), base64.</summary>
    public required string KeyId { get; set; }
    /// <summary>The signer certificate, base64 DER.</summary>
    public required string Certificate { get; set; }
    /// <summary>The PKCS#8 private key, encrypted with the personal-data key (AES-GCM, ADR 004).</summary>
    public required string PrivateKeyCipher { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>The <c>Certificates</c> configuration section.</summary>
public sealed class CertificateOptions
{
    public const string Section = "Certificates";

    /// <summary>ISO 3166 country of the issuer: the CWT iss claim and the test entry's co.</summary>
    [Required, RegularExpression("^[A-Z]{2}$")]
    public string Country { get; set; } = "CN";

    /// <summary>The certificate issuer (the test entry's is).</summary>
    [Required, MaxLength(80)]
    public string Issuer { get; set; } = "Cordon Demo City Health Commission";

    /// <summary>How long a negative-test certificate is valid, counted from the sample time.</summary>
    [Range(1, 168)]
    public int ValidityHours { get; set; } = 72;

    /// <summary>How long a signer certificate we generate is valid.</summary>
    [Range(30, 3650)]
    public int SignerValidityDays { get; set; } = 730;

    /// <summary>Other issuers' signer certificates we trust (base64 DER X.509), besides our own.</summary>
    public List<string> Trust { get; set; } = [];
}

/// <summary>
/// Our document signer: an ECDSA P-256 key with a self-signed X.509 certificate (a DSC, ADR 009), generated on
/// first use and kept in the database with the key encrypted; the same for every host sharing the database.
/// </summary>
public sealed class CertificateSignerStore(
    IDbContextFactory<CordonDbContext> factory, PersonalDataProtector protector, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<CertificateOptions> options, CertificateSignerCache cache)
{
    /// <summary>The DCC extended key usage "may sign test certificates".</summary>
    public const string TestIssuerUsage = "1.3.6.1.4.1.1847.2021.1.1";

    public async Task<(ECDsa Key, X509Certificate2 Certificate)> SignerAsync(CancellationToken ct = default)
    {
        if (cache.Signer is { } cached) return cached;
        await cache.Lock.WaitAsync(ct);
        try
        {
            if (cache.Signer is { } again) return again;
            await using var db = await factory.CreateDbContextAsync(ct);
            var row = await db.CertificateSigners.AsNoTracking().OrderBy(s => s.Id).FirstOrDefaultAsync(ct);
            if (row is null)
            {
                db.CertificateSigners.Add(Generate());
                await db.SaveChangesAsync(ct);
                // Two hosts starting together may both have created one: every host signs with the first.
                row = await db.CertificateSigners.AsNoTracking().OrderBy(s => s.Id).FirstAsync(ct);
            }
            var key = ECDsa.Create();
            key.ImportPkcs8PrivateKey(Convert.FromBase64String(protector.Decrypt(row.PrivateKeyCipher)), out _);
            cache.Signer = (key, X509CertificateLoader.LoadCertificate(Convert.FromBase64String(row.Certificate)));
            return cache.Signer.Value;
        }
        finally
        {
            cache.Lock.Release();
        }
    }

    /// <summary>Our signer certificates (generating the first if need be): what we publish in the trust list.</summary>
    public async Task<IReadOnlyList<X509Certificate2>> OwnCertificatesAsync(CancellationToken ct = default)
    {
        await SignerAsync(ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.CertificateSigners.AsNoTracking().OrderBy(s => s.Id).Select(s => s.Certificate).ToListAsync(ct);
        return rows.Select(r => X509CertificateLoader.LoadCertificate(Convert.FromBase64String(r))).ToList();
    }

    /// <summary>The configured trust list: our signers and the other issuers' certificates of the configuration.</summary>
    public async Task<DccTrustList> TrustListAsync(CancellationToken ct = default)
    {
        var others = DccTrustList.TryParse(options.Value.Trust, out var reason)
            ?? throw new InvalidOperationException($"Certificates:Trust: {reason}.");
        return new DccTrustList((await OwnCertificatesAsync(ct)).Concat(others.Certificates));
    }

    private CertificateSigner Generate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = clock.GetUtcNow();
        var request = new CertificateRequest($"CN=Cordon DCC Document Signer {now:yyyyMMdd}, O=Cordon, C={options.Value.Country}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(TestIssuerUsage)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var certificate = request.CreateSelfSigned(now.AddHours(-1), now.AddDays(options.Value.SignerValidityDays));
        var der = certificate.RawData;
        return new CertificateSigner
        {
            KeyId = Convert.ToBase64String(CoseSign1Message.KeyIdOf(certificate)),
            Certificate = Convert.ToBase64String(der),
            PrivateKeyCipher = protector.Encrypt(Convert.ToBase64String(key.ExportPkcs8PrivateKey())),
            CreatedAt = now.UtcDateTime,
        };
    }
}

/// <summary>The signer key once loaded, shared by the requests of this host (the store itself is per request).</summary>
public sealed class CertificateSignerCache
{
    public SemaphoreSlim Lock { get; } = new(1, 1);
    public (ECDsa Key, X509Certificate2 Certificate)? Signer { get; set; }
}

/// <summary>The certificates' table (migration 0007_certificates).</summary>
internal static class CertificatesModel
{
    public static void AddCertificatesModel(this ModelBuilder builder)
    {
        builder.Entity<CertificateSigner>(signer =>
        {
            signer.Property(s => s.KeyId).HasMaxLength(20);
            signer.HasIndex(s => s.KeyId).IsUnique();
            signer.Property(s => s.Certificate).HasMaxLength(4000);
            signer.Property(s => s.PrivateKeyCipher).HasMaxLength(1000);
        });
    }
}
