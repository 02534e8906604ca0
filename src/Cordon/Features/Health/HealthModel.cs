using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Health;

/// <summary>The health-status tables (migrations 0004_health, 0009_health_updated_at).</summary>
internal static class HealthModel
{
    public static void AddHealthModel(this ModelBuilder builder)
    {
        builder.Entity<HealthStatus>(status =>
        {
            status.HasKey(s => s.ResidentId);
            status.Property(s => s.ResidentId).ValueGeneratedNever();
            status.Property(s => s.AreaCode).HasMaxLength(15).PrefixSearchable();
            status.HasIndex(s => new { s.AreaCode, s.ResidentId });
            status.Property(s => s.Reason).HasMaxLength(40);
            status.Property(s => s.Popups).HasMaxLength(2000);
            // The sweep finds the rows whose time has come on this index.
            status.HasIndex(s => s.NextCheckAt);
            // Every host's status cache finds the rows written since its last look on this index (migration 0009, ADR 013).
            status.HasIndex(s => s.UpdatedAt);
            status.Property(s => s.OverrideReason).HasMaxLength(200);
            status.Property(s => s.OverrideBy).HasMaxLength(256);
            status.HasOne<Resident>().WithOne().HasForeignKey<HealthStatus>(s => s.ResidentId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<HealthStatusChange>(change =>
        {
            change.HasIndex(c => new { c.ResidentId, c.At });
            change.Property(c => c.Reason).HasMaxLength(40);
            change.Property(c => c.Popups).HasMaxLength(2000);
            change.Property(c => c.Source).HasMaxLength(60);
        });
        builder.Entity<HealthAppeal>(appeal =>
        {
            // One open appeal per person, enforced by the database.
            appeal.HasIndex(a => a.ResidentId).IsUnique().HasFilter("\"Status\" = 1").HasDatabaseName("IX_HealthAppeals_ResidentId_Open");
            appeal.HasIndex(a => new { a.ResidentId, a.CreatedAt });
            appeal.HasIndex(a => new { a.Status, a.AreaCode, a.Id });
            appeal.Property(a => a.AreaCode).HasMaxLength(15).PrefixSearchable();
            appeal.Property(a => a.Text).HasMaxLength(1000);
            appeal.Property(a => a.DecidedBy).HasMaxLength(256);
            appeal.Property(a => a.Answer).HasMaxLength(500);
            appeal.HasOne<Resident>().WithMany().HasForeignKey(a => a.ResidentId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
