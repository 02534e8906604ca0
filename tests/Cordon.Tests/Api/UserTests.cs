using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Demo;
using Cordon.Features.Identity;
using Cordon.Features.Registry;
using Cordon.Tests.Support;

namespace Cordon.Tests.Api;

/// <summary>Staff accounts: an admin creates them inside their own jurisdiction; nobody else may.</summary>
public abstract class UserTests(CordonApp app) : AppTests(app)
{
    private static UserInput NewUser(string jurisdiction, string role = Roles.CommunityWorker) =>
        new(TestData.UniqueUserName(), "测试用户", DemoDistrict.Password, role, jurisdiction);

    [SkippableFact]
    public async Task A_new_community_worker_signs_in_and_sees_only_their_community()
    {
        var input = NewUser(CordonApp.CommunityB);
        using var admin = await App.ClientFor("admin");
        var created = await admin.PostAsJsonAsync("/api/v1/users", input, Json.Options);
        await created.ShouldHaveStatus(HttpStatusCode.Created);
        (await created.ReadAs<UserDto>()).JurisdictionCode.ShouldBe(CordonApp.CommunityB);

        var residents = await App.SearchAll(input.UserName!, "");

        residents.ShouldNotBeEmpty();
        residents.ShouldAllBe(r => r.AreaCode.StartsWith(CordonApp.CommunityB));
    }

    [SkippableTheory]
    [InlineData("12345", "malformed")]
    [InlineData("990102001999", "unknown area")]
    [InlineData("110101", "outside the admin's jurisdiction")]
    [InlineData("", "missing")]
    public async Task A_jurisdiction_that_is_not_a_known_area_inside_ones_own_is_refused(string jurisdiction, string why)
    {
        using var admin = await App.ClientFor("admin");
        var input = NewUser(jurisdiction);

        var response = await admin.PostAsJsonAsync("/api/v1/users", input, Json.Options);

        await response.ShouldBeValidationProblem("jurisdictionCode");
        (await admin.GetFromJsonAsync<List<UserDto>>("/api/v1/users", Json.Options))!.ShouldNotContain(u => u.UserName == input.UserName, why);
    }

    [SkippableFact]
    public async Task A_district_admin_cannot_create_an_account_above_their_district()
    {
        var districtAdmin = await App.CreateUser(Roles.Admin, "990102");
        using var client = await App.ClientFor(districtAdmin.UserName);

        var response = await client.PostAsJsonAsync("/api/v1/users", NewUser(DemoDistrict.CityCode, Roles.Admin), Json.Options);

        await response.ShouldBeValidationProblem("jurisdictionCode");
    }

    [SkippableFact]
    public async Task A_district_admin_can_link_a_resident_account_only_to_a_resident_of_their_district()
    {
        // Another district of the city, with one resident, created by the city admin.
        using var cityAdmin = await App.ClientFor("admin");
        var district = new AreaInput("990103", "测试二区", DemoDistrict.CityCode, null, null, null);
        await (await cityAdmin.PostAsJsonAsync("/api/v1/areas", district, Json.Options)).ShouldHaveStatus(HttpStatusCode.Created);
        var elsewhere = await App.CreateResident("admin", TestData.Resident("990103"));
        var inside = await App.CreateResident("admin", TestData.Resident(CordonApp.BuildingA));
        var districtAdmin = await App.CreateUser(Roles.Admin, "990102");
        using var client = await App.ClientFor(districtAdmin.UserName);

        var foreign = await client.PostAsJsonAsync("/api/v1/users", NewUser(CordonApp.CommunityA, Roles.Resident) with { ResidentId = elsewhere.Id }, Json.Options);
        await foreign.ShouldBeValidationProblem("residentId");
        var unknown = await client.PostAsJsonAsync("/api/v1/users", NewUser(CordonApp.CommunityA, Roles.Resident) with { ResidentId = 987_654_321 }, Json.Options);
        await unknown.ShouldBeValidationProblem("residentId");

        var own = await client.PostAsJsonAsync("/api/v1/users", NewUser(CordonApp.CommunityA, Roles.Resident) with { ResidentId = inside.Id }, Json.Options);
        await own.ShouldHaveStatus(HttpStatusCode.Created);
        (await own.ReadAs<UserDto>()).ResidentId.ShouldBe(inside.Id);
    }

