using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Cordon.Features.Health;
using Cordon.Features.Passes;
using Cordon.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Cordon.Tests.Passes;

/// <summary>
/// Checking passes on each database, as a checkpoint does: offline with the published key set, or at the server's
/// verify endpoint, which names the reason for every pass it rejects and never returns the content of one.
/// </summary>
public abstract class PassVerifyApiTests(CordonApp app) : AppTests(app)
{
    private static DateTime Now => DateTime.UtcNow;

    private async Task<PassSigner> CurrentKey() =>
        await App.Services.GetRequiredService<PassKeyRing>().SigningKeyAsync(PassFormat.WholeSeconds(Now));

    private static PassContent Content(DateTime issuedAt, HealthColour colour = HealthColour.Red, int lifetimeSeconds = 300) =>
        new("", 77, colour, [PopupKind.ScreeningRound], issuedAt.AddHours(-30), "李*明", PassFormat.WholeSeconds(issuedAt),
            PassFormat.WholeSeconds(issuedAt).AddSeconds(lifetimeSeconds));

    private async Task<PassCheck> Verify(string? qr, string user = "worker")
    {
        using var client = await App.ClientFor(user);
        var response = await client.PostAsJsonAsync("/api/v1/passes/verify", new PassVerifyInput(qr), Json.Options);
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        return await response.ReadAs<PassCheck>();
    }

    [SkippableFact]
    public async Task A_pass_verifies_offline_with_the_published_key_set()
    {
        var pass = (await CurrentKey()).Sign(Content(Now, HealthColour.Green));

        using var anonymous = App.Anonymous();
        var response = await anonymous.GetAsync(PassesServices.KeySetPath);
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        response.Headers.CacheControl!.Public.ShouldBeTrue();
        response.Headers.CacheControl.MaxAge.ShouldNotBeNull();
        var keySet = await response.ReadAs<PassKeySet>();
        keySet.Keys.ShouldNotBeEmpty();
        keySet.Keys.ShouldAllBe(k => k.Kty == "EC" && k.Crv == "P-256" && k.Alg == "ES256" && k.X.Length == 43 && k.Y.Length == 43 && k.Exp > k.Nbf);

        var published = keySet.Keys.Select(k => new PassPublicKey(k.Kid, Base64Url.DecodeFromChars(k.X), Base64Url.DecodeFromChars(k.Y),
            DateTime.UnixEpoch.AddSeconds(k.Nbf), DateTime.UnixEpoch.AddSeconds(k.Exp))).ToList();
        var offline = new PassVerifier(kid => published.FirstOrDefault(k => k.KeyId == kid), TimeSpan.FromSeconds(60));
        var result = offline.Verify(pass, Now);
        result.Outcome.ShouldBe(PassOutcome.Valid);
        result.Content!.Colour.ShouldBe(HealthColour.Green);
    }

    [SkippableFact]
    public async Task The_server_returns_the_content_of_a_valid_pass_with_the_test_age_now()
    {
        var pass = (await CurrentKey()).Sign(Content(Now));

        var check = await Verify(pass);

        (check.Valid, check.Outcome).ShouldBe((true, "valid"));
        var content = check.Content.ShouldNotBeNull();
        (content.ResidentId, content.Colour, content.MaskedName).ShouldBe((77L, HealthColour.Red, "李*明"));
        content.Popups.ShouldBe([PopupKind.ScreeningRound]);
        content.TestAgeHours.ShouldNotBeNull().ShouldBeInRange(29.9, 30.1);
    }

    [SkippableFact]
    public async Task A_red_pass_re_signed_by_a_forger_under_our_key_id_is_a_bad_signature_without_content()
    {
        var key = await CurrentKey();
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = PassFormat.Sign(Content(Now, HealthColour.Green) with { KeyId = key.KeyId }, forger);

        var check = await Verify(forged);

        (check.Valid, check.Outcome, check.Content).ShouldBe((false, "bad-signature", (PassCheckContent?)null));
        check.Reason.ShouldContain("forged");
        check.Current.ShouldBeNull(); // nobody's status is told for a forged pass
    }

    [SkippableFact]
    public async Task An_expired_pass_is_rejected_as_expired()
    {
        var old = (await CurrentKey()).Sign(Content(Now.AddMinutes(-10), HealthColour.Green));

        var check = await Verify(old, "admin");

        (check.Valid, check.Outcome, check.Content).ShouldBe((false, "expired", (PassCheckContent?)null));
        check.Reason.ShouldContain("expired");
    }

    [SkippableFact]
    public async Task A_pass_signed_with_an_unknown_key_is_rejected_as_unknown_key()
    {
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pass = PassFormat.Sign(Content(Now, HealthColour.Green) with { KeyId = "NotOurKey1" }, stranger);

        var check = await Verify(pass);

        (check.Valid, check.Outcome, check.Content).ShouldBe((false, "unknown-key", (PassCheckContent?)null));
    }

    [SkippableTheory]
    [InlineData("hello")]
    [InlineData("HC1:NCFOXN%TS3DH")]
    [InlineData("CDP1.e30.AAAA")]
    public async Task Malformed_text_is_rejected_with_the_reason(string qr)
    {
        var check = await Verify(qr);

        (check.Valid, check.Outcome, check.Content).ShouldBe((false, "malformed", (PassCheckContent?)null));
        check.Reason.ShouldNotBeNullOrWhiteSpace();
    }

    [SkippableFact]
    public async Task A_missing_or_oversized_pass_text_is_a_field_error_and_residents_cannot_verify()
    {
        using var worker = await App.ClientFor("worker");
        var empty = await worker.PostAsJsonAsync("/api/v1/passes/verify", new PassVerifyInput(null), Json.Options);
        await empty.ShouldHaveStatus(HttpStatusCode.BadRequest);
        (await empty.ReadJson()).GetProperty("errors").TryGetProperty("qr", out _).ShouldBeTrue();
        var huge = await worker.PostAsJsonAsync("/api/v1/passes/verify", new PassVerifyInput("CDP1." + new string('A', 2000)), Json.Options);
        await huge.ShouldHaveStatus(HttpStatusCode.BadRequest);

        using var resident = await App.ClientFor("resident");
        (await resident.PostAsJsonAsync("/api/v1/passes/verify", new PassVerifyInput("x"), Json.Options)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var anonymous = App.Anonymous();
        (await anonymous.PostAsJsonAsync("/api/v1/passes/verify", new PassVerifyInput("x"), Json.Options)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}

public sealed class PassVerifyApiTestsOnSqlite(SqliteApp app) : PassVerifyApiTests(app), IClassFixture<SqliteApp>;

public sealed class PassVerifyApiTestsOnPostgres(PostgresApp app) : PassVerifyApiTests(app), IClassFixture<PostgresApp>;
