using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Audit;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Web;
using Cordon.Tests.Support;

namespace Cordon.Tests.Api;

/// <summary>
/// A community worker sees and changes only their own community. "worker" works in community A (990102001001),
/// "worker2" in community B (990102001002), its neighbour in the same street. Through every endpoint, what lies in
/// B is invisible to worker (404 or an empty list, never a 403 that would confirm it exists) and cannot be changed
/// or created; the same operations in A succeed, so the refusals are about jurisdiction and nothing else.
/// </summary>
public abstract class JurisdictionTests(CordonApp app) : AppTests(app)
{
    private sealed record Neighbours(
        ResidentInput InputA, ResidentDetail ResidentA, ResidentInput InputB, ResidentDetail ResidentB, VenueDto VenueA, VenueDto VenueB);

    private async Task<Neighbours> ArrangeAsync()
    {
        var inputA = TestData.Resident(CordonApp.BuildingA);
        var inputB = TestData.Resident(CordonApp.BuildingB);
        return new Neighbours(
            inputA, await App.CreateResident("worker", inputA),
            inputB, await App.CreateResident("worker2", inputB),
            await App.CreateVenue("worker", TestData.Venue(CordonApp.CommunityA)),
            await App.CreateVenue("worker2", TestData.Venue(CordonApp.CommunityB)));
    }

    private static VenueInput InputOf(VenueDto v) => new(v.Name, v.Category, v.AreaCode, v.Address, v.Status, v.Latitude, v.Longitude);

