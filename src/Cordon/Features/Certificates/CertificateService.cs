using Cordon.Features.Testing;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cordon.Features.Certificates;

/// <summary>A certificate just issued: the QR text and what a verifier will read from it.</summary>
public sealed record IssuedCertificate(string Qr, string CertificateId, DateTime SampledAt, DateTime IssuedAt, DateTime ExpiresAt, DccContent Content);

/// <summary>Why a resident gets no certificate.</summary>
public enum CertificateRefusal
{
    NotLinked,
    NoResult,
    NotNegative,
    TooOld,
}

/// <summary>A verification request: the QR text, optionally the trust list (base64 DER) and the instant (default now).</summary>
public sealed record VerifyRequest(string? Qr, IReadOnlyList<string>? Trust, DateTimeOffset? At);

/// <summary>
/// Issues a resident's negative-test certificate (EU DCC test entry) from their latest released result, and verifies
/// certificates against the configured trust list.
/// </summary>
public sealed class CertificateService(
    IDbContextFactory<CordonDbContext> factory, CurrentUser user, CertificateSignerStore signers, TimeProvider clock, IOptions<CertificateOptions> options)
{
    public const int MaxTrust = 100;

    /// <summary>The resident's certificate, or 404 (no resident) / 409 with the reason there is none.</summary>
    public async Task<Outcome<IssuedCertificate>> IssueMineAsync(CancellationToken ct = default)
    {
        var (issued, refusal) = await TryIssueMineAsync(ct);
        return refusal switch
        {
            null => Outcome<IssuedCertificate>.Ok(issued!),
            CertificateRefusal.NotLinked => Outcome<IssuedCertificate>.NotFound(),
            CertificateRefusal.NoResult => Outcome<IssuedCertificate>.Conflict("You have no released test result: a certificate is issued from a negative nucleic-acid test."),
            CertificateRefusal.NotNegative => Outcome<IssuedCertificate>.Conflict("Your latest test result is not negative: no negative-test certificate can be issued."),
            _ => Outcome<IssuedCertificate>.Conflict($"Your latest negative test was sampled more than {options.Value.ValidityHours} hours ago: test again for a certificate."),
        };
    }

    /// <summary>Issues the signed-in resident's certificate from their newest conclusive result, or says why not.</summary>
    public async Task<(IssuedCertificate? Issued, CertificateRefusal? Refusal)> TryIssueMineAsync(CancellationToken ct = default)
    {
        if (user.ResidentId is not { } residentId) return (null, CertificateRefusal.NotLinked);
        await using var db = await factory.CreateDbContextAsync(ct);
        var resident = await db.Residents.AsNoTracking().Where(r => r.Id == residentId).Select(r => new { r.Name, r.BirthDate }).FirstOrDefaultAsync(ct);
        if (resident is null) return (null, CertificateRefusal.NotLinked);
        // The newest conclusive result decides: a later positive or pool-positive result withdraws an earlier negative.
        var latest = await db.PersonResults.AsNoTracking()
            .Where(r => r.ResidentId == residentId && r.Kind != PersonResultKind.Resample)
            .OrderByDescending(r => r.SampledAt).ThenByDescending(r => r.Id)
            .Select(r => new { r.Kind, r.SampledAt, Site = db.Tubes.Where(t => t.Id == r.TubeId).Join(db.SamplingSites, t => t.SiteId, s => s.Id, (t, s) => s.Name).FirstOrDefault() })
            .FirstOrDefaultAsync(ct);
        if (latest is null) return (null, CertificateRefusal.NoResult);
        if (latest.Kind != PersonResultKind.Negative) return (null, CertificateRefusal.NotNegative);
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var sampledAt = DateTime.SpecifyKind(latest.SampledAt, DateTimeKind.Utc);
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(new DateTimeOffset(sampledAt).AddHours(settings.ValidityHours).ToUnixTimeSeconds());
        if (expiresAt <= now) return (null, CertificateRefusal.TooOld);

        var test = new DccTest(NameTransliteration.Of(resident.Name), resident.BirthDate, sampledAt, latest.Site ?? settings.Issuer,
            settings.Country, settings.Issuer, DccTest.NewCertificateId(settings.Country));
        var (key, certificate) = await signers.SignerAsync(ct);
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var qr = Hcert.Issue(Hcert.Claims(settings.Country, issuedAt, expiresAt, test.Payload()), key, CoseSign1Message.KeyIdOf(certificate));
        // What a verifier will read from it, through the same verifier.
        var check = DccVerifier.Verify(qr, new DccTrustList([certificate]), issuedAt);
        if (!check.Valid || check.Content is null) throw new InvalidOperationException($"An issued certificate did not verify: {check.Stage} {check.Reason}.");
        return (new IssuedCertificate(qr, test.CertificateId, sampledAt, issuedAt.UtcDateTime, expiresAt.UtcDateTime, check.Content), null);
    }

    /// <summary>Verifies against the trust list of the request, or the configured one; at the instant of the request, or now.</summary>
    public async Task<Outcome<DccVerification>> VerifyAsync(VerifyRequest request, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        errors.Require("qr", request.Qr, DccVerifier.MaxTextLength);
        DccTrustList? trust = null;
        if (request.Trust is { } given)
        {
            if (given.Count > MaxTrust) errors.Add("trust", $"must hold at most {MaxTrust} certificates");
            else if ((trust = DccTrustList.TryParse(given, out var reason)) is null) errors.Add("trust", reason);
        }
        if (errors.Any) return Outcome<DccVerification>.Invalid(errors);
        trust ??= await signers.TrustListAsync(ct);
        return Outcome<DccVerification>.Ok(DccVerifier.Verify(request.Qr, trust, request.At ?? clock.GetUtcNow()));
    }
}
