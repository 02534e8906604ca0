using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Health;
using Cordon.Features.Registry;
using Cordon.Features.Scans;
using Cordon.Infrastructure.Web;
using Cordon.Tests.Health;
using Cordon.Tests.Support;
using Cordon.Tests.Testing;

namespace Cordon.Tests.Scans;

/// <summary>
/// A resident scans a venue's poster: the decision follows their stored status and the venue's rule, the check-in is
/// recorded once, and staff see the venue's check-ins inside their jurisdiction only.
/// </summary>
public abstract class CheckInTests(CordonApp app) : AppTests(app)
{
    private async Task<(Person Person, HttpClient Client)> Resident(string areaCode = CordonApp.BuildingA, string registrar = "worker")
    {
        var person = (await App.RegisterPeople(1, areaCode, registrar)).Single();
        return (person, await App.ResidentClient(person));
    }

    [SkippableFact]
    public async Task A_green_resident_at_a_supermarket_is_allowed_and_the_check_in_is_recorded()
    {
        var (person, resident) = await Resident();
        var venue = await App.NewVenue(VenueCategory.Supermarket);

        var result = await resident.CheckInOk(venue.VenueCode);

        (result.Decision, result.Reason, result.Colour).ShouldBe((ScanDecision.Allowed, ScanReason.Ok, HealthColour.Green));
        (result.VenueId, result.VenueName, result.AlreadyRecorded).ShouldBe((venue.Id, venue.Name, false));
        result.ScannedAt.ShouldBe(DateTime.UtcNow, TimeSpan.FromMinutes(1));
        var mine = (await resident.MyScans()).ShouldHaveSingleItem();
        (mine.VenueId, mine.VenueName, mine.Decision).ShouldBe((venue.Id, venue.Name, ScanDecision.Allowed));

        // The poster's link works as well as the bare code.
        (await resident.CheckInOk($"https://cordon.example/v/{venue.VenueCode}")).VenueId.ShouldBe(venue.Id);
        (await resident.MyScans()).Count.ShouldBe(2);
        person.ResidentId.ShouldBeGreaterThan(0);
    }

    [SkippableFact]
    public async Task At_a_workplace_a_green_resident_without_a_negative_test_in_48_hours_is_not_allowed_until_the_venue_drops_that_rule()
    {
        var (_, resident) = await Resident();
        var office = await App.NewVenue(VenueCategory.Office);

        var result = await resident.CheckInOk(office.VenueCode);
        (result.Decision, result.Reason, result.Rule.NegativeTestHours).ShouldBe((ScanDecision.NotAllowed, ScanReason.NoRecentNegativeTest, 48));
        (await resident.MyScans()).ShouldHaveSingleItem().Decision.ShouldBe(ScanDecision.NotAllowed);

        // The venue's own rule (green, no popup, no test) replaces the category's default.
        using var worker = await App.ClientFor("worker");
        var put = await worker.PutAsJsonAsync($"/api/v1/venues/{office.Id}/rule", new VenueRuleInput(HealthColour.Green, false, null), Json.Options);
        await put.ShouldHaveStatus(HttpStatusCode.OK);
        (await put.ReadAs<VenueRuleDto>()).Overridden.ShouldBeTrue();
        (await resident.CheckInOk(office.VenueCode)).Decision.ShouldBe(ScanDecision.Allowed);

        var bad = await worker.PutAsJsonAsync($"/api/v1/venues/{office.Id}/rule", new VenueRuleInput(null, null, 36), Json.Options);
        await bad.ShouldBeValidationProblem("maxColour", "popupAllowed", "negativeTestHours");
    }

    [SkippableFact]
    public async Task A_resident_with_a_popup_is_not_allowed_and_is_told_why()
    {
        var (person, resident) = await Resident(CordonApp.BuildingB, "worker2");
        await App.OpenRound(ScreeningKit.Round(CordonApp.BuildingB));
        await App.StatusWhen(person.ResidentId, s => s.Popups.Count > 0, "with a popup");
        var supermarket = await App.NewVenue(VenueCategory.Supermarket, CordonApp.CommunityB, registrar: "worker2");

        var result = await resident.CheckInOk(supermarket.VenueCode);

        (result.Decision, result.Reason).ShouldBe((ScanDecision.NotAllowed, ScanReason.Popup));
        (await resident.MyScans()).ShouldHaveSingleItem().Reason.ShouldBe(ScanReason.Popup);
    }

    [SkippableFact]
    public async Task An_unknown_venue_code_is_a_404_problem_and_nothing_is_recorded()
    {
        var (_, resident) = await Resident();

        var problem = await (await resident.CheckIn("VZZZZZZZZZZ")).ShouldBeProblem(HttpStatusCode.NotFound);
        problem.GetProperty("detail").GetString()!.ShouldContain("Nothing was recorded");
        await (await resident.CheckIn("venue:<script>")).ShouldBeProblem(HttpStatusCode.NotFound);
        await (await resident.CheckIn("")).ShouldBeValidationProblem("venueCode");
        var venue = await App.NewVenue(VenueCategory.Supermarket);
        await (await resident.CheckIn(venue.VenueCode, null)).ShouldHaveStatus(HttpStatusCode.OK);
        await (await resident.PostAsJsonAsync("/api/v1/scans", new ScanInput(venue.VenueCode, "not-a-uuid"), Json.Options)).ShouldBeValidationProblem("clientId");

        (await resident.MyScans()).ShouldHaveSingleItem().VenueId.ShouldBe(venue.Id);
    }

