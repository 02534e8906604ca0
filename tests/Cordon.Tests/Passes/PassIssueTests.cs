using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Health;
using Cordon.Features.Passes;
using Cordon.Tests.Health;
using Cordon.Tests.Support;
using Cordon.Tests.Testing;

namespace Cordon.Tests.Passes;

/// <summary>
/// A resident's pass on each database, from the stored health status: it verifies offline with the published keys and
/// at the server, carries the test age of a released negative result and the popup of an open screening round, and
/// the resident's page shows it.
/// </summary>
public abstract class PassIssueTests(CordonApp app) : AppTests(app)
{
    private static async Task<MyPass> MyPass(HttpClient resident)
    {
        var response = await resident.GetAsync("/api/v1/me/pass");
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        return await response.ReadAs<MyPass>();
    }

    private async Task<PassVerifier> OfflineVerifier()
    {
        using var anonymous = App.Anonymous();
        var keySet = await (await anonymous.GetAsync(PassesServices.KeySetPath)).ReadAs<PassKeySet>();
        var keys = keySet.Keys.Select(k => new PassPublicKey(k.Kid, Base64Url.DecodeFromChars(k.X), Base64Url.DecodeFromChars(k.Y),
            DateTime.UnixEpoch.AddSeconds(k.Nbf), DateTime.UnixEpoch.AddSeconds(k.Exp))).ToList();
        return new PassVerifier(kid => keys.FirstOrDefault(k => k.KeyId == kid), TimeSpan.FromSeconds(60));
    }

    private async Task<PassCheck> CheckAtServer(string qr)
    {
        using var worker = await App.ClientFor("worker");
        var response = await worker.PostAsJsonAsync("/api/v1/passes/verify", new PassVerifyInput(qr), Json.Options);
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        return await response.ReadAs<PassCheck>();
    }

    [SkippableFact]
    public async Task A_new_resident_gets_a_green_pass_that_verifies_with_the_published_keys_and_at_the_server()
    {
        var person = (await App.RegisterPeople(1)).Single();
        using var resident = await App.ResidentClient(person);

        var pass = await MyPass(resident);

        pass.Qr.ShouldStartWith(PassFormat.Prefix);
        (pass.ExpiresAt - pass.IssuedAt).ShouldBe(TimeSpan.FromMinutes(5));
        pass.RefreshAt.ShouldBeInRange(pass.IssuedAt, pass.ExpiresAt);
        pass.Status.Colour.ShouldBe(HealthColour.Green);
        pass.Status.Popups.ShouldBeEmpty();
        pass.Status.TestAgeHours.ShouldBeNull();
        pass.Status.MaskedName.ShouldContain("*");

        var offline = (await OfflineVerifier()).Verify(pass.Qr, DateTime.UtcNow);
        offline.Outcome.ShouldBe(PassOutcome.Valid);
        var content = offline.Content!;
        (content.ResidentId, content.Colour, content.KeyId, content.MaskedName).ShouldBe((person.ResidentId, HealthColour.Green, pass.KeyId, pass.Status.MaskedName));
        content.LastNegativeSampledAt.ShouldBeNull();

        var atServer = await CheckAtServer(pass.Qr);
        (atServer.Valid, atServer.Content!.ResidentId, atServer.Content.Colour).ShouldBe((true, person.ResidentId, HealthColour.Green));
        (atServer.Current!.Colour, atServer.Current.ChangedSinceIssued).ShouldBe((HealthColour.Green, false));

        // Each request signs a fresh pass.
        (await MyPass(resident)).Qr.ShouldNotBe(pass.Qr);
    }

    [SkippableFact]
    public async Task A_released_negative_result_puts_the_test_age_in_the_pass()
    {
        var people = await App.RegisterPeople(2);
        var tube = await App.SampleTube(10, people);
        var lab = await App.FirstLab();
        await App.DeliverToLab(lab, tube.Barcode);
        await App.ImportResultsOk(lab, SamplingKit.ResultsCsv((tube.Barcode, "negative", null)));
        var stored = await App.StatusWhen(people[0].ResidentId, s => s.LastNegativeSampledAt is not null, "tested negative");
        stored.LastNegativeSampledAt!.Value.ShouldBe(tube.CollectedAt!.Value, TimeSpan.FromMinutes(1));
        using var resident = await App.ResidentClient(people[0]);

        var pass = await MyPass(resident);

        pass.Status.TestAgeHours.ShouldNotBeNull().ShouldBeLessThan(1);
        var check = await CheckAtServer(pass.Qr);
        check.Content!.LastNegativeSampledAt.ShouldBe(PassFormat.WholeSeconds(stored.LastNegativeSampledAt.Value));
        check.Content.TestAgeHours.ShouldNotBeNull().ShouldBeLessThan(1);
    }

    [SkippableFact]
    public async Task Untested_in_an_open_round_the_pass_carries_the_popup_and_the_page_asks_to_book_a_test()
    {
        var person = (await App.RegisterPeople(1, CordonApp.BuildingB, "worker2")).Single();
        using var resident = await App.ResidentClient(person);
        var before = await MyPass(resident);
        before.Status.Popups.ShouldBeEmpty();

        await App.OpenRound(ScreeningKit.Round(CordonApp.CommunityB));
        await App.StatusWhen(person.ResidentId, s => s.Popups.Any(p => p.Kind == PopupKind.ScreeningRound), "given the round's popup");

        // The pass issued before the round is still authentic, and the server says what changed since.
        var old = await CheckAtServer(before.Qr);
        old.Content!.Popups.ShouldBeEmpty();
        var current = old.Current.ShouldNotBeNull();
        current.Popups.ShouldContain(PopupKind.ScreeningRound);
        current.ChangedSinceIssued.ShouldBeTrue();

        var pass = await MyPass(resident);

        pass.Status.Popups.ShouldContain(p => p.Kind == PopupKind.ScreeningRound);
        var check = await CheckAtServer(pass.Qr);
        check.Content!.Popups.ShouldContain(PopupKind.ScreeningRound);
        check.Current!.ChangedSinceIssued.ShouldBeFalse();

        var page = await resident.GetStringAsync("/me/health");
        page.ShouldContain("id=\"health-pass\"");
        page.ShouldContain("data-kind=\"ScreeningRound\"");
        page.ShouldContain("href=\"me/book\"");
        page.ShouldContain("<svg");
    }

    [SkippableFact]
    public async Task The_page_shows_the_colour_the_masked_name_and_the_qr_and_the_home_page_links_to_it()
    {
        var person = (await App.RegisterPeople(1)).Single();
        using var resident = await App.ResidentClient(person);
        var pass = await MyPass(resident);

        var page = await resident.GetStringAsync("/me/health");

        page.ShouldContain("id=\"health-pass\"");
        page.ShouldContain("data-colour=\"Green\"");
        page.ShouldContain(pass.Status.MaskedName);
        page.ShouldContain("js/health-pass");
        page.ShouldNotContain("health-popups");
        (await resident.GetStringAsync("/me")).ShouldContain("href=\"me/health\"");
    }

    [SkippableFact]
    public async Task Staff_and_anonymous_callers_get_no_pass()
    {
        using var worker = await App.ClientFor("worker");
        (await worker.GetAsync("/api/v1/me/pass")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var anonymous = App.Anonymous();
        (await anonymous.GetAsync("/api/v1/me/pass")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}

public sealed class PassIssueTestsOnSqlite(SqliteApp app) : PassIssueTests(app), IClassFixture<SqliteApp>;

public sealed class PassIssueTestsOnPostgres(PostgresApp app) : PassIssueTests(app), IClassFixture<PostgresApp>;
