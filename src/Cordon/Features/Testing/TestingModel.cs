using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Testing;

/// <summary>The testing platform's tables, keys and indexes (migration 0002_testing).</summary>
internal static class TestingModel
{
    public static void AddTestingModel(this ModelBuilder builder)
    {
        builder.Entity<SamplingSite>(site =>
        {
            site.Property(s => s.Name).HasMaxLength(100);
            site.Property(s => s.AreaCode).HasMaxLength(15).PrefixSearchable();
            site.HasIndex(s => new { s.AreaCode, s.Id });
            site.Property(s => s.Address).HasMaxLength(200);
            site.Property(s => s.OpeningHours).HasMaxLength(300);
            site.HasOne<Area>().WithMany().HasForeignKey(s => s.AreaCode).HasPrincipalKey(a => a.Code).OnDelete(DeleteBehavior.Restrict);
        });
        builder.Entity<SiteStaff>(staff =>
        {
            staff.HasKey(s => new { s.SiteId, s.UserId });
            staff.Property(s => s.UserId).HasMaxLength(450);
            staff.HasIndex(s => s.UserId);
            staff.HasOne<SamplingSite>().WithMany().HasForeignKey(s => s.SiteId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<SiteSlot>(slot =>
        {
            slot.HasKey(s => new { s.SiteId, s.StartsAt });
            slot.HasOne<SamplingSite>().WithMany().HasForeignKey(s => s.SiteId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<Appointment>(appointment =>
        {
            appointment.HasIndex(a => new { a.SiteId, a.SlotStartsAt });
            // One active appointment per person per day, enforced by the database under concurrency.
            appointment.HasIndex(a => new { a.ResidentId, a.Day }).IsUnique().HasFilter("\"Status\" = 1");
            appointment.HasOne<Resident>().WithMany().HasForeignKey(a => a.ResidentId).OnDelete(DeleteBehavior.Cascade);
            appointment.HasOne<SamplingSite>().WithMany().HasForeignKey(a => a.SiteId).OnDelete(DeleteBehavior.Restrict);
        });
        builder.Entity<SamplingCode>(code =>
        {
            code.HasKey(c => c.ResidentId);
            code.Property(c => c.Code).HasMaxLength(20);
            code.HasIndex(c => c.Code).IsUnique();
            code.HasOne<Resident>().WithMany().HasForeignKey(c => c.ResidentId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<Tube>(tube =>
        {
            tube.Property(t => t.Barcode).HasMaxLength(40);
            tube.HasIndex(t => t.Barcode).IsUnique();
            tube.HasIndex(t => new { t.SiteId, t.Status });
            tube.HasIndex(t => t.BoxId);
            tube.HasIndex(t => new { t.Status, t.CollectedAt });
            tube.Property(t => t.OpenedBy).HasMaxLength(256);
            tube.Property(t => t.VoidReason).HasMaxLength(200);
            tube.HasOne<SamplingSite>().WithMany().HasForeignKey(t => t.SiteId).OnDelete(DeleteBehavior.Restrict);
        });
        builder.Entity<TubeMember>(member =>
        {
            member.HasIndex(m => new { m.TubeId, m.ResidentId }).IsUnique();
            // A person can be in one open tube at a time.
            member.HasIndex(m => m.ResidentId).IsUnique().HasFilter("\"InOpenTube\"").HasDatabaseName("IX_TubeMembers_ResidentId_Open");
            member.HasIndex(m => new { m.ResidentId, m.SampledAt });
            // Coverage of a round counts distinct residents sampled per area in a window from this index alone (index-only scan).
            member.HasIndex(m => new { m.AreaCode, m.SampledAt, m.ResidentId });
            member.Property(m => m.AreaCode).HasMaxLength(15).PrefixSearchable();
            member.Property(m => m.SampledBy).HasMaxLength(256);
            member.HasOne<Tube>().WithMany().HasForeignKey(m => m.TubeId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<TransportBox>(box =>
        {
            box.Property(b => b.Code).HasMaxLength(40);
            box.HasIndex(b => b.Code).IsUnique();
            box.Property(b => b.DispatchedBy).HasMaxLength(256);
            box.Property(b => b.ReceivedBy).HasMaxLength(256);
            box.Property(b => b.Courier).HasMaxLength(100);
            box.HasIndex(b => new { b.LabId, b.Status });
        });
        builder.Entity<Lab>(lab =>
        {
            lab.Property(l => l.Name).HasMaxLength(100);
            lab.Property(l => l.AreaCode).HasMaxLength(15).PrefixSearchable();
            lab.Property(l => l.Address).HasMaxLength(200);
        });
        builder.Entity<PersonResult>(result =>
        {
            result.HasIndex(r => new { r.ResidentId, r.ReleasedAt });
            result.HasIndex(r => new { r.TubeId, r.ResidentId }).IsUnique();
            // Coverage counts distinct residents resulted and positive per area in a window from this index alone.
            result.HasIndex(r => new { r.AreaCode, r.SampledAt, r.ResidentId, r.Kind });
            result.Property(r => r.AreaCode).HasMaxLength(15).PrefixSearchable();
        });
        builder.Entity<RetestOrder>(order =>
        {
            order.HasIndex(o => new { o.AreaCode, o.Status });
            order.HasIndex(o => new { o.ResidentId, o.Status });
            order.HasIndex(o => new { o.PoolTubeId, o.ResidentId }).IsUnique();
            order.Property(o => o.AreaCode).HasMaxLength(15).PrefixSearchable();
        });
        builder.Entity<CaseCandidate>(candidate =>
        {
            candidate.HasIndex(c => new { c.AreaCode, c.Status });
            candidate.HasIndex(c => c.TubeId).IsUnique();
            candidate.Property(c => c.AreaCode).HasMaxLength(15).PrefixSearchable();
        });
        builder.Entity<ResultImport>(import =>
        {
            import.Property(i => i.FileHash).HasMaxLength(64);
            import.HasIndex(i => new { i.LabId, i.FileHash }).IsUnique();
            import.Property(i => i.ImportedBy).HasMaxLength(256);
        });
        builder.Entity<ScreeningRound>(round =>
        {
            round.Property(r => r.Name).HasMaxLength(100);
            round.Property(r => r.KeyGroups).HasMaxLength(300);
            round.Property(r => r.CreatedBy).HasMaxLength(256);
            round.HasIndex(r => new { r.Status, r.EndsAt });
        });
        builder.Entity<ScreeningRoundArea>(area =>
        {
            area.HasKey(a => new { a.RoundId, a.AreaCode });
            area.Property(a => a.AreaCode).HasMaxLength(15);
            area.HasOne<ScreeningRound>().WithMany().HasForeignKey(a => a.RoundId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<KeyGroupTestingRule>(rule => rule.HasKey(r => r.KeyGroup));
        builder.Entity<AntigenReport>(report =>
        {
            // One report per test: a retried report (same person, same time taken) is recognised, not duplicated.
            report.HasIndex(r => new { r.ResidentId, r.TakenAt }).IsUnique();
            report.HasIndex(r => new { r.AreaCode, r.Id });
            report.Property(r => r.AreaCode).HasMaxLength(15).PrefixSearchable();
            report.Property(r => r.Photo).HasMaxLength(400_000);
        });
    }
}
