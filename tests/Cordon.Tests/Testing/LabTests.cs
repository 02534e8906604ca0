using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Identity;
using Cordon.Features.Testing;
using Cordon.Tests.Support;

namespace Cordon.Tests.Testing;

/// <summary>
/// Transport boxes, the hand-over and the lab's receipt, single result entry and result files: each refuses what does not
/// fit the trail (wrong state, wrong lab, wrong result) clearly and changes nothing, and repeats are harmless.
/// </summary>
public abstract class LabTests(CordonApp app) : AppTests(app)
{
    private async Task<HttpClient> Sampler() => await App.ClientFor("sampler");

    private async Task<string> NewBox()
    {
        using var sampler = await Sampler();
        var code = SamplingKit.NewCode("BOX");
        var created = await sampler.PostAsJsonAsync("/api/v1/boxes", new CreateBoxInput(code, await App.SamplerSite()), Json.Options);
        await created.ShouldHaveStatus(HttpStatusCode.Created);
        return code;
    }

    [SkippableFact]
    public async Task A_box_takes_closed_tubes_of_its_site_once_and_is_handed_over_with_a_courier()
    {
        var people = await App.RegisterPeople(2);
        using var sampler = await Sampler();
        var box = await NewBox();
        var open = SamplingKit.NewCode();
        await sampler.OpenTubeOk(open, 10, await App.SamplerSite());
        await sampler.AddPersonOk(open, people[0].IdNumber);
        var closed = await App.SampleTube(5, [people[1]]);

        await (await sampler.PostAsJsonAsync("/api/v1/boxes", new CreateBoxInput(box, await App.SamplerSite()), Json.Options)).ShouldBeValidationProblem("code");
        await (await sampler.PostAsJsonAsync($"/api/v1/boxes/{box}/dispatch", new DispatchInput(await App.FirstLab(), "王师傅"), Json.Options)).ShouldBeProblem(HttpStatusCode.Conflict);
        await (await sampler.PostAsJsonAsync($"/api/v1/boxes/{box}/tubes", new BoxTubeInput(open), Json.Options)).ShouldBeValidationProblem("barcode");
        await (await sampler.PostAsJsonAsync($"/api/v1/boxes/{box}/tubes", new BoxTubeInput(SamplingKit.NewCode()), Json.Options)).ShouldBeValidationProblem("barcode");
        await (await sampler.PostAsJsonAsync($"/api/v1/boxes/{box}/tubes", new BoxTubeInput(closed.Barcode), Json.Options)).ShouldHaveStatus(HttpStatusCode.OK);
        await (await sampler.PostAsJsonAsync($"/api/v1/boxes/{box}/tubes", new BoxTubeInput(closed.Barcode), Json.Options)).ShouldBeValidationProblem("barcode");
        var other = await NewBox();
        await (await sampler.PostAsJsonAsync($"/api/v1/boxes/{other}/tubes", new BoxTubeInput(closed.Barcode), Json.Options)).ShouldBeValidationProblem("barcode");

        await (await sampler.PostAsJsonAsync($"/api/v1/boxes/{box}/dispatch", new DispatchInput(null, " "), Json.Options)).ShouldBeValidationProblem("labId", "courier");
        await (await sampler.PostAsJsonAsync($"/api/v1/boxes/{box}/dispatch", new DispatchInput(9999, "王师傅"), Json.Options)).ShouldBeValidationProblem("labId");
        var dispatched = await sampler.PostAsJsonAsync($"/api/v1/boxes/{box}/dispatch", new DispatchInput(await App.FirstLab(), "王师傅"), Json.Options);

        await dispatched.ShouldHaveStatus(HttpStatusCode.OK);
        var handover = await dispatched.ReadAs<BoxDto>();
        (handover.Status, handover.Courier, handover.DispatchedBy, handover.Tubes).ShouldBe((BoxStatus.Dispatched, "王师傅", "sampler", 1));
        handover.DispatchedAt.ShouldNotBeNull();
        var tube = await App.Tube(closed.Barcode);
        (tube.Status, tube.BoxCode, tube.DispatchedAt).ShouldBe((TubeStatus.Dispatched, box, handover.DispatchedAt));
        await (await sampler.PostAsJsonAsync($"/api/v1/boxes/{box}/tubes", new BoxTubeInput(SamplingKit.NewCode()), Json.Options)).ShouldBeProblem(HttpStatusCode.Conflict);
        await (await sampler.PostAsJsonAsync($"/api/v1/boxes/{box}/dispatch", new DispatchInput(await App.FirstLab(), "王师傅"), Json.Options)).ShouldBeProblem(HttpStatusCode.Conflict);
    }

