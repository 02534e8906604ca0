using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Demo;
using Cordon.Features.Identity;
using Cordon.Features.Registry;
using Cordon.Features.Testing;
using Cordon.Infrastructure.Web;
using Cordon.Tests.Support;

namespace Cordon.Tests.Testing;

internal static class AntigenKit
{
    /// <summary>The smallest valid PNG (1×1), as a data URL.</summary>
    public const string Png =
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    /// <summary>A client signed in as a new resident account linked to <paramref name="residentId"/>.</summary>
    public static async Task<HttpClient> ResidentClient(this CordonApp app, long residentId, string areaCode)
    {
        using var admin = await app.ClientFor("admin");
        var userName = TestData.UniqueUserName();
        var response = await admin.PostAsJsonAsync("/api/v1/users",
            new UserInput(userName, "测试居民", DemoDistrict.Password, Roles.Resident, areaCode, residentId), Json.Options);
        await response.ShouldHaveStatus(HttpStatusCode.Created);
        return await app.ClientFor(userName);
    }

    public static AntigenInput Report(AntigenResult result, TimeSpan? ago = null, string? photo = null) =>
        new(result, DateTimeOffset.UtcNow - (ago ?? TimeSpan.FromHours(1)), photo);
}

/// <summary>Antigen self-tests: who may report, what is accepted, idempotent retries, and what staff see.</summary>
public abstract class AntigenTests(CordonApp app) : AppTests(app)
{
    private async Task<(long Id, string Building, HttpClient Client)> Courier()
    {
        var building = await App.NewBuilding();
        var id = (await App.NewResidents(building, 1, KeyGroup.Courier))[0];
        return (id, building, await App.ResidentClient(id, CordonApp.CommunityA));
    }

    private async Task<List<AntigenReportDto>> StaffList(string query, string userName = "worker")
    {
        using var staff = await App.ClientFor(userName);
        var page = await staff.GetFromJsonAsync<Page<AntigenReportDto>>("/api/v1/antigen-reports?limit=100&" + query, Json.Options);
        return page!.Items.ToList();
    }

