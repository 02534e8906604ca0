using Cordon.Features.Health;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cordon.Features.Passes;

/// <summary>A popup as the resident sees it: what to do and why, since when.</summary>
public sealed record PassPopup(PopupKind Kind, string Reason, DateTime Since, DateTime? Until);

/// <summary>The stored status a pass carries, as the resident's page shows it.</summary>
public sealed record PassStatus(
    HealthColour Colour,
    string Reason,
    IReadOnlyList<PassPopup> Popups,
    DateTime? LastNegativeSampledAt,
    double? TestAgeHours,
    string MaskedName,
    DateTime Since);

/// <summary>A freshly signed pass: the QR text, its key, when it expires, when to fetch the next one.</summary>
public sealed record MyPass(string Qr, string KeyId, DateTime IssuedAt, DateTime ExpiresAt, DateTime RefreshAt, PassStatus Status);

/// <summary>Why the signed-in user gets no pass.</summary>
public enum PassUnavailable
{
    None,
    /// <summary>The account is not linked to a resident of the registry.</summary>
    NotLinked,
    /// <summary>The resident's health status has not been computed yet.</summary>
    NoStatusYet,
}

public sealed record PassVerifyInput(string? Qr);

/// <summary>What a valid pass says, with the test age at the moment of the check.</summary>
public sealed record PassCheckContent(
    long ResidentId,
    HealthColour Colour,
    IReadOnlyList<PopupKind> Popups,
    DateTime? LastNegativeSampledAt,
    double? TestAgeHours,
    string MaskedName,
    DateTime IssuedAt,
    DateTime ExpiresAt,
    string KeyId);

/// <summary>The person's stored status at the moment of a server-side check: newer than the pass when it changed since.</summary>
public sealed record PassCurrentStatus(HealthColour Colour, IReadOnlyList<PopupKind> Popups, DateTime? LastNegativeSampledAt, DateTime Since, bool ChangedSinceIssued);

/// <summary>
/// The answer of a check: <paramref name="Outcome"/> is <c>valid</c>, <c>malformed</c>, <c>unknown-key</c>,
/// <c>bad-signature</c>, <c>not-yet-valid</c> or <c>expired</c>; the content only when valid, and then the stored
/// status now (<paramref name="Current"/>), so an online checkpoint sees a change made after the pass was issued.
/// </summary>
public sealed record PassCheck(bool Valid, string Outcome, string Reason, PassCheckContent? Content, PassCurrentStatus? Current, DateTime CheckedAt);

/// <summary>A published verification key as a JWK (RFC 7517) with its validity, Unix seconds.</summary>
public sealed record PassJwk(string Kty, string Crv, string X, string Y, string Kid, string Use, string Alg, long Nbf, long Exp);

public sealed record PassKeySet(IReadOnlyList<PassJwk> Keys);