    [SkippableFact]
    public async Task A_lab_receives_a_dispatched_box_of_its_jurisdiction_once()
    {
        var person = (await App.RegisterPeople(1))[0];
        var tube = await App.SampleTube(5, [person]);
        var box = await NewBox();
        using var lab = await App.ClientFor("lab");
        await (await lab.PostAsync($"/api/v1/boxes/{box}/receive", null)).ShouldBeValidationProblem("code");
        await (await lab.PostAsync($"/api/v1/boxes/{SamplingKit.NewCode("BOX")}/receive", null)).ShouldBeValidationProblem("code");
        using (var sampler = await Sampler())
        {
            await (await sampler.PostAsJsonAsync($"/api/v1/boxes/{box}/tubes", new BoxTubeInput(tube.Barcode), Json.Options)).ShouldHaveStatus(HttpStatusCode.OK);
            await (await sampler.PostAsJsonAsync($"/api/v1/boxes/{box}/dispatch", new DispatchInput(await App.FirstLab(), "李师傅"), Json.Options)).ShouldHaveStatus(HttpStatusCode.OK);
            // A sampler is not a lab.
            (await sampler.PostAsync($"/api/v1/boxes/{box}/receive", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }
        // A lab technician whose jurisdiction holds no lab cannot receive it.
        var elsewhere = await App.CreateUser(Roles.LabTechnician, "990102001");
        using (var stranger = await App.ClientFor(elsewhere.UserName))
        {
            await (await stranger.PostAsync($"/api/v1/boxes/{box}/receive", null)).ShouldBeValidationProblem("code");
        }

        var received = await lab.PostAsync($"/api/v1/boxes/{box.ToLowerInvariant()}/receive", null);

        await received.ShouldHaveStatus(HttpStatusCode.OK);
        var dto = await received.ReadAs<BoxDto>();
        (dto.Status, dto.ReceivedBy).ShouldBe((BoxStatus.Received, "lab"));
        (await App.Tube(tube.Barcode)).Status.ShouldBe(TubeStatus.Received);
        await (await lab.PostAsync($"/api/v1/boxes/{box}/receive", null)).ShouldBeProblem(HttpStatusCode.Conflict);
    }

    [SkippableFact]
    public async Task A_single_result_is_refused_for_tubes_not_received_times_in_the_future_and_bad_values()
    {
        var people = await App.RegisterPeople(2);
        var labId = await App.FirstLab();
        var notReceived = await App.SampleTube(5, [people[0]]);
        var tube = await App.SampleTube(5, [people[1]]);
        await App.DeliverToLab(labId, tube.Barcode);

        (await App.EnterResult(notReceived.Barcode, TubeResult.Negative)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await App.EnterResult(SamplingKit.NewCode(), TubeResult.Negative)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await (await App.EnterResult(tube.Barcode, null)).ShouldBeValidationProblem("result");
        await (await App.EnterResult(tube.Barcode, TubeResult.Pending)).ShouldBeValidationProblem("result");
        await (await App.EnterResult(tube.Barcode, TubeResult.Positive, ct: 55)).ShouldBeValidationProblem("ct");
        await (await App.EnterResult(tube.Barcode, TubeResult.Positive, ct: 0)).ShouldBeValidationProblem("ct");
        await (await App.EnterResult(tube.Barcode, TubeResult.Negative, testedAt: DateTime.UtcNow.AddHours(1))).ShouldBeValidationProblem("testedAt");
        await (await App.EnterResult(tube.Barcode, TubeResult.Negative, testedAt: DateTime.UtcNow.AddDays(-2))).ShouldBeValidationProblem("testedAt");
        using (var lab = await App.ClientFor("lab"))
        {
            var broken = await lab.PostAsync($"/api/v1/tubes/{tube.Barcode}/result",
                new StringContent("""{"result":"Maybe"}""", System.Text.Encoding.UTF8, "application/json"));
            await broken.ShouldBeValidationProblem("result");
        }
        (await App.Tube(tube.Barcode)).Result.ShouldBe(TubeResult.Pending);

        var testedAt = DateTime.UtcNow;
        var entered = await App.EnterResult(tube.Barcode, TubeResult.Negative, testedAt: testedAt);
        await entered.ShouldHaveStatus(HttpStatusCode.OK);

        // The same result again is harmless; a different one is refused and the released result stays.
        var same = await App.EnterResult(tube.Barcode, TubeResult.Negative);
        await same.ShouldHaveStatus(HttpStatusCode.OK);
        (await same.ReadAs<ResultEntryDto>()).Unchanged.ShouldBeTrue();
        (await (await App.EnterResult(tube.Barcode, TubeResult.Positive, 30)).ShouldBeProblem(HttpStatusCode.Conflict))
            .GetProperty("detail").GetString()!.ShouldContain("Negative");
        var released = await App.Tube(tube.Barcode);
        (released.Result, released.Status).ShouldBe((TubeResult.Negative, TubeStatus.Resulted));
        released.TestedAt!.Value.ShouldBe(testedAt, TimeSpan.FromMilliseconds(1));
        using var resident = await App.ResidentClient(people[1]);
        (await resident.MyResults()).Results.ShouldHaveSingleItem();
    }

    [SkippableFact]
    public async Task A_result_file_is_validated_row_by_row_and_valid_rows_only_applies_the_good_ones()
    {
        var people = await App.RegisterPeople(4);
        var (labId, otherLab) = (await App.FirstLab(), await App.FirstLab() + 1);
        var ok = await App.SampleTube(5, [people[0]]);
        var elsewhere = await App.SampleTube(5, [people[1]]);
        var notSent = await App.SampleTube(5, [people[2]]);
        var resulted = await App.SampleTube(5, [people[3]]);
        await App.DeliverToLab(labId, ok.Barcode, resulted.Barcode);
        await App.DeliverToLab(otherLab, elsewhere.Barcode);
        await (await App.EnterResult(resulted.Barcode, TubeResult.Negative)).ShouldHaveStatus(HttpStatusCode.OK);
        var unknown = SamplingKit.NewCode();
        var csv = SamplingKit.ResultsCsv(
            (ok.Barcode, "Negative", ""),
            (unknown, "negative", null),
            (elsewhere.Barcode, "negative", null),
            (notSent.Barcode, "negative", null),
            (resulted.Barcode, "positive", "20"),
            ("BAD BARCODE", "negative", null),
            (ok.Barcode, "negative", null),
            ("T-OK-1", "positive", "abc"),
            ("T-OK-2", "positive", "-3"));

        var refused = await App.ImportResults(labId, csv);

        var errors = await refused.ShouldBeValidationProblem(
            "rows[3].barcode", "rows[4].barcode", "rows[5].barcode", "rows[6].result", "rows[7].barcode", "rows[8].barcode", "rows[9].ct", "rows[10].ct");
        errors["rows[4].barcode"][0].ShouldContain("not received");
        errors["rows[6].result"][0].ShouldContain("Negative");
        errors["rows[8].barcode"][0].ShouldContain("row 2");
        (await App.Tube(ok.Barcode)).Result.ShouldBe(TubeResult.Pending);

        var report = await App.ImportResultsOk(labId, csv, validOnly: true);

        (report.Rows, report.Applied, report.Unchanged, report.Rejected, report.Negative).ShouldBe((9, 1, 0, 8, 1));
        report.Errors.Select(e => e.Row).Distinct().Order().ShouldBe([3, 4, 5, 6, 7, 8, 9, 10]);
        (await App.Tube(ok.Barcode)).Result.ShouldBe(TubeResult.Negative);
        (await App.Tube(resulted.Barcode)).Result.ShouldBe(TubeResult.Negative);

        // A partly applied file is not remembered: sent again, the applied row is unchanged and the rest still refused.
        var again = await App.ImportResultsOk(labId, csv, validOnly: true);
        (again.AlreadyImported, again.Applied, again.Unchanged, again.Rejected).ShouldBe((false, 0, 1, 8));
    }

    [SkippableFact]
    public async Task A_row_whose_tube_already_has_that_result_is_unchanged_and_files_of_another_lab_are_refused()
    {
        var people = await App.RegisterPeople(2);
        var labId = await App.FirstLab();
        var first = await App.SampleTube(5, [people[0]]);
        var second = await App.SampleTube(5, [people[1]]);
        await App.DeliverToLab(labId, first.Barcode, second.Barcode);
        await App.ImportResultsOk(labId, SamplingKit.ResultsCsv((first.Barcode, "positive", "28.1")));

        // A different file (second row added) with the first row repeated: that row is unchanged, the new one applied.
        var report = await App.ImportResultsOk(labId, SamplingKit.ResultsCsv((first.Barcode, "positive", "28.1"), (second.Barcode, "invalid", null)));

        (report.AlreadyImported, report.Applied, report.Unchanged, report.Invalid, report.RetestOrders).ShouldBe((false, 1, 1, 1, 0));
        (await App.OpenRetestOrders()).Count(o => o.PoolBarcode == first.Barcode).ShouldBe(1);

        await (await App.ImportResults(labId + 1, SamplingKit.ResultsCsv((second.Barcode, "invalid", null)))).ShouldBeValidationProblem("rows[2].barcode");
        await (await App.ImportResults(9999, SamplingKit.ResultsCsv((second.Barcode, "invalid", null)))).ShouldBeValidationProblem("labId");
        using var sampler = await App.ClientFor("sampler");
        (await sampler.PostAsync($"/api/v1/results/import?labId={labId}", TestData.CsvFile("barcode,result\n"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task A_file_that_is_not_a_result_file_is_refused_as_a_whole()
    {
        var labId = await App.FirstLab();

        await (await App.ImportResults(labId, "")).ShouldBeValidationProblem("file");
        await (await App.ImportResults(labId, "barcode,result,ct\n")).ShouldBeValidationProblem("file");
        await (await App.ImportResults(labId, "tube,outcome\nT-1,negative\n")).ShouldBeValidationProblem("file");
        await (await App.ImportResults(labId, "barcode,result,ct\n\"T-1,negative\n")).ShouldBeValidationProblem("file");
        await (await App.ImportResults(labId, "barcode,result,ct\nT-1,negative,,extra\n")).ShouldBeValidationProblem("file");
        using var lab = await App.ClientFor("lab");
        var noFile = await lab.PostAsync($"/api/v1/results/import?labId={labId}", new StringContent("barcode,result\n", System.Text.Encoding.UTF8, "text/csv"));
        ((int)noFile.StatusCode).ShouldBeInRange(400, 499);
    }

    [SkippableFact]
    public async Task A_lab_desk_counts_the_tubes_awaiting_a_result()
    {
        var person = (await App.RegisterPeople(1))[0];
        var labId = await App.FirstLab();
        var tube = await App.SampleTube(5, [person]);
        var box = await App.DeliverToLab(labId, tube.Barcode);

        using var lab = await App.ClientFor("lab");
        var desks = await lab.GetFromJsonAsync<List<LabDesk>>("/api/v1/labs/desks", Json.Options);

        var desk = desks!.Single(d => d.Lab.Id == labId);
        desk.TubesAwaitingResult.ShouldBeGreaterThanOrEqualTo(1);
        var recent = desk.RecentBoxes.Single(b => b.Code == box.Code);
        (recent.Tubes, recent.Resulted).ShouldBe((1, 0));
    }
}

public sealed class LabTestsOnSqlite(SqliteApp app) : LabTests(app), IClassFixture<SqliteApp>;

public sealed class LabTestsOnPostgres(PostgresApp app) : LabTests(app), IClassFixture<PostgresApp>;
