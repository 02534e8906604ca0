using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Passes;

/// <summary>
/// A pass signing key (ADR 008): one per rotation slot. <see cref="SlotStart"/> is unique, so two hosts creating the
/// same slot's key at once cannot both succeed. The private key is PKCS#8, encrypted with the personal-data key.
/// </summary>
public sealed class PassSigningKey
{
    public required string KeyId { get; set; }
    public DateTime SlotStart { get; set; }
    public DateTime SlotEnd { get; set; }
    /// <summary>Every pass the key signed has expired by then: it is no longer published.</summary>
    public DateTime RetireAt { get; set; }
    /// <summary>The public point's coordinates, base64url (32 bytes each).</summary>
    public required string PublicX { get; set; }
    public required string PublicY { get; set; }
    public required string PrivateKeyCipher { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>The pass signing keys table (migration 0005_passes).</summary>
internal static class PassesModel
{
    public static void AddPassesModel(this ModelBuilder builder)
    {
        builder.Entity<PassSigningKey>(key =>
        {
            key.HasKey(k => k.KeyId);
            key.Property(k => k.KeyId).HasMaxLength(PassFormat.MaxKeyIdLength);
            key.HasIndex(k => k.SlotStart).IsUnique();
            key.HasIndex(k => k.RetireAt);
            key.Property(k => k.PublicX).HasMaxLength(43);
            key.Property(k => k.PublicY).HasMaxLength(43);
            key.Property(k => k.PrivateKeyCipher).HasMaxLength(400);
        });
    }
}
