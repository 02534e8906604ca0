using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Cordon.Features.Demo;
using Cordon.Features.Identity;
using Cordon.Tests.Support;

namespace Cordon.Tests.Api;

/// <summary>Signing in to the API with user name and password, and what happens without a valid token.</summary>
public abstract class AuthTests(CordonApp app) : AppTests(app)
{
    [SkippableFact]
    public async Task A_wrong_password_is_refused_with_401_problem_details()
    {
        using var client = App.Anonymous();
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { userName = "commander", password = "Wrong-Password-1" });
        var problem = await response.ShouldBeProblem(HttpStatusCode.Unauthorized);
        problem.ToString().ShouldNotContain("Wrong-Password-1");
    }

    [SkippableFact]
    public async Task An_unknown_user_gets_the_same_answer_as_a_wrong_password()
    {
        using var client = App.Anonymous();
        var unknown = await client.PostAsJsonAsync("/api/v1/auth/token", new { userName = "nobody-" + TestData.NewTag(), password = "Wrong-Password-1" });
        var wrong = await client.PostAsJsonAsync("/api/v1/auth/token", new { userName = "epi", password = "Wrong-Password-1" });
        var unknownProblem = await unknown.ShouldBeProblem(HttpStatusCode.Unauthorized);
        var wrongProblem = await wrong.ShouldBeProblem(HttpStatusCode.Unauthorized);
        unknownProblem.GetProperty("detail").GetString().ShouldBe(wrongProblem.GetProperty("detail").GetString());
    }

    [SkippableFact]
    public async Task Missing_credentials_are_named_in_a_validation_problem()
    {
        using var client = App.Anonymous();
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { userName = "commander" });
        await response.ShouldBeValidationProblem("password");
    }

    [SkippableFact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_password()
    {
        var user = await App.CreateUser(Roles.Inspector, "990102");
        using var client = App.Anonymous();
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { userName = user.UserName, password = "Wrong-Password-1" });
            await response.ShouldBeProblem(HttpStatusCode.Unauthorized);
        }
        var fifth = await client.PostAsJsonAsync("/api/v1/auth/token", new { userName = user.UserName, password = "Wrong-Password-1" });
        await fifth.ShouldBeProblem((HttpStatusCode)423);

        var right = await client.PostAsJsonAsync("/api/v1/auth/token", new { userName = user.UserName, password = DemoDistrict.Password });
        await right.ShouldBeProblem((HttpStatusCode)423);
        (await right.Content.ReadAsStringAsync()).ShouldNotContain("accessToken");
    }

    [SkippableFact]
    public async Task A_token_from_the_right_password_opens_the_api()
    {
        using var client = App.Anonymous();
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { userName = "commander", password = DemoDistrict.Password });
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        var token = (await response.ReadJson()).GetProperty("accessToken").GetString();
        token.ShouldNotBeNullOrWhiteSpace();

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var me = await client.GetAsync("/api/v1/auth/me");
        await me.ShouldHaveStatus(HttpStatusCode.OK);
        var body = await me.ReadAs<MeDto>();
        body.UserName.ShouldBe("commander");
        body.Roles.ShouldBe([Roles.Commander]);
        body.JurisdictionCode.ShouldBe("990102");
        await (await client.GetAsync("/api/v1/residents?limit=1")).ShouldHaveStatus(HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task Without_a_token_or_with_a_forged_one_the_registry_answers_401()
    {
        using var anonymous = App.Anonymous();
        var response = await anonymous.GetAsync("/api/v1/residents");
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Headers.Location.ShouldBeNull("an API client gets a status code, not a redirect to the login page");

        using var forged = App.Anonymous();
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        (await forged.GetAsync("/api/v1/residents")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [SkippableFact]
    public async Task A_role_without_the_right_gets_403_not_data()
    {
        using var resident = await App.ClientFor("resident");
        (await resident.GetAsync("/api/v1/residents")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var commander = await App.ClientFor("commander");
        (await commander.GetAsync("/api/v1/audit")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var create = await commander.PostAsJsonAsync("/api/v1/residents", TestData.Resident(CordonApp.BuildingA), Json.Options);
        create.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}

public sealed class AuthTestsOnSqlite(SqliteApp app) : AuthTests(app), IClassFixture<SqliteApp>;

public sealed class AuthTestsOnPostgres(PostgresApp app) : AuthTests(app), IClassFixture<PostgresApp>;