    [SkippableFact]
    public async Task A_taken_user_name_is_a_409_conflict()
    {
        using var admin = await App.ClientFor("admin");

        var response = await admin.PostAsJsonAsync("/api/v1/users", NewUser(CordonApp.CommunityA) with { UserName = "worker" }, Json.Options);

        var problem = await response.ShouldBeProblem(HttpStatusCode.Conflict);
        problem.GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("worker");
    }

    [SkippableTheory]
    [InlineData("short1A", "password")]
    [InlineData("alllowercase-without-digits", "password")]
    [InlineData(null, "password")]
    public async Task A_weak_or_missing_password_is_refused(string? password, string field)
    {
        using var admin = await App.ClientFor("admin");

        var response = await admin.PostAsJsonAsync("/api/v1/users", NewUser(CordonApp.CommunityA) with { Password = password }, Json.Options);

        await response.ShouldBeValidationProblem(field);
    }

    [SkippableFact]
    public async Task An_unknown_role_is_refused()
    {
        using var admin = await App.ClientFor("admin");
        var response = await admin.PostAsJsonAsync("/api/v1/users", NewUser(CordonApp.CommunityA, "Superuser"), Json.Options);
        await response.ShouldBeValidationProblem("role");
    }

    [SkippableTheory]
    [InlineData("worker")]
    [InlineData("commander")]
    [InlineData("epi")]
    public async Task Only_an_admin_may_manage_users(string userName)
    {
        using var client = await App.ClientFor(userName);

        (await client.PostAsJsonAsync("/api/v1/users", NewUser(CordonApp.CommunityA), Json.Options)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.GetAsync("/api/v1/users")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task A_locked_user_cannot_sign_in_until_unlocked()
    {
        var user = await App.CreateUser(Roles.SamplingStaff, "990102001");
        using var admin = await App.ClientFor("admin");
        using var anonymous = App.Anonymous();
        var credentials = new { userName = user.UserName, password = DemoDistrict.Password };

        (await (await admin.PostAsync($"/api/v1/users/{user.Id}/lock", null)).ReadAs<UserDto>()).LockedOut.ShouldBeTrue();
        await (await anonymous.PostAsJsonAsync("/api/v1/auth/token", credentials)).ShouldBeProblem((HttpStatusCode)423);

        (await (await admin.PostAsync($"/api/v1/users/{user.Id}/unlock", null)).ReadAs<UserDto>()).LockedOut.ShouldBeFalse();
        await (await anonymous.PostAsJsonAsync("/api/v1/auth/token", credentials)).ShouldHaveStatus(HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task A_district_admin_cannot_lock_an_account_outside_their_district()
    {
        var districtAdmin = await App.CreateUser(Roles.Admin, "990102");
        var cityUser = await App.CreateUser(Roles.Commander, DemoDistrict.CityCode);
        using var client = await App.ClientFor(districtAdmin.UserName);

        (await client.PostAsync($"/api/v1/users/{cityUser.Id}/lock", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetFromJsonAsync<List<UserDto>>("/api/v1/users", Json.Options))!.ShouldNotContain(u => u.Id == cityUser.Id);
        await App.ClientFor(cityUser.UserName);
    }
}

public sealed class UserTestsOnSqlite(SqliteApp app) : UserTests(app), IClassFixture<SqliteApp>;

public sealed class UserTestsOnPostgres(PostgresApp app) : UserTests(app), IClassFixture<PostgresApp>;
