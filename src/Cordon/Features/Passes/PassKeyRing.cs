using System.Buffers.Text;
using System.Security.Cryptography;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cordon.Features.Passes;

/// <summary>A key that signs the passes of its slot.</summary>
public sealed class PassSigner
{
    private readonly EcdsaPool _keys;

    internal PassSigner(PassPublicKey publicKey, DateTime slotStart, DateTime slotEnd, byte[] pkcs8)
    {
        Public = publicKey;
        SlotStart = slotStart;
        SlotEnd = slotEnd;
        _keys = new EcdsaPool(() =>
        {
            var key = ECDsa.Create();
            key.ImportPkcs8PrivateKey(pkcs8, out _);
            return key;
        });
    }

    public PassPublicKey Public { get; }
    public string KeyId => Public.KeyId;
    public DateTime SlotStart { get; }
    public DateTime SlotEnd { get; }

    public string Sign(PassContent content) => _keys.Use(key => PassFormat.Sign(content with { KeyId = KeyId }, key));
}

/// <summary>
/// The pass signing keys of every host (ADR 008): one key per rotation slot aligned to the Unix epoch, the next one
/// created and published ahead of its slot, each kept published until every pass it signed has expired. Keys live in
/// the database (private halves encrypted) and are created on first use; this host keeps the live ones in memory.
/// </summary>
public sealed partial class PassKeyRing(IServiceScopeFactory scopes, PersonalDataProtector protector, IOptions<PassOptions> options,
    ILogger<PassKeyRing> log)
{
    /// <summary>How often a host looks in the database for a key id it does not know (created by another host).</summary>
    private static readonly TimeSpan UnknownKeyRecheck = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile Loaded _loaded = new([], DateTime.MinValue);

    private sealed record Loaded(IReadOnlyList<PassSigner> Keys, DateTime At);

    private PassOptions Options => options.Value;

    /// <summary>The key that signs the passes issued at <paramref name="now"/>; created (with the next one, when due) on first use.</summary>
    public async Task<PassSigner> SigningKeyAsync(DateTime now, CancellationToken ct = default)
    {
        if (Current(_loaded, now) is { } key && HasWhatIsDue(_loaded, now)) return key;
        var loaded = await EnsureAsync(now, ct);
        return Current(loaded, now) ?? throw new InvalidOperationException("No pass signing key for the current slot.");
    }

    /// <summary>The public keys a verifier needs at <paramref name="now"/>: the current slot's, the next one's when due, and every one not yet retired.</summary>
    public async Task<IReadOnlyList<PassPublicKey>> PublishedAsync(DateTime now, CancellationToken ct = default)
    {
        var loaded = HasWhatIsDue(_loaded, now) ? _loaded : await EnsureAsync(now, ct);
        return loaded.Keys.Where(k => k.Public.RetireAt > now).OrderBy(k => k.SlotStart).Select(k => k.Public).ToList();
    }

    /// <summary>A verifier over the keys published at <paramref name="now"/>, looking once more in the database for a key id it does not know.</summary>
    public async Task<PassVerifier> VerifierAsync(string? text, DateTime now, CancellationToken ct = default)
    {
        var keys = await PublishedAsync(now, ct);
        var kid = PassFormat.Parse(text, out _)?.Content.KeyId;
        if (kid is not null && keys.All(k => k.KeyId != kid) && now - _loaded.At > UnknownKeyRecheck)
        {
            await ReloadAsync(now, ct);
            keys = await PublishedAsync(now, ct);
        }
        return new PassVerifier(id => keys.FirstOrDefault(k => k.KeyId == id), Options.ClockSkew);
    }

    private static PassSigner? Current(Loaded loaded, DateTime now) =>
        loaded.Keys.FirstOrDefault(k => k.SlotStart <= now && now < k.SlotEnd);

    private bool HasWhatIsDue(Loaded loaded, DateTime now) => DueSlots(now).All(slot => loaded.Keys.Any(k => k.SlotStart == slot));

    /// <summary>The slot starts that must have a key at <paramref name="now"/>: the current one, and the next within the publish-ahead window.</summary>
    public IReadOnlyList<DateTime> DueSlots(DateTime now)
    {
        var period = Options.Rotation.Ticks;
        var current = DateTime.UnixEpoch.AddTicks((now - DateTime.UnixEpoch).Ticks / period * period);
        var next = current.AddTicks(period);
        return now >= next - Options.PublishAhead ? [current, next] : [current];
    }

    private async Task<Loaded> EnsureAsync(DateTime now, CancellationToken ct)
    {
        await _loading.WaitAsync(ct);
        try
        {
            if (HasWhatIsDue(_loaded, now)) return _loaded;
            using var scope = scopes.CreateScope();
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync(ct);
            foreach (var slot in DueSlots(now))
            {
                if (await db.PassSigningKeys.AnyAsync(k => k.SlotStart == slot, ct)) continue;
                await CreateAsync(db, slot, now, ct);
            }
            return _loaded = await LoadAsync(db, now, ct);
        }
        finally
        {
            _loading.Release();
        }
    }

    private async Task ReloadAsync(DateTime now, CancellationToken ct)
    {
        await _loading.WaitAsync(ct);
        try
        {
            using var scope = scopes.CreateScope();
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync(ct);
            _loaded = await LoadAsync(db, now, ct);
        }
        finally
        {
            _loading.Release();
        }
    }

    private async Task CreateAsync(CordonDbContext db, DateTime slotStart, DateTime now, CancellationToken ct)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var point = key.ExportParameters(false).Q;
        var slotEnd = slotStart + Options.Rotation;
        var row = new PassSigningKey
        {
            KeyId = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(6)),
            SlotStart = slotStart,
            SlotEnd = slotEnd,
            RetireAt = slotEnd + PassFormat.MaxLifetime + Options.ClockSkew,
            PublicX = Base64Url.EncodeToString(point.X),
            PublicY = Base64Url.EncodeToString(point.Y),
            PrivateKeyCipher = protector.Encrypt(Convert.ToBase64String(key.ExportPkcs8PrivateKey())),
            CreatedAt = now,
        };
        db.PassSigningKeys.Add(row);
        try
        {
            await db.SaveChangesAsync(ct);
            LogCreated(log, row.KeyId, slotStart);
        }
        catch (DbUpdateException)
        {
            // Another host created this slot's key first (unique slot start): theirs is the one, read below.
            db.ChangeTracker.Clear();
            if (!await db.PassSigningKeys.AnyAsync(k => k.SlotStart == slotStart, ct)) throw;
        }
    }

    private async Task<Loaded> LoadAsync(CordonDbContext db, DateTime now, CancellationToken ct)
    {
        var rows = await db.PassSigningKeys.AsNoTracking().Where(k => k.RetireAt > now).OrderBy(k => k.SlotStart).ToListAsync(ct);
        var known = _loaded.Keys.ToDictionary(k => k.KeyId);
        var keys = rows.Select(r => known.TryGetValue(r.KeyId, out var loaded) ? loaded : Signer(r)).ToList();
        return new Loaded(keys, now);
    }

    private PassSigner Signer(PassSigningKey row)
    {
        var publicKey = new PassPublicKey(row.KeyId, Base64Url.DecodeFromChars(row.PublicX), Base64Url.DecodeFromChars(row.PublicY), row.SlotStart, row.RetireAt);
        return new PassSigner(publicKey, row.SlotStart, row.SlotEnd, Convert.FromBase64String(protector.Decrypt(row.PrivateKeyCipher)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created pass signing key {KeyId} for the slot starting {SlotStart:o}")]
    private static partial void LogCreated(ILogger logger, string keyId, DateTime slotStart);
}
