using System.Security.Cryptography;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Testing;

/// <summary>A resident's personal sampling code and the text its QR code carries.</summary>
public sealed record SamplingCodeDto(string Code, string QrText);

/// <summary>
/// Personal sampling codes (个人采样码): issued to a resident on first request, and turned back into the resident from what
/// a sampler scanned or typed — the QR text ("CORDON-P:&lt;code&gt;"), the bare code, or an 18-character ID number for
/// people without a phone. The code names nobody by itself: it shows neither name nor ID number.
/// </summary>
public sealed class SamplingCodeService(
    IDbContextFactory<CordonDbContext> factory, PersonalDataProtector protector, CurrentUser user, TimeProvider clock)
{
    public const string QrPrefix = "CORDON-P:";
    public const int CodeLength = 12;

    /// <summary>No 0/O, 1/I/L: read aloud or typed from a cracked phone screen, a code is still unambiguous (about 60 bits).</summary>
    public const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    public static string NewCode() => RandomNumberGenerator.GetString(Alphabet, CodeLength);

    public static string QrTextOf(string code) => QrPrefix + code;

    /// <summary>The signed-in resident's code, created on the first request; null when the account is not linked to a resident.</summary>
    public async Task<SamplingCodeDto?> MineAsync(CancellationToken ct = default) =>
        user.ResidentId is { } residentId ? await GetOrCreateAsync(residentId, ct) : null;

    /// <summary>The code of a resident, created once; concurrent first requests agree on one code.</summary>
    public async Task<SamplingCodeDto> GetOrCreateAsync(long residentId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        for (var attempt = 0; ; attempt++)
        {
            var existing = await db.SamplingCodes.AsNoTracking().Where(c => c.ResidentId == residentId).Select(c => c.Code).FirstOrDefaultAsync(ct);
            if (existing is not null) return new SamplingCodeDto(existing, QrTextOf(existing));
            db.SamplingCodes.Add(new SamplingCode { ResidentId = residentId, Code = NewCode(), CreatedAt = clock.GetUtcNow().UtcDateTime });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Another request created this resident's code first, or (once in 10^18) the random code was taken: read again.
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>The resident the scanned text names, or null when it names nobody in the registry.</summary>
    public async Task<long?> ResolveAsync(string scannedText, CancellationToken ct = default)
    {
        var text = scannedText.Trim();
        if (text.StartsWith(QrPrefix, StringComparison.OrdinalIgnoreCase)) text = text[QrPrefix.Length..].Trim();
        if (text.Length == 0) return null;
        await using var db = await factory.CreateDbContextAsync(ct);
        if (ResidentIdNumber.IsValid(text))
        {
            var hash = protector.Hash(ResidentIdNumber.Normalize(text));
            return await db.Residents.Where(r => r.IdNumberHash == hash).Select(r => (long?)r.Id).FirstOrDefaultAsync(ct);
        }
        if (text.Length > 20) return null;
        // Codes are issued in upper case; a person typing one may not be.
        var code = text.ToUpperInvariant();
        return await db.SamplingCodes.Where(c => c.Code == code).Select(c => (long?)c.ResidentId).FirstOrDefaultAsync(ct);
    }
}
