using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Scans;

/// <summary>The venue check-in tables (migration 0006_scans).</summary>
internal static class ScansModel
{
    public static void AddScansModel(this ModelBuilder builder)
    {
        builder.Entity<Scan>(scan =>
        {
            // No foreign keys: an append-only table written at tens of thousands of rows a second, whose old days are
            // dropped whole; the venue and the resident are checked before a check-in is buffered.
            scan.HasKey(s => new { s.ResidentId, s.ClientId });
            // Time first: retention deletes (or drops partitions) by time, and the day partition is chosen by it.
            scan.HasIndex(s => s.ScannedAt);
            scan.HasIndex(s => new { s.VenueId, s.ScannedAt });
            scan.Property(s => s.AreaCode).HasMaxLength(15).PrefixSearchable();
        });
        builder.Entity<VenueRuleOverride>(rule =>
        {
            rule.HasKey(r => r.VenueId);
            rule.Property(r => r.UpdatedBy).HasMaxLength(256);
            rule.HasOne<Venue>().WithMany().HasForeignKey(r => r.VenueId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
