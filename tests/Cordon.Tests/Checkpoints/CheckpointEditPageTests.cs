using System.Net;
using Cordon.Features.Health;
using Cordon.Tests.Support;

namespace Cordon.Tests.Checkpoints;

/// <summary>The checkpoint form: community staff create and change their checkpoints on a screen, not only through the API.</summary>
public abstract class CheckpointEditPageTests(CordonApp app) : AppTests(app)
{
    [SkippableFact]
    public async Task A_community_worker_gets_the_new_checkpoint_form_with_only_their_community_and_an_admin_with_every_community()
    {
        using var worker = await App.ClientFor("worker");
        var page = await worker.GetAsync("/checkpoints/new");
        await page.ShouldHaveStatus(HttpStatusCode.OK);
        var html = await page.Content.ReadAsStringAsync();
        html.ShouldContain("checkpoint-form");
        html.ShouldContain($"value=\"{CordonApp.CommunityA}\"");
        html.ShouldNotContain($"value=\"{CordonApp.CommunityB}\"");
        html.ShouldContain("value=\"37.3\"");
        html.ShouldContain("新建卡口"); // Chinese by default
        (await worker.Html("/checkpoints/new?culture=en")).ShouldContain("New checkpoint");

        using var admin = await App.ClientFor("admin");
        var adminHtml = await admin.Html("/checkpoints/new");
        adminHtml.ShouldContain($"value=\"{CordonApp.CommunityA}\"");
        adminHtml.ShouldContain($"value=\"{CordonApp.CommunityB}\"");

        // The supervisor page leads to the form.
        (await worker.Html("/checkpoints")).ShouldContain("href=\"checkpoints/new\"");
    }

    [SkippableFact]
    public async Task Staff_without_checkpoint_rights_do_not_get_the_form_and_a_checkpoint_of_another_community_is_not_found()
    {
        using var epi = await App.ClientFor("epi");
        (await epi.GetAsync("/checkpoints/new")).StatusCode.ShouldNotBe(HttpStatusCode.OK);

        var other = await App.NewCheckpoint(community: CordonApp.CommunityB, userName: "worker2");
        using var worker = await App.ClientFor("worker");
        var html = await worker.Html($"/checkpoints/{other.Id}/edit");
        html.ShouldContain("checkpoint-not-found");
        html.ShouldNotContain(other.Name);
    }

    [SkippableFact]
    public async Task Saving_the_form_changes_the_policy_and_a_bad_threshold_is_shown_next_to_its_field_and_changes_nothing()
    {
        var checkpoint = await App.NewCheckpoint();
        using var worker = await App.ClientFor("worker");
        var url = $"/checkpoints/{checkpoint.Id}/edit";
        var form = await worker.Html(url);
        form.ShouldContain($"value=\"{checkpoint.Name}\"");

        var fields = new Dictionary<string, string>
        {
            ["_handler"] = "checkpoint",
            ["__RequestVerificationToken"] = CheckpointPageKit.FormToken(form),
            ["Input.Name"] = checkpoint.Name,
            ["Input.AreaCode"] = CordonApp.CommunityA,
            ["Input.LocationNote"] = "北门",
            ["Input.Active"] = "true",
            ["Input.Green"] = "true",
            ["Input.Yellow"] = "true",
            ["Input.RequiredTestHours"] = "72",
            ["Input.TemperatureThreshold"] = "40",
        };
        var refused = await worker.PostAsync(url, new FormUrlEncodedContent(fields));
        await refused.ShouldHaveStatus(HttpStatusCode.OK);
        var refusedHtml = await refused.Content.ReadAsStringAsync();
        refusedHtml.ShouldContain("data-field=\"temperatureThreshold\"");
        refusedHtml.ShouldContain("体温阈值（°C）必须在 36.0 到 39.0 °C 之间");
        refusedHtml.ShouldContain("value=\"北门\""); // what the user typed is kept
        (await worker.Checkpoint(checkpoint.Id)).LocationNote.ShouldBe(checkpoint.LocationNote);

        fields["Input.TemperatureThreshold"] = "37.5";
        var saved = await worker.PostAsync(url, new FormUrlEncodedContent(fields));
        saved.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var changed = await worker.Checkpoint(checkpoint.Id);
        changed.LocationNote.ShouldBe("北门");
        changed.AllowedColours.ShouldBe([HealthColour.Green, HealthColour.Yellow], ignoreOrder: true);
        changed.RequiredTestHours.ShouldBe(72);
        changed.TemperatureThreshold.ShouldBe(37.5);
        changed.AllowPopups.ShouldBeFalse();
        changed.Active.ShouldBeTrue();
    }
}

public sealed class CheckpointEditPageTestsOnSqlite(SqliteApp app) : CheckpointEditPageTests(app), IClassFixture<SqliteApp>;

public sealed class CheckpointEditPageTestsOnPostgres(PostgresApp app) : CheckpointEditPageTests(app), IClassFixture<PostgresApp>;
