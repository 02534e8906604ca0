using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Checkpoints;
using Cordon.Features.Health;
using Cordon.Tests.Support;

namespace Cordon.Tests.Checkpoints;

/// <summary>
/// Removing a checkpoint on its edit screen (ADR 016): one that never recorded anyone is deleted after a confirmation;
/// one with a passage log is set inactive instead and its log stays readable, as the API's DELETE answers 409 for it.
/// </summary>
public abstract class CheckpointRemovePageTests(CordonApp app) : AppTests(app)
{
    [SkippableFact]
    public async Task A_checkpoint_that_recorded_nobody_is_deleted_after_confirming_and_is_gone_from_the_list()
    {
        var checkpoint = await App.NewCheckpoint();
        using var worker = await App.ClientFor("worker");
        var url = $"/checkpoints/{checkpoint.Id}/edit";

        var form = await worker.Html(url);
        form.ShouldContain("data-action=\"delete\"");
        form.ShouldContain("删除卡口");
        form.ShouldNotContain("checkpoint-remove-submit"); // nothing happens without the confirmation step
        (await worker.Html(url + "?culture=en")).ShouldContain("Delete this checkpoint");

        var confirm = await worker.Html(url + "?confirm=remove");
        confirm.ShouldContain($"确定删除卡口“{checkpoint.Name}”吗");
        var removed = await PostRemove(worker, checkpoint.Id, confirm);
        removed.StatusCode.ShouldBe(HttpStatusCode.Redirect);

        (await worker.GetAsync($"/api/v1/checkpoints/{checkpoint.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await worker.Html("/checkpoints")).ShouldNotContain(checkpoint.Name);
    }

    [SkippableFact]
    public async Task A_checkpoint_with_passages_is_set_inactive_instead_and_its_log_is_kept_while_the_api_refuses_to_delete_it()
    {
        var checkpoint = await App.NewCheckpoint();
        using var worker = await App.ClientFor("worker");
        var outsider = await worker.PostAsJsonAsync($"/api/v1/checkpoints/{checkpoint.Id}/outsiders",
            new OutsiderInput("王小明", "13812345678", OutsiderPurpose.Visit), Json.Options);
        await outsider.ShouldHaveStatus(HttpStatusCode.Created);
        var passage = await worker.RecordOk(checkpoint.Id,
            new PassageInput(Guid.NewGuid(), PassageDirection.In, 36.6, IdChecked: true, OutsiderId: (await outsider.ReadAs<OutsiderDto>()).Id,
                Colour: HealthColour.Green));

        var url = $"/checkpoints/{checkpoint.Id}/edit";
        var form = await worker.Html(url);
        form.ShouldContain("data-action=\"deactivate\"");
        form.ShouldContain("停用卡口");
        (await worker.Html(url + "?culture=en")).ShouldContain("its log stays readable");

        // The API keeps the log too: DELETE is refused, and nothing changes.
        var delete = await worker.DeleteAsync($"/api/v1/checkpoints/{checkpoint.Id}");
        delete.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await worker.Checkpoint(checkpoint.Id)).Active.ShouldBeTrue();

        (await worker.Html($"/checkpoints/{checkpoint.Id}/console")).ShouldNotContain("checkpoint-inactive");
        var confirm = await worker.Html(url + "?confirm=remove");
        confirm.ShouldContain($"确定停用卡口“{checkpoint.Name}”吗");
        var removed = await PostRemove(worker, checkpoint.Id, confirm);
        removed.StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var after = await worker.Checkpoint(checkpoint.Id);
        after.Active.ShouldBeFalse();
        after.Name.ShouldBe(checkpoint.Name);
        (await worker.Log(checkpoint.Id)).ShouldContain(p => p.Id == passage.Id);
        var list = await worker.Html("/checkpoints");
        list.ShouldContain(checkpoint.Name);
        list.ShouldContain("停用");
        // Once inactive, the screen offers nothing more to remove; the active box switches it on again.
        (await worker.Html(url)).ShouldNotContain("checkpoint-remove-start");
        // A worker who still opens its console is told.
        (await worker.Html($"/checkpoints/{checkpoint.Id}/console")).ShouldContain("checkpoint-inactive");
        (await worker.Html($"/checkpoints/{checkpoint.Id}/console?culture=en")).ShouldContain("This checkpoint is inactive");
    }

    [SkippableFact]
    public async Task Staff_of_another_community_cannot_remove_a_checkpoint()
    {
        var checkpoint = await App.NewCheckpoint();
        using var worker2 = await App.ClientFor("worker2");
        var confirm = await worker2.Html($"/checkpoints/{checkpoint.Id}/edit?confirm=remove");
        confirm.ShouldContain("checkpoint-not-found");
        confirm.ShouldNotContain("checkpoint-remove-submit");
        (await worker2.DeleteAsync($"/api/v1/checkpoints/{checkpoint.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        using var worker = await App.ClientFor("worker");
        (await worker.Checkpoint(checkpoint.Id)).Active.ShouldBeTrue();
    }

    private static Task<HttpResponseMessage> PostRemove(HttpClient client, int id, string confirmPage) =>
        client.PostAsync($"/checkpoints/{id}/edit?confirm=remove", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "checkpoint-remove",
            ["__RequestVerificationToken"] = CheckpointPageKit.FormToken(confirmPage),
        }));
}

public sealed class CheckpointRemovePageTestsOnSqlite(SqliteApp app) : CheckpointRemovePageTests(app), IClassFixture<SqliteApp>;

public sealed class CheckpointRemovePageTestsOnPostgres(PostgresApp app) : CheckpointRemovePageTests(app), IClassFixture<PostgresApp>;