/// <summary>Issues the signed-in resident's pass from their stored status, and checks pass texts for staff (ADR 008).</summary>
public sealed class PassService(
    PassKeyRing keys,
    IHealthStatusLookup statuses,
    IDbContextFactory<CordonDbContext> factory,
    CurrentUser user,
    TimeProvider clock,
    IOptions<PassOptions> options)
{
    /// <summary>A new pass for the signed-in resident, or why there is none (no resident behind the account, no stored status yet).</summary>
    public async Task<(MyPass? Pass, PassUnavailable Why)> IssueAsync(CancellationToken ct = default)
    {
        if (user.ResidentId is not { } residentId) return (null, PassUnavailable.NotLinked);
        // The health store's cache holds the masked name with the status (ADR 013): no database round trip.
        if (await statuses.GetNamedAsync(residentId, ct) is { } named) return (await IssueAsync(named.Status, named.MaskedName, ct), PassUnavailable.None);
        await using var db = await factory.CreateDbContextAsync(ct);
        var name = await db.Residents.AsNoTracking().Where(r => r.Id == residentId).Select(r => r.Name).FirstOrDefaultAsync(ct);
        if (name is null) return (null, PassUnavailable.NotLinked);
        var status = await statuses.GetAsync(residentId, ct);
        if (status is null) return (null, PassUnavailable.NoStatusYet);
        return (await IssueAsync(status, Mask.Name(name), ct), PassUnavailable.None);
    }

    /// <summary>Signs a pass for a status (the hot path: no database access once the key is loaded).</summary>
    public async Task<MyPass> IssueAsync(HealthSnapshot status, string maskedName, CancellationToken ct = default)
    {
        var now = PassFormat.WholeSeconds(clock.GetUtcNow().UtcDateTime);
        var signer = await keys.SigningKeyAsync(now, ct);
        var lifetime = options.Value.Lifetime;
        var content = new PassContent(signer.KeyId, status.ResidentId, status.Colour, status.Popups.Select(p => p.Kind).ToList(),
            status.LastNegativeSampledAt is { } sampled ? PassFormat.WholeSeconds(sampled) : null,
            Truncate(maskedName), now, now + lifetime);
        var view = new PassStatus(status.Colour, status.Reason,
            status.Popups.Select(p => new PassPopup(p.Kind, p.Reason, p.Since, p.Until)).ToList(),
            status.LastNegativeSampledAt, content.TestAgeHours(now), content.MaskedName, status.Since);
        return new MyPass(signer.Sign(content), signer.KeyId, now, content.ExpiresAt, now + lifetime * 0.8, view);
    }

    private static string Truncate(string maskedName) =>
        maskedName.Length <= PassFormat.MaxNameLength ? maskedName : maskedName[..(PassFormat.MaxNameLength - 1)] + "…";

    /// <summary>Checks a pass text at the server; invalid input (no text, too long) is a field error, any other text an outcome.</summary>
    public async Task<Outcome<PassCheck>> VerifyAsync(PassVerifyInput? input, CancellationToken ct = default)
    {
        var qr = input?.Qr?.Trim();
        if (string.IsNullOrEmpty(qr)) return Outcome<PassCheck>.Invalid("qr", "is required");
        if (qr.Length > PassFormat.MaxTextLength) return Outcome<PassCheck>.Invalid("qr", $"must be at most {PassFormat.MaxTextLength} characters");
        var now = clock.GetUtcNow().UtcDateTime;
        var verifier = await keys.VerifierAsync(qr, now, ct);
        var result = verifier.Verify(qr, now);
        if (result.Content is not { } c) return Outcome<PassCheck>.Ok(new PassCheck(false, result.Code, result.Reason, null, null, now));
        var content = new PassCheckContent(c.ResidentId, c.Colour, c.Popups, c.LastNegativeSampledAt, c.TestAgeHours(now), c.MaskedName, c.IssuedAt, c.ExpiresAt, c.KeyId);
        var current = await statuses.GetAsync(c.ResidentId, ct) is { } stored
            ? new PassCurrentStatus(stored.Colour, stored.Popups.Select(p => p.Kind).Distinct().Order().ToList(), stored.LastNegativeSampledAt, stored.Since,
                stored.Colour != c.Colour || !stored.Popups.Select(p => p.Kind).Distinct().Order().SequenceEqual(c.Popups))
            : null;
        return Outcome<PassCheck>.Ok(new PassCheck(true, result.Code, result.Reason, content, current, now));
    }

    /// <summary>The published key set, as checkpoints download it.</summary>
    public async Task<PassKeySet> KeySetAsync(CancellationToken ct = default)
    {
        var published = await keys.PublishedAsync(clock.GetUtcNow().UtcDateTime, ct);
        return new PassKeySet(published.Select(ToJwk).ToList());
    }

    public static PassJwk ToJwk(PassPublicKey key) => new("EC", "P-256",
        System.Buffers.Text.Base64Url.EncodeToString(key.X), System.Buffers.Text.Base64Url.EncodeToString(key.Y),
        key.KeyId, "sig", "ES256", PassFormat.UnixSeconds(key.NotBefore), PassFormat.UnixSeconds(key.RetireAt));
}
