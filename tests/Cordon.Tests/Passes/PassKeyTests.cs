using Cordon.Features.Health;
using Cordon.Features.Passes;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cordon.Tests.Passes;

/// <summary>
/// Pass signing keys on each database (ADR 008): created on first use, rotated per slot with the next key published a
/// day ahead, old keys kept until every pass they signed has expired, and one key per slot however many hosts race.
/// Each ring here is a host of its own (a fresh in-memory cache over the shared database), at instants years ahead so
/// that the keys of the tests' real-time passes are not involved.
/// </summary>
public abstract class PassKeyTests(CordonApp app) : AppTests(app)
{
    private PassKeyRing NewHost() => ActivatorUtilities.CreateInstance<PassKeyRing>(App.Services);

    private static PassContent Content(DateTime issuedAt) =>
        new("", 1, HealthColour.Green, [], null, "张*三", issuedAt, issuedAt.AddMinutes(5));

    [SkippableFact]
    public async Task Rotation_keeps_a_pass_signed_just_before_the_change_verifiable_until_it_expires_and_retires_its_key_after()
    {
        var host = NewHost();
        var boundary = host.DueSlots(new DateTime(2031, 3, 1, 0, 0, 0, DateTimeKind.Utc))[0].AddDays(7);
        var beforeChange = boundary.AddMinutes(-2);

        // Two minutes before the change the old slot's key signs, and the next key is already published.
        var oldKey = await host.SigningKeyAsync(beforeChange);
        var pass = oldKey.Sign(Content(beforeChange));
        var published = await host.PublishedAsync(beforeChange);
        published.Count(k => k.NotBefore == boundary).ShouldBe(1);
        published.ShouldContain(k => k.KeyId == oldKey.KeyId);

        // After the change a new key signs; the pass signed by the old one still verifies until it expires.
        var afterChange = boundary.AddMinutes(1);
        var newKey = await host.SigningKeyAsync(afterChange);
        newKey.KeyId.ShouldNotBe(oldKey.KeyId);
        newKey.SlotStart.ShouldBe(boundary);
        (await host.VerifierAsync(pass, afterChange)).Verify(pass, afterChange).Outcome.ShouldBe(PassOutcome.Valid);
        var newPass = newKey.Sign(Content(afterChange));
        (await host.VerifierAsync(newPass, afterChange)).Verify(newPass, afterChange).Outcome.ShouldBe(PassOutcome.Valid);
        (await host.VerifierAsync(pass, beforeChange.AddMinutes(7))).Verify(pass, beforeChange.AddMinutes(7)).Outcome.ShouldBe(PassOutcome.Expired);

        // Once every pass it signed has expired, the old key is no longer published: its passes are unknown-key.
        var retired = oldKey.Public.RetireAt;
        retired.ShouldBeGreaterThanOrEqualTo(boundary.Add(PassFormat.MaxLifetime));
        (await host.PublishedAsync(retired)).ShouldNotContain(k => k.KeyId == oldKey.KeyId);
        (await host.PublishedAsync(retired)).ShouldContain(k => k.KeyId == newKey.KeyId);
        (await host.VerifierAsync(pass, retired)).Verify(pass, retired).Outcome.ShouldBe(PassOutcome.UnknownKey);
    }

    [SkippableFact]
    public async Task Another_host_signs_with_the_same_key_and_verifies_passes_of_the_first()
    {
        var at = new DateTime(2032, 6, 15, 12, 0, 0, DateTimeKind.Utc);
        var first = NewHost();
        var second = NewHost();

        var key = await first.SigningKeyAsync(at);
        var pass = key.Sign(Content(at));

        (await second.SigningKeyAsync(at)).KeyId.ShouldBe(key.KeyId);
        (await second.VerifierAsync(pass, at.AddMinutes(1))).Verify(pass, at.AddMinutes(1)).IsValid.ShouldBeTrue();
    }

    [SkippableFact]
    public async Task Hosts_racing_for_a_new_slot_end_with_one_key_for_it()
    {
        var at = new DateTime(2033, 9, 1, 12, 0, 0, DateTimeKind.Utc);
        var hosts = Enumerable.Range(0, 6).Select(_ => NewHost()).ToList();

        var keys = await Task.WhenAll(hosts.Select(h => Task.Run(() => h.SigningKeyAsync(at))));

        keys.Select(k => k.KeyId).Distinct().ShouldHaveSingleItem();
        await using var scope = App.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync();
        var slot = keys[0].SlotStart;
        (await db.PassSigningKeys.CountAsync(k => k.SlotStart == slot)).ShouldBe(1);
    }

    [SkippableFact]
    public async Task Private_keys_are_stored_encrypted_and_public_keys_as_coordinates()
    {
        var at = new DateTime(2034, 2, 1, 12, 0, 0, DateTimeKind.Utc);
        var key = await NewHost().SigningKeyAsync(at);

        await using var scope = App.Services.CreateAsyncScope();

        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync();
        var row = await db.PassSigningKeys.AsNoTracking().SingleAsync(k => k.KeyId == key.KeyId);
        row.PublicX.ShouldBe(System.Buffers.Text.Base64Url.EncodeToString(key.Public.X));
        row.PrivateKeyCipher.ShouldNotStartWith("MIG"); // the base64 of a PKCS#8 P-256 key starts with MIG
        var pkcs8 = Convert.FromBase64String(App.Services.GetRequiredService<PersonalDataProtector>().Decrypt(row.PrivateKeyCipher));
        using var privateKey = System.Security.Cryptography.ECDsa.Create();
        privateKey.ImportPkcs8PrivateKey(pkcs8, out _);
        privateKey.ExportParameters(false).Q.X.ShouldBe(key.Public.X);
    }
}

public sealed class PassKeyTestsOnSqlite(SqliteApp app) : PassKeyTests(app), IClassFixture<SqliteApp>;

public sealed class PassKeyTestsOnPostgres(PostgresApp app) : PassKeyTests(app), IClassFixture<PostgresApp>;
