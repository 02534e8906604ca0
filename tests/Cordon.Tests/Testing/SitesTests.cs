using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Identity;
using Cordon.Features.Testing;
using Cordon.Infrastructure.Web;
using Cordon.Tests.Support;

namespace Cordon.Tests.Testing;

/// <summary>Sampling sites through the API: managers create and change them, staff see those of their jurisdiction, slots and staff.</summary>
public abstract class SitesTests(CordonApp app) : AppTests(app)
{
    [SkippableFact]
    public async Task A_manager_creates_a_site_and_staff_of_its_area_find_it_with_its_bookable_days()
    {
        var input = BookingKit.Site(slotMinutes: 30, capacity: 80, hours: "Mon-Sun 07:00-12:00,13:30-20:00");
        var site = await App.CreateSite(input);

        site.Name.ShouldBe(input.Name);
        site.OpeningHours.ShouldBe(input.OpeningHours);
        site.Latitude.ShouldBe(27.62);
        site.Days.Count.ShouldBe(4); // today and BookingDaysAhead (3) days
        site.Days[0].Day.ShouldBe(App.City().Today);
        site.Days.Skip(1).ShouldAllBe(d => d.Slots == 23 && d.Capacity == 23 * 80 && d.Free == 23 * 80 && d.NextFree != null);
        site.Queue.Waiting.ShouldBe(0);

        using var worker = await App.ClientFor("worker");
        var found = await worker.GetFromJsonAsync<Page<SiteSummary>>($"/api/v1/sites?area={CordonApp.CommunityA}&kind=Fixed&status=Open&limit=100", Json.Options);
        found!.Items.Select(s => s.Id).ShouldContain(site.Id);
        var detail = await worker.GetFromJsonAsync<SiteDetail>($"/api/v1/sites/{site.Id}", Json.Options);
        detail!.CapacityPerSlot.ShouldBe(80);

        var slots = await worker.GetFromJsonAsync<List<SlotDto>>($"/api/v1/sites/{site.Id}/slots?day={App.City().Today.AddDays(1):yyyy-MM-dd}", Json.Options);
        slots!.Count.ShouldBe(23);
        slots[0].LocalTime.ShouldBe(new TimeOnly(7, 0));
        slots[^1].LocalTime.ShouldBe(new TimeOnly(19, 30));
        slots.ShouldAllBe(s => s.Bookable && s.Capacity == 80 && s.Free == 80 && s.Booked == 0);
        // Yesterday's slots are shown to staff but cannot be booked.
        var yesterday = await worker.GetFromJsonAsync<List<SlotDto>>($"/api/v1/sites/{site.Id}/slots?day={App.City().Today.AddDays(-1):yyyy-MM-dd}", Json.Options);
        yesterday!.ShouldAllBe(s => !s.Bookable);
    }