    [SkippableFact]
    public async Task A_key_group_member_reports_a_self_test_that_staff_of_the_community_see_masked()
    {
        var (id, building, client) = await Courier();
        using (client)
        {
            var response = await client.PostAsJsonAsync("/api/v1/me/antigen-reports", AntigenKit.Report(AntigenResult.Negative, photo: AntigenKit.Png), Json.Options);
            await response.ShouldHaveStatus(HttpStatusCode.Created);
            var report = await response.ReadAs<MyAntigenReport>();
            report.HasPhoto.ShouldBeTrue();

            var mine = await client.GetFromJsonAsync<List<MyAntigenReport>>("/api/v1/me/antigen-reports", Json.Options);
            mine!.Select(r => r.Id).ShouldBe([report.Id]);

            var seen = (await StaffList($"area={building}")).ShouldHaveSingleItem();
            (seen.Id, seen.ResidentId, seen.Result, seen.KeyGroup, seen.HasPhoto).ShouldBe((report.Id, id, AntigenResult.Negative, KeyGroup.Courier, true));
            seen.Name.ShouldContain('*');
            seen.Phone.ShouldStartWith("166****");

            using var worker = await App.ClientFor("worker");
            var photo = await worker.GetAsync($"/api/v1/antigen-reports/{report.Id}/photo");
            await photo.ShouldHaveStatus(HttpStatusCode.OK);
            photo.Content.Headers.ContentType!.MediaType.ShouldBe("image/png");
            using var worker2 = await App.ClientFor("worker2");
            (await worker2.GetAsync($"/api/v1/antigen-reports/{report.Id}/photo")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await worker2.GetAsync($"/api/v1/antigen-reports?area={building}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await StaffList("result=Negative", "worker2")).ShouldNotContain(r => r.Id == report.Id);
        }
    }

    [SkippableFact]
    public async Task Sending_the_same_report_again_changes_nothing_and_another_result_for_the_same_time_is_a_conflict()
    {
        var (_, building, client) = await Courier();
        using (client)
        {
            var input = AntigenKit.Report(AntigenResult.Negative);
            var first = await (await client.PostAsJsonAsync("/api/v1/me/antigen-reports", input, Json.Options)).ReadAs<MyAntigenReport>();
            var again = await client.PostAsJsonAsync("/api/v1/me/antigen-reports", input, Json.Options);
            await again.ShouldHaveStatus(HttpStatusCode.Created);
            (await again.ReadAs<MyAntigenReport>()).Id.ShouldBe(first.Id);

            var other = await client.PostAsJsonAsync("/api/v1/me/antigen-reports", input with { Result = AntigenResult.Positive }, Json.Options);
            await other.ShouldBeProblem(HttpStatusCode.Conflict);
            (await StaffList($"area={building}")).Count.ShouldBe(1);
        }
    }

    [SkippableFact]
    public async Task A_resident_outside_the_key_groups_is_told_why_and_nothing_is_recorded()
    {
        var building = await App.NewBuilding();
        var id = (await App.NewResidents(building, 1))[0];
        using var client = await App.ResidentClient(id, CordonApp.CommunityA);

        var response = await client.PostAsJsonAsync("/api/v1/me/antigen-reports", AntigenKit.Report(AntigenResult.Negative), Json.Options);

        var errors = await response.ShouldBeValidationProblem("keyGroup");
        errors["keyGroup"].ShouldHaveSingleItem().ShouldContain("key group");
        (await StaffList($"area={building}")).ShouldBeEmpty();
    }

    [SkippableFact]
    public async Task A_time_in_the_future_or_older_than_72_hours_and_bad_photos_are_refused()
    {
        var (_, building, client) = await Courier();
        using (client)
        {
            async Task Refused(AntigenInput input, string field)
            {
                var response = await client.PostAsJsonAsync("/api/v1/me/antigen-reports", input, Json.Options);
                await response.ShouldBeValidationProblem(field);
            }

            await Refused(AntigenKit.Report(AntigenResult.Negative) with { TakenAt = DateTimeOffset.UtcNow.AddHours(2) }, "takenAt");
            await Refused(AntigenKit.Report(AntigenResult.Negative, TimeSpan.FromHours(73)), "takenAt");
            await Refused(AntigenKit.Report(AntigenResult.Negative) with { TakenAt = null }, "takenAt");
            await Refused(new AntigenInput(null, DateTimeOffset.UtcNow, null), "result");
            await Refused(AntigenKit.Report(AntigenResult.Negative, photo: "data:image/gif;base64,R0lGODlhAQABAAAAACw="), "photo");
            // A JPEG by its label whose bytes are not an image.
            await Refused(AntigenKit.Report(AntigenResult.Negative, photo: "data:image/jpeg;base64," + Convert.ToBase64String("not a picture"u8.ToArray())), "photo");
            var oversized = new byte[ScreeningRules.MaxPhotoBytes + 1];
            oversized[0] = 0xFF; oversized[1] = 0xD8; oversized[2] = 0xFF;
            await Refused(AntigenKit.Report(AntigenResult.Negative, photo: "data:image/jpeg;base64," + Convert.ToBase64String(oversized)), "photo");

            (await StaffList($"area={building}")).ShouldBeEmpty();
        }
    }

    [SkippableFact]
    public async Task A_positive_self_test_waits_on_the_staff_list_until_the_person_is_sampled()
    {
        var (id, building, client) = await Courier();
        using (client)
        {
            var response = await client.PostAsJsonAsync("/api/v1/me/antigen-reports", AntigenKit.Report(AntigenResult.Positive, TimeSpan.FromMinutes(30)), Json.Options);
            await response.ShouldHaveStatus(HttpStatusCode.Created);

            var waiting = await StaffList($"area={building}&result=Positive&awaitingTest=true");
            waiting.ShouldHaveSingleItem().ResidentId.ShouldBe(id);
            waiting[0].SampledSince.ShouldBeFalse();

            await App.Sample([id], at: DateTime.UtcNow.AddMinutes(-5));
            (await StaffList($"area={building}&result=Positive&awaitingTest=true")).ShouldBeEmpty();
            (await StaffList($"area={building}&result=Positive")).ShouldHaveSingleItem().SampledSince.ShouldBeTrue();
        }
    }

    [SkippableFact]
    public async Task Residents_report_only_for_themselves_and_staff_cannot_report()
    {
        using var worker = await App.ClientFor("worker");
        (await worker.PostAsJsonAsync("/api/v1/me/antigen-reports", AntigenKit.Report(AntigenResult.Negative), Json.Options)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var resident = await App.ClientFor("resident");
        (await resident.GetAsync("/api/v1/antigen-reports")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await resident.GetAsync("/api/v1/antigen-reports/1/photo")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}

public sealed class AntigenTestsOnSqlite(SqliteApp app) : AntigenTests(app), IClassFixture<SqliteApp>;

public sealed class AntigenTestsOnPostgres(PostgresApp app) : AntigenTests(app), IClassFixture<PostgresApp>;
