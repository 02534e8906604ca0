using Cordon.Features.Audit;
using Cordon.Features.Certificates;
using Cordon.Features.Identity;
using Cordon.Features.Registry;
using Cordon.Features.Testing;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cordon.Infrastructure.Data;

public sealed class CordonDbContext(DbContextOptions<CordonDbContext> options) : IdentityDbContext<CordonUser>(options)
{
    public DbSet<Area> Areas => Set<Area>();
    public DbSet<Resident> Residents => Set<Resident>();
    public DbSet<Venue> Venues => Set<Venue>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<SamplingSite> SamplingSites => Set<SamplingSite>();
    public DbSet<SiteStaff> SiteStaff => Set<SiteStaff>();
    public DbSet<SiteSlot> SiteSlots => Set<SiteSlot>();
    public DbSet<Appointment> Appointments => Set<Appointment>();
    public DbSet<SamplingCode> SamplingCodes => Set<SamplingCode>();
    public DbSet<Tube> Tubes => Set<Tube>();
    public DbSet<TubeMember> TubeMembers => Set<TubeMember>();
    public DbSet<TransportBox> TransportBoxes => Set<TransportBox>();
    public DbSet<Lab> Labs => Set<Lab>();
    public DbSet<PersonResult> PersonResults => Set<PersonResult>();
    public DbSet<RetestOrder> RetestOrders => Set<RetestOrder>();
    public DbSet<CaseCandidate> CaseCandidates => Set<CaseCandidate>();
    public DbSet<ResultImport> ResultImports => Set<ResultImport>();
    public DbSet<ScreeningRound> ScreeningRounds => Set<ScreeningRound>();
    public DbSet<ScreeningRoundArea> ScreeningRoundAreas => Set<ScreeningRoundArea>();
    public DbSet<KeyGroupTestingRule> KeyGroupTestingRules => Set<KeyGroupTestingRule>();
    public DbSet<AntigenReport> AntigenReports => Set<AntigenReport>();

    // Health status (0004_health)
    public DbSet<Features.Health.HealthStatus> HealthStatuses => Set<Features.Health.HealthStatus>();
    public DbSet<Features.Health.HealthStatusChange> HealthStatusChanges => Set<Features.Health.HealthStatusChange>();
    public DbSet<Features.Health.HealthAppeal> HealthAppeals => Set<Features.Health.HealthAppeal>();

    // Passes (0005_passes)
    public DbSet<Features.Passes.PassSigningKey> PassSigningKeys => Set<Features.Passes.PassSigningKey>();

    // Venue check-ins (0006_scans)
    public DbSet<Features.Scans.Scan> Scans => Set<Features.Scans.Scan>();
    public DbSet<Features.Scans.VenueRuleOverride> VenueRuleOverrides => Set<Features.Scans.VenueRuleOverride>();

    // Test certificates (0007_certificates)
    public DbSet<CertificateSigner> CertificateSigners => Set<CertificateSigner>();

    // Checkpoints (0008_checkpoints)
    public DbSet<Features.Checkpoints.Checkpoint> Checkpoints => Set<Features.Checkpoints.Checkpoint>();
    public DbSet<Features.Checkpoints.Passage> Passages => Set<Features.Checkpoints.Passage>();
    public DbSet<Features.Checkpoints.Outsider> Outsiders => Set<Features.Checkpoints.Outsider>();

    internal bool IsPostgres => Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL";

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfiguration(new AreaConfiguration());
        builder.ApplyConfiguration(new ResidentConfiguration());
        builder.ApplyConfiguration(new VenueConfiguration());
        builder.ApplyConfiguration(new AuditEntryConfiguration());
        builder.AddTestingModel();

        // Health status
        Features.Health.HealthModel.AddHealthModel(builder);

        // Passes
        Features.Passes.PassesModel.AddPassesModel(builder);

        // Venue check-ins
        Features.Scans.ScansModel.AddScansModel(builder);

        // Test certificates
        builder.AddCertificatesModel();

        // Checkpoints
        Features.Checkpoints.CheckpointsModel.AddCheckpointsModel(builder);

        builder.Entity<CordonUser>(user =>
        {
            user.Property(u => u.DisplayName).HasMaxLength(100);
            user.Property(u => u.JurisdictionCode).HasMaxLength(15);
            user.Property(u => u.JurisdictionPrefix).HasMaxLength(15).HasAnnotation(PrefixSearchable, true);
            user.HasIndex(u => u.JurisdictionPrefix);
        });