    [SkippableFact]
    public async Task Staff_outside_the_sites_area_neither_list_nor_open_it()
    {
        var site = await App.CreateSite(BookingKit.Site(areaCode: CordonApp.CommunityB));
        using var worker = await App.ClientFor("worker");

        (await worker.GetAsync($"/api/v1/sites/{site.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await worker.GetAsync($"/api/v1/sites/{site.Id}/slots")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await worker.GetAsync($"/api/v1/sites/{site.Id}/appointments")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await worker.GetAsync($"/api/v1/sites/{site.Id}/queue")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var all = await worker.GetFromJsonAsync<Page<SiteSummary>>("/api/v1/sites?limit=100", Json.Options);
        all!.Items.Select(s => s.Id).ShouldNotContain(site.Id);
        all.Items.ShouldAllBe(s => s.AreaCode.StartsWith(CordonApp.CommunityA));
        (await worker.GetFromJsonAsync<Page<SiteSummary>>($"/api/v1/sites?area={CordonApp.CommunityB}", Json.Options))!.Items.ShouldBeEmpty();

        using var worker2 = await App.ClientFor("worker2");
        (await worker2.GetAsync($"/api/v1/sites/{site.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task Only_testing_managers_create_or_change_sites()
    {
        using var worker = await App.ClientFor("worker");
        (await worker.PostAsJsonAsync("/api/v1/sites", BookingKit.Site(), Json.Options)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var site = await App.CreateSite();
        (await worker.PutAsJsonAsync($"/api/v1/sites/{site.Id}", BookingKit.Site(), Json.Options)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var admin = await App.ClientFor("admin");
        (await admin.PostAsJsonAsync("/api/v1/sites", BookingKit.Site(), Json.Options)).StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [SkippableFact]
    public async Task A_site_with_bad_input_is_refused_naming_every_field_and_nothing_is_written()
    {
        using var commander = await App.ClientFor("commander");
        var before = await CountAsync(commander);

        var bad = new SiteInput("", "990102999999", " ", SiteKind.Fixed, SiteStatus.Open, 4, 0, "Mon 8-12", 95, 200);
        await (await commander.PostAsJsonAsync("/api/v1/sites", bad, Json.Options))
            .ShouldBeValidationProblem("name", "areaCode", "address", "slotMinutes", "capacityPerSlot", "openingHours", "latitude", "longitude");
        // Well-formed but unknown area, and an area outside the commander's district.
        await (await commander.PostAsJsonAsync("/api/v1/sites", BookingKit.Site(areaCode: "990102999999"), Json.Options)).ShouldBeValidationProblem("areaCode");
        await (await commander.PostAsJsonAsync("/api/v1/sites", BookingKit.Site(areaCode: "990103"), Json.Options)).ShouldBeValidationProblem("areaCode");
        await (await commander.PostAsJsonAsync("/api/v1/sites", BookingKit.Site(slotMinutes: 241), Json.Options)).ShouldBeValidationProblem("slotMinutes");
        await (await commander.PostAsJsonAsync("/api/v1/sites", BookingKit.Site(capacity: 10_001), Json.Options)).ShouldBeValidationProblem("capacityPerSlot");
        await (await commander.PostAsJsonAsync("/api/v1/sites", BookingKit.Site(hours: "Mon 08:00-08:03"), Json.Options)).ShouldBeValidationProblem("openingHours");
        await (await commander.PostAsJsonAsync("/api/v1/sites", new { name = "x", areaCode = CordonApp.CommunityA, address = "y", openingHours = "Mon 08:00-12:00", kind = "Boat" }))
            .ShouldBeProblem(HttpStatusCode.BadRequest);

        (await CountAsync(commander)).ShouldBe(before);
    }

    [SkippableFact]
    public async Task A_manager_changes_hours_capacity_and_status_and_a_closed_site_offers_no_slots()
    {
        var site = await App.CreateSite();
        using var commander = await App.ClientFor("commander");
        var change = BookingKit.Site(capacity: 7, slotMinutes: 20, hours: "Mon-Fri 08:00-10:00", status: SiteStatus.Closed) with { Name = site.Name };

        var response = await commander.PutAsJsonAsync($"/api/v1/sites/{site.Id}", change, Json.Options);

        await response.ShouldHaveStatus(HttpStatusCode.OK);
        var changed = await response.ReadAs<SiteDetail>();
        changed.ShouldSatisfyAllConditions(
            s => s.CapacityPerSlot.ShouldBe(7), s => s.SlotMinutes.ShouldBe(20), s => s.OpeningHours.ShouldBe("Mon-Fri 08:00-10:00"),
            s => s.Status.ShouldBe(SiteStatus.Closed));
        changed.Days.ShouldAllBe(d => d.Free == 0 && d.NextFree == null);
        await (await commander.PutAsJsonAsync($"/api/v1/sites/{site.Id}", change with { SlotMinutes = 0 }, Json.Options)).ShouldBeValidationProblem("slotMinutes");
        (await commander.PutAsJsonAsync("/api/v1/sites/999999", change, Json.Options)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task Managers_assign_sampling_staff_to_a_site_and_take_them_off()
    {
        var site = await App.CreateSite();
        var sampler = await App.CreateUser(Roles.SamplingStaff, "990102001");
        using var commander = await App.ClientFor("commander");
        var url = $"/api/v1/sites/{site.Id}/staff";

        var assigned = await commander.PostAsJsonAsync(url, new SiteStaffInput(sampler.UserName.ToUpperInvariant()), Json.Options);
        await assigned.ShouldHaveStatus(HttpStatusCode.OK);
        (await assigned.ReadAs<List<SiteStaffDto>>()).Select(s => s.UserName).ShouldBe([sampler.UserName]);
        // Twice: no change.
        (await (await commander.PostAsJsonAsync(url, new SiteStaffInput(sampler.UserName), Json.Options)).ReadAs<List<SiteStaffDto>>()).Count.ShouldBe(1);
        // Not sampling staff, unknown, or missing.
        await (await commander.PostAsJsonAsync(url, new SiteStaffInput("worker"), Json.Options)).ShouldBeValidationProblem("userName");
        await (await commander.PostAsJsonAsync(url, new SiteStaffInput("nobody-here"), Json.Options)).ShouldBeValidationProblem("userName");
        await (await commander.PostAsJsonAsync(url, new SiteStaffInput(null), Json.Options)).ShouldBeValidationProblem("userName");
        (await commander.GetFromJsonAsync<SiteDetail>($"/api/v1/sites/{site.Id}", Json.Options))!.Staff.Select(s => s.UserName).ShouldBe([sampler.UserName]);

        // The assigned sampler now finds the site among their own (the sampling slice reads the assignment).
        using var samplerClient = await App.ClientFor(sampler.UserName);
        (await samplerClient.GetFromJsonAsync<List<SiteStaffDto>>(url, Json.Options))!.Count.ShouldBe(1);

        var removed = await commander.DeleteAsync($"{url}/{sampler.Id}");
        await removed.ShouldHaveStatus(HttpStatusCode.OK);
        (await removed.ReadAs<List<SiteStaffDto>>()).ShouldBeEmpty();
        (await commander.DeleteAsync($"{url}/{sampler.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var worker = await App.ClientFor("worker");
        (await worker.PostAsJsonAsync(url, new SiteStaffInput(sampler.UserName), Json.Options)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task The_site_list_is_paged_and_filtered_and_bad_filters_name_the_parameter()
    {
        var sites = new List<SiteDetail>();
        for (var i = 0; i < 3; i++) sites.Add(await App.CreateSite(BookingKit.Site(kind: SiteKind.Temporary)));
        using var commander = await App.ClientFor("commander");

        var seen = new List<int>();
        string? after = null;
        do
        {
            var page = await commander.GetFromJsonAsync<Page<SiteSummary>>($"/api/v1/sites?kind=Temporary&limit=2{(after is null ? "" : "&after=" + after)}", Json.Options);
            page!.Items.Count.ShouldBeLessThanOrEqualTo(2);
            page.Items.ShouldAllBe(s => s.Kind == SiteKind.Temporary);
            seen.AddRange(page.Items.Select(s => s.Id));
            after = page.NextCursor;
        }
        while (after is not null);
        seen.ShouldBeUnique();
        seen.ShouldBe(seen.Order().ToList());
        foreach (var s in sites) seen.ShouldContain(s.Id);

        await (await commander.GetAsync("/api/v1/sites?limit=0")).ShouldBeValidationProblem("limit");
        await (await commander.GetAsync("/api/v1/sites?area=12")).ShouldBeValidationProblem("area");
        await (await commander.GetAsync("/api/v1/sites?after=x")).ShouldBeValidationProblem("after");
        await (await commander.GetAsync($"/api/v1/sites/{sites[0].Id}/slots?day=2020-01-01")).ShouldBeValidationProblem("day");
        (await commander.GetAsync("/api/v1/sites?kind=Boat")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    private static async Task<int> CountAsync(HttpClient client)
    {
        var count = 0;
        string? after = null;
        do
        {
            var page = await client.GetFromJsonAsync<Page<SiteSummary>>($"/api/v1/sites?limit=100{(after is null ? "" : "&after=" + after)}", Json.Options);
            count += page!.Items.Count;
            after = page.NextCursor;
        }
        while (after is not null);
        return count;
    }
}

public sealed class SitesTestsOnSqlite(SqliteApp app) : SitesTests(app), IClassFixture<SqliteApp>;

public sealed class SitesTestsOnPostgres(PostgresApp app) : SitesTests(app), IClassFixture<PostgresApp>;
