using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Audit;
using Cordon.Features.Demo;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Web;
using Cordon.Tests.Support;

namespace Cordon.Tests.Api;

/// <summary>The audit log: who changed which record and which fields, and who signed in; never the personal values themselves.</summary>
public abstract class AuditTests(CordonApp app) : AppTests(app)
{
    private async Task<List<AuditEntryDto>> AuditAsync(string query)
    {
        using var admin = await App.ClientFor("admin");
        var page = await admin.GetFromJsonAsync<Page<AuditEntryDto>>($"/api/v1/audit?limit=200&{query}", Json.Options);
        return page!.Items.ToList();
    }

    [SkippableFact]
    public async Task Registering_changing_and_removing_a_resident_is_recorded_with_field_names_but_no_values()
    {
        var input = TestData.Resident(CordonApp.BuildingA);
        var resident = await App.CreateResident("worker", input);
        using var worker = await App.ClientFor("worker");
        var newPhone = TestData.NewPhone();
        var update = await worker.PutAsJsonAsync($"/api/v1/residents/{resident.Id}", input with { Phone = newPhone, Room = "1102" }, Json.Options);
        await update.ShouldHaveStatus(HttpStatusCode.OK);
        (await worker.DeleteAsync($"/api/v1/residents/{resident.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var entries = await AuditAsync($"entity=Resident&key={resident.Id}");

        entries.Select(e => e.Action).ShouldBe([AuditAction.Delete, AuditAction.Update, AuditAction.Create], "newest first");
        entries.ShouldAllBe(e => e.UserName == "worker" && e.Entity == nameof(Resident) && e.EntityKey == resident.Id.ToString());
        var changed = entries[1].Details.ShouldNotBeNull().Split(',');
        changed.ShouldBe(["Phone", "Room", "UpdatedAt"], ignoreOrder: true);
        foreach (var e in entries)
        {
            foreach (var value in new[] { input.Name!, input.IdNumber!, input.Phone!, newPhone, "1102", "501" })
                (e.Details ?? "").ShouldNotContain(value);
        }
    }

    [SkippableFact]
    public async Task An_update_that_changes_nothing_records_only_the_touched_timestamp()
    {
        var input = TestData.Resident(CordonApp.BuildingA);
        var resident = await App.CreateResident("worker", input);
        using var worker = await App.ClientFor("worker");

        await (await worker.PutAsJsonAsync($"/api/v1/residents/{resident.Id}", input, Json.Options)).ShouldHaveStatus(HttpStatusCode.OK);

        var update = (await AuditAsync($"entity=Resident&key={resident.Id}&action=Update")).ShouldHaveSingleItem();
        update.Details.ShouldBe("UpdatedAt");
    }

    [SkippableFact]
    public async Task A_new_venue_is_recorded_under_its_id()
    {
        var venue = await App.CreateVenue("worker", TestData.Venue(CordonApp.CommunityA));

        var entry = (await AuditAsync($"entity=Venue&key={venue.Id}")).ShouldHaveSingleItem();

        (entry.Action, entry.UserName).ShouldBe((AuditAction.Create, "worker"));
    }

    [SkippableFact]
    public async Task Sign_ins_and_failed_attempts_are_recorded_without_the_password()
    {
        var user = await App.CreateUser(Features.Identity.Roles.Epidemiologist, "990102");
        using var client = App.Anonymous();
        await client.PostAsJsonAsync("/api/v1/auth/token", new { userName = user.UserName, password = "Wrong-Password-9" });
        await (await client.PostAsJsonAsync("/api/v1/auth/token", new { userName = user.UserName, password = DemoDistrict.Password })).ShouldHaveStatus(HttpStatusCode.OK);

        var entries = await AuditAsync($"user={user.UserName}");

        entries.Where(e => e.Action is AuditAction.Login or AuditAction.LoginFailed).Select(e => e.Action)
            .ShouldBe([AuditAction.Login, AuditAction.LoginFailed]);
        entries.ShouldAllBe(e => e.Details == null || !e.Details.Contains("Wrong-Password-9"));
    }

    [SkippableFact]
    public async Task The_log_pages_backwards_from_the_newest_entry()
    {
        for (var i = 0; i < 3; i++) await App.CreateVenue("worker", TestData.Venue(CordonApp.CommunityA));
        using var admin = await App.ClientFor("admin");

        var first = (await admin.GetFromJsonAsync<Page<AuditEntryDto>>("/api/v1/audit?entity=Venue&limit=2", Json.Options))!;
        var second = (await admin.GetFromJsonAsync<Page<AuditEntryDto>>($"/api/v1/audit?entity=Venue&limit=2&before={first.NextCursor}", Json.Options))!;

        first.Items.Count.ShouldBe(2);
        second.Items.Count.ShouldBe(2);
        var ids = first.Items.Concat(second.Items).Select(e => e.Id).ToList();
        ids.ShouldBe(ids.OrderDescending().ToList());
        ids.ShouldBeUnique();
    }
}

public sealed class AuditTestsOnSqlite(SqliteApp app) : AuditTests(app), IClassFixture<SqliteApp>;

public sealed class AuditTestsOnPostgres(PostgresApp app) : AuditTests(app), IClassFixture<PostgresApp>;
