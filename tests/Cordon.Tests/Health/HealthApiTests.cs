using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Health;
using Cordon.Features.Testing;
using Cordon.Infrastructure.Web;
using Cordon.Tests.Support;
using Cordon.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Cordon.Tests.Health;

/// <summary>
/// The health status through the API on each database, from the events that change it (results released, sampling,
/// rounds opened and closed) to correction by staff and residents' appeals.
/// </summary>
public abstract class HealthApiTests(CordonApp app) : AppTests(app)
{
    [SkippableFact]
    public async Task A_negative_result_shows_green_with_its_test_age_on_the_residents_phone()
    {
        var person = (await App.RegisterPeople(1)).Single();
        using var phone = await App.ResidentClient(person);
        var before = await phone.MyHealth();
        before.Colour.ShouldBe(HealthColour.Green);
        before.TestAgeHours.ShouldBeNull();

        var tube = await App.SampleTube(1, [person]);
        await App.DeliverToLab(await App.FirstLab(), tube.Barcode);
        await (await App.EnterResult(tube.Barcode, TubeResult.Negative)).ShouldHaveStatus(HttpStatusCode.OK);

        await App.StatusWhen(person.ResidentId, s => s.LastNegativeSampledAt is not null, "tested");
        var after = await phone.MyHealth();
        after.Colour.ShouldBe(HealthColour.Green);
        after.TestAgeHours.ShouldNotBeNull().ShouldBeLessThan(1);
        after.History.ShouldBe("/api/v1/me/health/history");
    }

    [SkippableFact]
    public async Task A_positive_single_tube_turns_the_code_red_within_seconds_and_the_history_says_why()
    {
        var person = (await App.RegisterPeople(1)).Single();
        (await App.Status(person.ResidentId))!.Colour.ShouldBe(HealthColour.Green);
        var tube = await App.SampleTube(1, [person]);
        await App.DeliverToLab(await App.FirstLab(), tube.Barcode);
        await (await App.EnterResult(tube.Barcode, TubeResult.Positive, 24.5)).ShouldHaveStatus(HttpStatusCode.OK);

        var red = await App.StatusWhen(person.ResidentId, s => s.Colour == HealthColour.Red, "red");
        red.Reason.ShouldBe(HealthRules.Reasons.PositiveSingleTube);
        using var phone = await App.ResidentClient(person);
        var history = await phone.GetFromJsonAsync<Page<HealthChangeDto>>("/api/v1/me/health/history", Json.Options);
        var latest = history!.Items[0];
        (latest.From, latest.To, latest.Reason, latest.Source).ShouldBe((HealthColour.Green, HealthColour.Red, HealthRules.Reasons.PositiveSingleTube, HealthSources.Results));
    }

    [SkippableFact]
    public async Task Members_of_a_positive_pool_turn_yellow_until_their_retest()
    {
        var people = await App.RegisterPeople(3);
        var tube = await App.SampleTube(10, people);
        await App.DeliverToLab(await App.FirstLab(), tube.Barcode);
        await App.ImportResultsOk(await App.FirstLab(), SamplingKit.ResultsCsv((tube.Barcode, "positive", "30")));
        foreach (var p in people)
        {
            var status = await App.StatusWhen(p.ResidentId, s => s.Colour == HealthColour.Yellow, "yellow");
            status.Reason.ShouldBe(HealthRules.Reasons.PoolPositiveAwaitingRetest);
        }

        // The single-tube retest of one of them comes back negative: green again.
        var retest = await App.SampleTube(1, [people[0]]);
        await App.DeliverToLab(await App.FirstLab(), retest.Barcode);
        await (await App.EnterResult(retest.Barcode, TubeResult.Negative)).ShouldHaveStatus(HttpStatusCode.OK);
        await App.StatusWhen(people[0].ResidentId, s => s.Colour == HealthColour.Green, "green after the negative retest");
        (await App.Status(people[1].ResidentId))!.Colour.ShouldBe(HealthColour.Yellow);
    }

