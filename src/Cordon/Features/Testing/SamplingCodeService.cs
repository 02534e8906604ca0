using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Testing;

/// <summary>
/// Turns what a sampler scanned or typed into a resident: the QR text of a personal sampling code ("CORDON-P:&lt;code&gt;"),
/// the bare code, or an 18-character ID number for people without a phone.
/// </summary>
public sealed class SamplingCodeService(IDbContextFactory<CordonDbContext> factory, PersonalDataProtector protector)
{
    public const string QrPrefix = "CORDON-P:";

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
        return await db.SamplingCodes.Where(c => c.Code == text).Select(c => (long?)c.ResidentId).FirstOrDefaultAsync(ct);
    }
}
