using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Checkpoints;

/// <summary>Checkpoints, passages and outsiders (migration 0008_checkpoints).</summary>
internal static class CheckpointsModel
{
    public static void AddCheckpointsModel(this ModelBuilder builder)
    {
        builder.Entity<Checkpoint>(checkpoint =>
        {
            checkpoint.Property(c => c.AreaCode).HasMaxLength(15).PrefixSearchable();
            checkpoint.HasIndex(c => new { c.AreaCode, c.Id });
            checkpoint.Property(c => c.Name).HasMaxLength(100);
            checkpoint.HasIndex(c => new { c.AreaCode, c.Name }).IsUnique();
            checkpoint.Property(c => c.LocationNote).HasMaxLength(200);
            checkpoint.HasOne<Area>().WithMany().HasForeignKey(c => c.AreaCode).HasPrincipalKey(a => a.Code).OnDelete(DeleteBehavior.Restrict);
        });
        builder.Entity<Passage>(passage =>
        {
            // Sent again after an outage or a retry, a passage is the same row: the console's id is unique.
            passage.HasIndex(p => p.ClientId).IsUnique();
            passage.HasIndex(p => new { p.CheckpointId, p.At });
            passage.Property(p => p.AreaCode).HasMaxLength(15).PrefixSearchable();
            passage.HasIndex(p => new { p.AreaCode, p.At });
            passage.HasIndex(p => new { p.ResidentId, p.At });
            passage.Property(p => p.Reason).HasMaxLength(20);
            passage.Property(p => p.RecordedBy).HasMaxLength(256);
            // Append-only and high-volume: no foreign keys to residents or outsiders, so old rows can be dropped by
            // day (retention, ADR 012) without touching the registry.
            passage.HasOne<Checkpoint>().WithMany().HasForeignKey(p => p.CheckpointId).OnDelete(DeleteBehavior.Restrict);
        });
        builder.Entity<Outsider>(outsider =>
        {
            outsider.Property(o => o.AreaCode).HasMaxLength(15).PrefixSearchable();
            outsider.HasIndex(o => new { o.AreaCode, o.RegisteredAt });
            outsider.HasIndex(o => new { o.CheckpointId, o.RegisteredAt });
            outsider.Property(o => o.Name).HasMaxLength(50);
            outsider.Property(o => o.Phone).HasMaxLength(20);
            outsider.Property(o => o.Note).HasMaxLength(200);
            outsider.Property(o => o.RegisteredBy).HasMaxLength(256);
            outsider.HasOne<Checkpoint>().WithMany().HasForeignKey(o => o.CheckpointId).OnDelete(DeleteBehavior.Restrict);
        });
    }
}