    [SkippableFact]
    public async Task Untested_people_of_an_open_round_get_a_popup_that_sampling_or_closing_the_round_removes()
    {
        var building = await App.NewBuilding(CordonApp.CommunityB);
        var people = await App.RegisterPeople(2, building, registrar: "admin");
        foreach (var p in people) (await App.Status(p.ResidentId))!.Popups.ShouldBeEmpty();

        var round = await App.OpenRound(ScreeningKit.Round(building));
        foreach (var p in people)
        {
            var status = await App.StatusWhen(p.ResidentId, s => s.Popups.Count == 1, "with a popup");
            var popup = status.Popups.Single();
            (popup.Kind, popup.Reason, popup.Source).ShouldBe((PopupKind.ScreeningRound, HealthRules.Reasons.UntestedInRound, $"round:{round.Id}"));
            status.Colour.ShouldBe(HealthColour.Green);
        }
        using (var phone = await App.ResidentClient(people[1]))
        {
            (await phone.MyHealth()).Popups.ShouldHaveSingleItem().Reason.ShouldBe(HealthRules.Reasons.UntestedInRound);
        }

        // Sampled: the popup goes at once, before any result.
        await App.SampleTube(1, [people[0]]);
        await App.StatusWhen(people[0].ResidentId, s => s.Popups.Count == 0, "without a popup after sampling");

        using (var commander = await App.ClientFor("commander"))
        {
            await (await commander.PostAsync($"/api/v1/rounds/{round.Id}/close", null)).ShouldHaveStatus(HttpStatusCode.OK);
        }
        await App.StatusWhen(people[1].ResidentId, s => s.Popups.Count == 0, "without a popup once the round is closed");
    }