    [SkippableFact]
    public async Task A_resent_check_in_is_stored_once_and_answered_as_first_stored()
    {
        var (_, resident) = await Resident();
        var venue = await App.NewVenue(VenueCategory.Supermarket);
        var clientId = Guid.NewGuid();

        var first = await resident.CheckInOk(venue.VenueCode, clientId);
        var again = await resident.CheckInOk(venue.VenueCode, clientId);

        first.AlreadyRecorded.ShouldBeFalse();
        again.AlreadyRecorded.ShouldBeTrue();
        (again.ClientId, again.Decision, again.VenueId).ShouldBe((clientId, first.Decision, venue.Id));
        again.ScannedAt.ShouldBe(first.ScannedAt, TimeSpan.FromMilliseconds(1));
        (await resident.MyScans()).ShouldHaveSingleItem();
    }

    [SkippableFact]
    public async Task A_suspended_venue_lets_nobody_in_but_records_the_check_in_for_tracing()
    {
        var (_, resident) = await Resident();
        var venue = await App.NewVenue(VenueCategory.Supermarket, status: VenueStatus.Suspended);

        var result = await resident.CheckInOk(venue.VenueCode);

        (result.Decision, result.Reason).ShouldBe((ScanDecision.NotAllowed, ScanReason.VenueSuspended));
        (await resident.MyScans()).ShouldHaveSingleItem();
    }

    [SkippableFact]
    public async Task The_posters_link_opens_the_check_in_page_after_sign_in_and_viewing_it_records_nothing()
    {
        var venue = await App.NewVenue(VenueCategory.Supermarket);
        using var anonymous = App.Anonymous();
        var response = await anonymous.GetAsync($"/v/{venue.VenueCode}");
        ((int)response.StatusCode).ShouldBeInRange(301, 303);
        response.Headers.Location!.ToString().ShouldContain("login?returnUrl=" + Uri.EscapeDataString($"/v/{venue.VenueCode}"));

        var (_, resident) = await Resident();
        var page = await resident.GetStringAsync($"/v/{venue.VenueCode}");
        page.ShouldContain(venue.Name);
        page.ShouldContain("scan-submit");
        (await resident.GetStringAsync("/v/VZZZZZZZZZZ")).ShouldContain("scan-unknown");
        (await resident.MyScans()).ShouldBeEmpty();

        await resident.CheckInOk(venue.VenueCode);
        (await resident.GetStringAsync("/me/scans")).ShouldContain(venue.Name);
        using var worker = await App.ClientFor("worker");
        var staffPage = await worker.GetStringAsync($"/scans?venue={venue.Id}");
        staffPage.ShouldContain("scans-hours");
        staffPage.ShouldContain("scans-list");
    }

    [SkippableFact]
    public async Task Staff_see_a_venues_check_ins_with_masked_names_and_counts_per_hour_inside_their_jurisdiction_only()
    {
        var (_, resident) = await Resident();
        var (_, other) = await Resident();
        var venue = await App.NewVenue(VenueCategory.Office);
        await resident.CheckInOk(venue.VenueCode);
        await other.CheckInOk(venue.VenueCode);

        using var worker = await App.ClientFor("worker");
        var page = (await worker.GetFromJsonAsync<Page<VenueScanDto>>($"/api/v1/venues/{venue.Id}/scans?limit=1", Json.Options))!;
        page.Items.ShouldHaveSingleItem().Name.ShouldContain("*");
        page.NextCursor.ShouldNotBeNull();
        var rest = (await worker.GetFromJsonAsync<Page<VenueScanDto>>($"/api/v1/venues/{venue.Id}/scans?limit=1&after={page.NextCursor}", Json.Options))!;
        rest.Items.ShouldHaveSingleItem().ResidentId.ShouldNotBe(page.Items[0].ResidentId);
        rest.NextCursor.ShouldBeNull();

        var day = (await worker.GetFromJsonAsync<VenueScanDay>($"/api/v1/venues/{venue.Id}/scans/hourly", Json.Options))!;
        (day.Allowed, day.NotAllowed, day.Hours.Count).ShouldBe((0, 2, 24));
        day.Hours.Sum(h => h.NotAllowed).ShouldBe(2);

        // worker2 keeps the neighbouring community: the venue does not exist for them.
        using var worker2 = await App.ClientFor("worker2");
        await (await worker2.GetAsync($"/api/v1/venues/{venue.Id}/scans")).ShouldHaveStatus(HttpStatusCode.NotFound);
        await (await worker2.GetAsync($"/api/v1/venues/{venue.Id}/scans/hourly")).ShouldHaveStatus(HttpStatusCode.NotFound);
        // A resident cannot read a venue's check-ins at all.
        await (await resident.GetAsync($"/api/v1/venues/{venue.Id}/scans")).ShouldHaveStatus(HttpStatusCode.Forbidden);
    }
}

public sealed class CheckInTestsOnSqlite(SqliteApp app) : CheckInTests(app), IClassFixture<SqliteApp>;

public sealed class CheckInTestsOnPostgres(PostgresApp app) : CheckInTests(app), IClassFixture<PostgresApp>;