        // Prefix searches (area codes, names, phones) run as range scans on a b-tree; on PostgreSQL that
        // needs byte order, which the C collation gives. SQLite's default BINARY collation already is.
        if (IsPostgres)
        {
            foreach (var property in builder.Model.GetEntityTypes().SelectMany(t => t.GetProperties()))
            {
                if (property.FindAnnotation(PrefixSearchable) is not null) property.SetCollation("C");
            }
        }
    }

    /// <summary>Marks a string column that is searched by prefix (see the collation note above).</summary>
    internal const string PrefixSearchable = "Cordon:PrefixSearchable";
}

internal static class PropertyBuilderExtensions
{
    public static PropertyBuilder<string> PrefixSearchable(this PropertyBuilder<string> property) =>
        property.HasAnnotation(CordonDbContext.PrefixSearchable, true);
}

internal sealed class AreaConfiguration : IEntityTypeConfiguration<Area>
{
    public void Configure(EntityTypeBuilder<Area> area)
    {
        area.Property(a => a.Code).HasMaxLength(15).PrefixSearchable();
        area.Property(a => a.Name).HasMaxLength(100);
        area.Property(a => a.ParentCode).HasMaxLength(15);
        area.HasIndex(a => a.ParentCode);
        area.Property(a => a.Prefix).HasMaxLength(15);
        area.HasOne<Area>().WithMany().HasForeignKey(a => a.ParentCode).HasPrincipalKey(a => a.Code).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ResidentConfiguration : IEntityTypeConfiguration<Resident>
{
    public void Configure(EntityTypeBuilder<Resident> resident)
    {
        resident.Property(r => r.Name).HasMaxLength(50).PrefixSearchable();
        resident.HasIndex(r => new { r.Name, r.Id });
        resident.Property(r => r.IdNumberHash).HasMaxLength(64);
        resident.HasIndex(r => r.IdNumberHash).IsUnique();
        resident.Property(r => r.IdNumberCipher).HasMaxLength(100);
        resident.Property(r => r.Phone).HasMaxLength(20).PrefixSearchable();
        resident.HasIndex(r => r.Phone);
        resident.Property(r => r.Household).HasMaxLength(30);
        resident.Property(r => r.AreaCode).HasMaxLength(15).PrefixSearchable();
        resident.HasIndex(r => new { r.AreaCode, r.Id });
        // A worker's name search stays inside one community: this index makes it cost the community's size, not the surname's (0003).
        resident.HasIndex(r => new { r.AreaCode, r.Name, r.Id });
        resident.Property(r => r.Unit).HasMaxLength(10);
        resident.Property(r => r.Room).HasMaxLength(10);
        resident.HasOne<Area>().WithMany().HasForeignKey(r => r.AreaCode).HasPrincipalKey(a => a.Code).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class VenueConfiguration : IEntityTypeConfiguration<Venue>
{
    public void Configure(EntityTypeBuilder<Venue> venue)
    {
        venue.Property(v => v.Name).HasMaxLength(100).PrefixSearchable();
        venue.HasIndex(v => v.Name);
        venue.Property(v => v.AreaCode).HasMaxLength(15).PrefixSearchable();
        venue.HasIndex(v => new { v.AreaCode, v.Id });
        venue.Property(v => v.Address).HasMaxLength(200);
        venue.Property(v => v.VenueCode).HasMaxLength(20);
        venue.HasIndex(v => v.VenueCode).IsUnique();
        venue.HasIndex(v => new { v.AreaCode, v.Name }).IsUnique();
        venue.HasOne<Area>().WithMany().HasForeignKey(v => v.AreaCode).HasPrincipalKey(a => a.Code).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> entry)
    {
        entry.Property(e => e.UserId).HasMaxLength(450);
        entry.Property(e => e.UserName).HasMaxLength(256);
        entry.Property(e => e.Entity).HasMaxLength(100);
        entry.Property(e => e.EntityKey).HasMaxLength(100);
        entry.Property(e => e.Details).HasMaxLength(1000);
        entry.HasIndex(e => e.At);
        entry.HasIndex(e => new { e.Entity, e.EntityKey });
        entry.HasIndex(e => new { e.UserId, e.At });
    }
}