    [SkippableFact]
    public async Task A_staff_override_wins_until_it_expires_or_is_removed_and_is_audited()
    {
        var person = (await App.RegisterPeople(1)).Single();
        using var epi = await App.ClientFor("epi");
        var response = await epi.PostAsJsonAsync($"/api/v1/residents/{person.ResidentId}/health/override",
            new OverrideInput(HealthColour.Red, "流调排查中", DateTimeOffset.UtcNow.AddHours(2)), Json.Options);
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        var overridden = await response.ReadAs<HealthDto>();
        (overridden.Colour, overridden.Reason).ShouldBe((HealthColour.Red, HealthRules.Reasons.Override));
        overridden.Override.ShouldNotBeNull().Reason.ShouldBe("流调排查中");
        (await App.Status(person.ResidentId))!.Colour.ShouldBe(HealthColour.Red);

        using (var admin = await App.ClientFor("admin"))
        {
            var audit = await admin.GetStringAsync($"/api/v1/audit?entity={nameof(HealthStatus)}&key={person.ResidentId}");
            audit.ShouldContain(person.ResidentId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var removed = await epi.DeleteAsync($"/api/v1/residents/{person.ResidentId}/health/override");
        await removed.ShouldHaveStatus(HttpStatusCode.OK);
        (await removed.ReadAs<HealthDto>()).Colour.ShouldBe(HealthColour.Green);
        (await epi.DeleteAsync($"/api/v1/residents/{person.ResidentId}/health/override")).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        // An override that runs out: the sweep's recomputation of due rows brings the rules' colour back.
        await (await epi.PostAsJsonAsync($"/api/v1/residents/{person.ResidentId}/health/override",
            new OverrideInput(HealthColour.Yellow, "短时", DateTimeOffset.UtcNow.AddSeconds(2)), Json.Options)).ShouldHaveStatus(HttpStatusCode.OK);
        (await App.Status(person.ResidentId))!.Colour.ShouldBe(HealthColour.Yellow);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await using (var scope = App.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<HealthRecomputer>().RecomputeDueAsync(HealthSources.Sweep);
        }
        (await App.Status(person.ResidentId))!.Colour.ShouldBe(HealthColour.Green);
    }

    [SkippableFact]
    public async Task An_override_with_bad_input_names_the_fields_and_changes_nothing()
    {
        var person = (await App.RegisterPeople(1)).Single();
        var before = await App.Status(person.ResidentId);
        using var epi = await App.ClientFor("epi");
        var response = await epi.PostAsJsonAsync($"/api/v1/residents/{person.ResidentId}/health/override",
            new OverrideInput(null, " ", DateTimeOffset.UtcNow.AddHours(-1)), Json.Options);
        await response.ShouldHaveStatus(HttpStatusCode.BadRequest);
        var errors = (await response.ReadJson()).GetProperty("errors");
        errors.TryGetProperty("colour", out _).ShouldBeTrue();
        errors.TryGetProperty("reason", out _).ShouldBeTrue();
        errors.TryGetProperty("until", out _).ShouldBeTrue();
        (await App.Status(person.ResidentId))!.Version.ShouldBe(before!.Version);

        using var sampler = await App.ClientFor("sampler");
        (await sampler.PostAsJsonAsync($"/api/v1/residents/{person.ResidentId}/health/override",
            new OverrideInput(HealthColour.Green, "x", DateTimeOffset.UtcNow.AddHours(1)), Json.Options)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task A_resident_appeals_once_at_a_time_and_staff_answer_from_the_queue()
    {
        var person = (await App.RegisterPeople(1)).Single();
        using var phone = await App.ResidentClient(person);
        (await phone.PostAsJsonAsync("/api/v1/me/health/appeals", new AppealInput(""), Json.Options)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var created = await phone.PostAsJsonAsync("/api/v1/me/health/appeals", new AppealInput("我已在外区检测，结果阴性"), Json.Options);
        await created.ShouldHaveStatus(HttpStatusCode.Created);
        var appeal = await created.ReadAs<AppealDto>();
        (await phone.PostAsJsonAsync("/api/v1/me/health/appeals", new AppealInput("again"), Json.Options)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await phone.MyHealth()).OpenAppeal.ShouldNotBeNull().Id.ShouldBe(appeal.Id);

        using var epi = await App.ClientFor("epi");
        var queue = await epi.GetFromJsonAsync<Page<AppealDto>>("/api/v1/health/appeals?limit=100", Json.Options);
        var queued = queue!.Items.Single(a => a.Id == appeal.Id);
        queued.Name.ShouldContain("*");

        // The override answers the appeal: resolved, with the override named in the answer.
        await (await epi.PostAsJsonAsync($"/api/v1/residents/{person.ResidentId}/health/override",
            new OverrideInput(HealthColour.Green, "外区阴性证明已核实", DateTimeOffset.UtcNow.AddDays(1), true, appeal.Id), Json.Options)).ShouldHaveStatus(HttpStatusCode.OK);
        var mine = await phone.GetFromJsonAsync<List<AppealDto>>("/api/v1/me/health/appeals", Json.Options);
        var answered = mine!.Single(a => a.Id == appeal.Id);
        answered.Status.ShouldBe(AppealStatus.Resolved);
        answered.Answer.ShouldNotBeNull().ShouldContain("外区阴性证明已核实");

        // A new appeal may be dismissed.
        var second = await (await phone.PostAsJsonAsync("/api/v1/me/health/appeals", new AppealInput("请再核实"), Json.Options)).ReadAs<AppealDto>();
        var dismissed = await epi.PostAsJsonAsync($"/api/v1/health/appeals/{second.Id}/decision", new AppealDecisionInput(AppealStatus.Dismissed, "状态无误"), Json.Options);
        await dismissed.ShouldHaveStatus(HttpStatusCode.OK);
        (await dismissed.ReadAs<AppealDto>()).Status.ShouldBe(AppealStatus.Dismissed);
        (await epi.PostAsJsonAsync($"/api/v1/health/appeals/{second.Id}/decision", new AppealDecisionInput(AppealStatus.Resolved, null), Json.Options))
            .StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [SkippableFact]
    public async Task Staff_outside_the_residents_jurisdiction_get_404()
    {
        var person = (await App.RegisterPeople(1)).Single(); // community A
        using var worker = await App.ClientFor("worker");
        (await worker.GetAsync($"/api/v1/residents/{person.ResidentId}/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var worker2 = await App.ClientFor("worker2"); // community B
        (await worker2.GetAsync($"/api/v1/residents/{person.ResidentId}/health")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await worker2.GetAsync($"/api/v1/residents/{person.ResidentId}/health/history")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var epiB = await App.CreateUser(Cordon.Features.Identity.Roles.Epidemiologist, CordonApp.CommunityB);
        using var epi2 = await App.ClientFor(epiB.UserName);
        (await epi2.PostAsJsonAsync($"/api/v1/residents/{person.ResidentId}/health/override",
            new OverrideInput(HealthColour.Green, "x", DateTimeOffset.UtcNow.AddHours(1)), Json.Options)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await App.Status(person.ResidentId))!.Reason.ShouldBe(HealthRules.Reasons.None);
    }
    [SkippableFact]
    public async Task The_staff_screen_and_the_residents_appeal_page_show_the_stored_status()
    {
        var person = (await App.RegisterPeople(1)).Single();
        using var epi = await App.ClientFor("epi");
        var staff = await epi.GetAsync($"/health/status?id={person.ResidentId}");
        await staff.ShouldHaveStatus(HttpStatusCode.OK);
        var html = await staff.Content.ReadAsStringAsync();
        html.ShouldContain("id=\"health-status\" data-colour=\"Green\"");
        html.ShouldContain("health-override-form");

        using var phone = await App.ResidentClient(person);
        var page = await phone.GetAsync("/me/health/appeal");
        await page.ShouldHaveStatus(HttpStatusCode.OK);
        var mine = await page.Content.ReadAsStringAsync();
        mine.ShouldContain("id=\"me-health-status\" data-colour=\"Green\"");
        mine.ShouldContain("me-appeal-form");
    }
}

internal static class HealthApiKit
{
    public static async Task<HealthDto> MyHealth(this HttpClient resident)
    {
        var response = await resident.GetAsync("/api/v1/me/health");
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        return await response.ReadAs<HealthDto>();
    }
}

public sealed class HealthApiTestsOnSqlite(SqliteApp app) : HealthApiTests(app), IClassFixture<SqliteApp>;

public sealed class HealthApiTestsOnPostgres(PostgresApp app) : HealthApiTests(app), IClassFixture<PostgresApp>;