    [SkippableFact]
    public async Task A_resident_of_another_community_cannot_be_read()
    {
        var n = await ArrangeAsync();
        using var worker = await App.ClientFor("worker");

        (await worker.GetAsync($"/api/v1/residents/{n.ResidentB.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await worker.GetAsync($"/api/v1/residents/{n.ResidentA.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task A_resident_of_another_community_cannot_be_changed_or_moved_in()
    {
        var n = await ArrangeAsync();
        using var worker = await App.ClientFor("worker");
        var newPhone = TestData.NewPhone();

        var intoA = n.InputB with { Phone = newPhone, AreaCode = CordonApp.BuildingA };
        (await worker.PutAsJsonAsync($"/api/v1/residents/{n.ResidentB.Id}", intoA, Json.Options)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var stayInB = n.InputB with { Phone = newPhone };
        (await worker.PutAsJsonAsync($"/api/v1/residents/{n.ResidentB.Id}", stayInB, Json.Options)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        using var worker2 = await App.ClientFor("worker2");
        var b = (await worker2.GetFromJsonAsync<ResidentDetail>($"/api/v1/residents/{n.ResidentB.Id}", Json.Options))!;
        b.Phone.ShouldBe(Mask.Phone(n.InputB.Phone!));
        b.AreaCode.ShouldBe(CordonApp.BuildingB);
        b.UpdatedAt.ShouldBe(n.ResidentB.UpdatedAt);

        var own = await worker.PutAsJsonAsync($"/api/v1/residents/{n.ResidentA.Id}", n.InputA with { Phone = newPhone }, Json.Options);
        await own.ShouldHaveStatus(HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task A_resident_of_another_community_cannot_be_deleted()
    {
        var n = await ArrangeAsync();
        using var worker = await App.ClientFor("worker");

        (await worker.DeleteAsync($"/api/v1/residents/{n.ResidentB.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        using var worker2 = await App.ClientFor("worker2");
        (await worker2.GetAsync($"/api/v1/residents/{n.ResidentB.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await worker.DeleteAsync($"/api/v1/residents/{n.ResidentA.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }

    [SkippableFact]
    public async Task Personal_data_of_another_community_cannot_be_unmasked_and_no_read_is_recorded()
    {
        var n = await ArrangeAsync();
        using var worker = await App.ClientFor("worker");

        var denied = await worker.PostAsJsonAsync($"/api/v1/residents/{n.ResidentB.Id}/unmask", new { reason = "核查" });
        denied.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await denied.Content.ReadAsStringAsync()).ShouldNotContain(n.InputB.IdNumber!);

        using var admin = await App.ClientFor("admin");
        var audit = await admin.GetFromJsonAsync<Page<AuditEntryDto>>(
            $"/api/v1/audit?entity=Resident&key={n.ResidentB.Id}&action={AuditAction.ReadPersonalData}", Json.Options);
        audit!.Items.ShouldBeEmpty();

        var own = await worker.PostAsJsonAsync($"/api/v1/residents/{n.ResidentA.Id}/unmask", new { reason = "核查" });
        (await own.ReadAs<ResidentPersonalData>()).IdNumber.ShouldBe(n.InputA.IdNumber);
    }

    [SkippableFact]
    public async Task Searching_never_finds_residents_of_another_community()
    {
        var n = await ArrangeAsync();

        async Task<IReadOnlyList<ResidentSummary>> SearchAsync(string user, string query)
        {
            using var client = await App.ClientFor(user);
            return (await client.GetFromJsonAsync<Page<ResidentSummary>>($"/api/v1/residents?limit=100&{query}", Json.Options))!.Items;
        }

        (await SearchAsync("worker", $"area={CordonApp.CommunityB}")).ShouldBeEmpty();
        (await SearchAsync("worker", $"area={CordonApp.BuildingB}")).ShouldBeEmpty();
        (await SearchAsync("worker", "area=990102")).ShouldAllBe(r => r.AreaCode.StartsWith(CordonApp.CommunityA));
        (await SearchAsync("worker", $"q={n.InputB.IdNumber}")).ShouldBeEmpty();
        (await SearchAsync("worker", $"q={Uri.EscapeDataString(n.InputB.Name!)}")).ShouldBeEmpty();
        (await SearchAsync("worker", $"q={n.InputB.Phone}")).ShouldBeEmpty();
        (await App.SearchAll("worker", "")).ShouldAllBe(r => r.AreaCode.StartsWith(CordonApp.CommunityA));

        // worker2 does find them, and worker finds their own: the searches themselves work.
        (await SearchAsync("worker2", $"q={n.InputB.IdNumber}")).Select(r => r.Id).ShouldBe([n.ResidentB.Id]);
        (await SearchAsync("worker", $"q={n.InputA.IdNumber}")).Select(r => r.Id).ShouldBe([n.ResidentA.Id]);
        (await SearchAsync("worker", $"area={CordonApp.CommunityA}&q={n.InputA.Phone}")).Select(r => r.Id).ShouldBe([n.ResidentA.Id]);
        (await SearchAsync("worker2", $"area={CordonApp.CommunityB}")).ShouldNotBeEmpty();
    }

    [SkippableFact]
    public async Task A_name_search_cursor_naming_someone_of_another_community_is_refused()
    {
        var prefix = TestData.NewNamePrefix();
        await App.CreateResident("worker", TestData.Resident(CordonApp.BuildingA, prefix + "安"));
        await App.CreateResident("worker", TestData.Resident(CordonApp.BuildingA, prefix + "宁"));
        var outsider = await App.CreateResident("worker2", TestData.Resident(CordonApp.BuildingB, prefix + "明"));
        using var worker = await App.ClientFor("worker");

        // Otherwise the rows after the cursor would tell where the outsider's name sorts among the worker's residents.
        var response = await worker.GetAsync($"/api/v1/residents?limit=10&q={Uri.EscapeDataString(prefix)}&after={outsider.Id}");

        await response.ShouldBeValidationProblem("after");
    }

    [SkippableFact]
    public async Task Nobody_can_be_registered_into_another_community()
    {
        var n = await ArrangeAsync();
        using var worker = await App.ClientFor("worker");

        var create = await worker.PostAsJsonAsync("/api/v1/residents", TestData.Resident(CordonApp.BuildingB), Json.Options);
        await create.ShouldBeValidationProblem("areaCode");
        var moveOut = await worker.PutAsJsonAsync($"/api/v1/residents/{n.ResidentA.Id}", n.InputA with { AreaCode = CordonApp.BuildingB }, Json.Options);
        await moveOut.ShouldBeValidationProblem("areaCode");

        using var worker2 = await App.ClientFor("worker2");
        (await worker2.GetFromJsonAsync<Page<ResidentSummary>>($"/api/v1/residents?q={n.InputA.IdNumber}", Json.Options))!.Items.ShouldBeEmpty();
        (await worker.GetFromJsonAsync<ResidentDetail>($"/api/v1/residents/{n.ResidentA.Id}", Json.Options))!.AreaCode.ShouldBe(CordonApp.BuildingA);
    }

    [SkippableFact]
    public async Task A_venue_of_another_community_cannot_be_read_changed_found_or_created()
    {
        var n = await ArrangeAsync();
        using var worker = await App.ClientFor("worker");

        (await worker.GetAsync($"/api/v1/venues/{n.VenueB.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var suspend = InputOf(n.VenueB) with { Status = VenueStatus.Suspended };
        (await worker.PutAsJsonAsync($"/api/v1/venues/{n.VenueB.Id}", suspend, Json.Options)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var search = await worker.GetFromJsonAsync<Page<VenueDto>>($"/api/v1/venues?area={CordonApp.CommunityB}", Json.Options);
        search!.Items.ShouldBeEmpty();
        var byName = await worker.GetFromJsonAsync<Page<VenueDto>>($"/api/v1/venues?q={Uri.EscapeDataString(n.VenueB.Name)}", Json.Options);
        byName!.Items.ShouldBeEmpty();
        await (await worker.PostAsJsonAsync("/api/v1/venues", TestData.Venue(CordonApp.CommunityB), Json.Options)).ShouldBeValidationProblem("areaCode");
        var moveOut = InputOf(n.VenueA) with { AreaCode = CordonApp.CommunityB };
        await (await worker.PutAsJsonAsync($"/api/v1/venues/{n.VenueA.Id}", moveOut, Json.Options)).ShouldBeValidationProblem("areaCode");

        using var worker2 = await App.ClientFor("worker2");
        (await worker2.GetFromJsonAsync<VenueDto>($"/api/v1/venues/{n.VenueB.Id}", Json.Options))!.Status.ShouldBe(VenueStatus.Open);

        (await worker.GetAsync($"/api/v1/venues/{n.VenueA.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var own = await worker.PutAsJsonAsync($"/api/v1/venues/{n.VenueA.Id}", InputOf(n.VenueA) with { Status = VenueStatus.Suspended }, Json.Options);
        (await own.ReadAs<VenueDto>()).Status.ShouldBe(VenueStatus.Suspended);
    }

    [SkippableFact]
    public async Task A_residents_import_cannot_reach_into_another_community()
    {
        var n = await ArrangeAsync();
        using var worker = await App.ClientFor("worker");
        var newcomerB = TestData.Resident(CordonApp.BuildingB);
        var newcomerA = TestData.Resident(CordonApp.BuildingA);

        // A row in B's area: the whole file is refused and nothing is imported.
        var mixed = await worker.PostAsync("/api/v1/residents/import", TestData.CsvFile(TestData.ResidentsCsv(newcomerA, newcomerB)));
        await mixed.ShouldBeValidationProblem("rows[3].areaCode");
        (await App.SearchAll("worker", newcomerA.IdNumber!)).ShouldBeEmpty();

        // B's resident re-registered into A by ID number: refused, so B's record cannot be taken over.
        var takeover = await worker.PostAsync("/api/v1/residents/import?validOnly=true",
            TestData.CsvFile(TestData.ResidentsCsv(n.InputB with { AreaCode = CordonApp.BuildingA, Phone = TestData.NewPhone() }, newcomerA)));
        await takeover.ShouldHaveStatus(HttpStatusCode.OK);
        var report = await takeover.ReadAs<ImportReport>();
        (report.Created, report.Updated, report.Rejected).ShouldBe((1, 0, 1));
        var error = report.Errors.ShouldHaveSingleItem();
        (error.Row, error.Field).ShouldBe((2, "idNumber"));

        using var worker2 = await App.ClientFor("worker2");
        var b = (await worker2.GetFromJsonAsync<ResidentDetail>($"/api/v1/residents/{n.ResidentB.Id}", Json.Options))!;
        (b.AreaCode, b.Phone).ShouldBe((CordonApp.BuildingB, Mask.Phone(n.InputB.Phone!)));
        (await App.SearchAll("worker2", newcomerB.IdNumber!)).ShouldBeEmpty();
    }

    [SkippableFact]
    public async Task A_venues_import_cannot_reach_into_another_community()
    {
        using var worker = await App.ClientFor("worker");
        var name = "测试药房" + TestData.NewTag();
        var csv = $"name,category,areaCode,address\n{name},Pharmacy,{CordonApp.CommunityB},测试路2号\n";

        var response = await worker.PostAsync("/api/v1/venues/import", TestData.CsvFile(csv, "venues.csv"));

        await response.ShouldBeValidationProblem("rows[2].areaCode");
        using var worker2 = await App.ClientFor("worker2");
        (await worker2.GetFromJsonAsync<Page<VenueDto>>($"/api/v1/venues?q={Uri.EscapeDataString(name)}", Json.Options))!.Items.ShouldBeEmpty();

        var own = await worker.PostAsync("/api/v1/venues/import", TestData.CsvFile(csv.Replace(CordonApp.CommunityB, CordonApp.CommunityA), "venues.csv"));
        (await own.ReadAs<ImportReport>()).Created.ShouldBe(1);
    }

    [SkippableFact]
    public async Task Another_community_is_not_even_an_area_one_can_look_at()
    {
        using var worker = await App.ClientFor("worker");

        foreach (var path in new[] { "", "/path", "/boundary" })
        {
            (await worker.GetAsync($"/api/v1/areas/{CordonApp.CommunityB}{path}")).StatusCode.ShouldBe(HttpStatusCode.NotFound, $"areas/B{path}");
            (await worker.GetAsync($"/api/v1/areas/{CordonApp.CommunityA}{path}")).StatusCode.ShouldBe(HttpStatusCode.OK, $"areas/A{path}");
        }
        (await worker.GetAsync($"/api/v1/areas?parent={CordonApp.CommunityB}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await worker.GetAsync("/api/v1/areas?parent=990102001")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var children = await worker.GetFromJsonAsync<List<AreaDto>>($"/api/v1/areas?parent={CordonApp.CommunityA}", Json.Options);
        children!.ShouldNotBeEmpty();
        children.ShouldAllBe(a => a.ParentCode == CordonApp.CommunityA);
        var own = await worker.GetFromJsonAsync<List<AreaDto>>("/api/v1/areas", Json.Options);
        own!.Select(a => a.Code).ShouldBe([CordonApp.CommunityA]);
    }

    [SkippableFact]
    public async Task The_administration_endpoints_are_closed_to_a_community_worker()
    {
        using var worker = await App.ClientFor("worker");

        (await worker.GetAsync("/api/v1/users")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await worker.GetAsync("/api/v1/audit")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var area = new AreaInput("990102001001099", "测试楼", CordonApp.CommunityA, null, null, null);
        (await worker.PostAsJsonAsync("/api/v1/areas", area, Json.Options)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await worker.PutAsJsonAsync($"/api/v1/areas/{CordonApp.CommunityB}", area with { Name = "改名" }, Json.Options)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}

public sealed class JurisdictionTestsOnSqlite(SqliteApp app) : JurisdictionTests(app), IClassFixture<SqliteApp>;

public sealed class JurisdictionTestsOnPostgres(PostgresApp app) : JurisdictionTests(app), IClassFixture<PostgresApp>;
