using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Testing;
using Cordon.Infrastructure.Web;
using Cordon.Tests.Support;

namespace Cordon.Tests.Testing;

/// <summary>
/// The whole chain of the testing platform on each database: sample a 10-in-1 pool → box → hand over → lab receipt →
/// result file with the pool positive → every member flagged with a retest order → single-tube retest → negative →
/// the member is cleared, and sees it on their phone. And what pool logic means for the other results.
/// </summary>
public abstract class PoolChainTests(CordonApp app) : AppTests(app)
{
    [SkippableFact]
    public async Task A_booked_positive_pool_flags_all_members_and_a_negative_single_tube_retest_clears_one_of_them()
    {
        var people = await App.RegisterPeople(10);
        var residents = new List<HttpClient>();
        foreach (var person in people) residents.Add(await App.ResidentClient(person));
        var labId = await App.FirstLab();
        using var sampler = await App.ClientFor("sampler");

        // A site open all day, the demo sampler assigned to it; one of the ten books the current slot.
        var site = await App.CreateSite();
        var siteId = site.Id;
        using (var commander = await App.ClientFor("commander"))
        {
            await (await commander.PostAsJsonAsync($"/api/v1/sites/{siteId}/staff", new SiteStaffInput("sampler"), Json.Options)).ShouldHaveStatus(HttpStatusCode.OK);
        }
        var appointment = await BookTodayIfASlotIsLeft(residents[3], site);

        // The sampler opens a 10-in-1 tube and scans ten people; the tenth closes it.
        var pool = SamplingKit.NewCode("POOL");
        (await sampler.OpenTubeOk(pool, 10, siteId)).Status.ShouldBe(TubeStatus.Open);
        TubeDto tube = null!;
        foreach (var (person, i) in people.Select((p, i) => (p, i)))
        {
            tube = await sampler.AddPersonOk(pool, person.IdNumber);
            tube.Count.ShouldBe(i + 1);
            tube.Members[^1].Name.ShouldContain("*");
        }
        tube.Status.ShouldBe(TubeStatus.Closed);
        tube.CollectedAt.ShouldNotBeNull();
        (await residents[3].MyResults()).Awaiting.ShouldHaveSingleItem().PoolSize.ShouldBe(10);
        if (appointment is not null)
        {
            var mine = await residents[3].GetFromJsonAsync<MyAppointmentDto>($"/api/v1/me/appointments/{appointment.Id}", Json.Options);
            mine!.Status.ShouldBe(AppointmentStatus.Sampled);
        }

        // Box → hand-over → lab receipt: every stage is stamped on the tube.
        var box = await App.DeliverToLabFrom(siteId, labId, pool);
        box.Status.ShouldBe(BoxStatus.Received);
        var received = await App.Tube(pool);
        received.Status.ShouldBe(TubeStatus.Received);
        received.BoxedAt.ShouldNotBeNull();
        received.DispatchedAt.ShouldNotBeNull();
        received.ReceivedAt.ShouldNotBeNull();

        // The lab's file says the pool is positive.
        var file = SamplingKit.ResultsCsv((pool, "positive", "31.5"));
        var report = await App.ImportResultsOk(labId, file);
        (report.Rows, report.Applied, report.Positive, report.PersonResults, report.RetestOrders, report.AlreadyImported).ShouldBe((1, 1, 1, 10, 10, false));

        foreach (var resident in residents)
        {
            var mine = await resident.MyResults();
            var result = mine.Results.ShouldHaveSingleItem();
            result.Kind.ShouldBe(PersonResultKind.PoolPositive);
            result.RetestStatus.ShouldBe(RetestStatus.Open);
            result.RetestDueAt.ShouldNotBeNull();
            mine.Awaiting.ShouldBeEmpty();
        }
        var orders = (await App.OpenRetestOrders(CordonApp.BuildingA)).Where(o => o.PoolBarcode == pool).ToList();
        orders.Select(o => o.ResidentId).Order().ShouldBe(people.Select(p => p.ResidentId).Order());
        orders.ShouldAllBe(o => o.Status == RetestStatus.Open && o.DueAt > o.CreatedAt);

        // Re-sending the same file changes nothing, and says so.
        var again = await App.ImportResultsOk(labId, file);
        (again.AlreadyImported, again.Applied, again.Unchanged, again.PersonResults, again.RetestOrders).ShouldBe((true, 0, 1, 0, 0));
        (await App.OpenRetestOrders(CordonApp.BuildingA)).Count(o => o.PoolBarcode == pool).ShouldBe(10);
        (await residents[0].MyResults()).Results.Count.ShouldBe(1);

        // Door to door: one member is sampled in a single tube, which becomes that member's retest.
        var retested = people[3];
        var single = await App.SampleTube(1, [retested]);
        single.Status.ShouldBe(TubeStatus.Closed);
        single.IsRetest.ShouldBeTrue();
        var sampled = (await App.OpenRetestOrders(CordonApp.BuildingA)).Single(o => o.PoolBarcode == pool && o.ResidentId == retested.ResidentId);
        (sampled.Status, sampled.RetestBarcode).ShouldBe((RetestStatus.Sampled, single.Barcode));

        await App.DeliverToLab(labId, single.Barcode);
        var entry = await App.EnterResult(single.Barcode, TubeResult.Negative);
        await entry.ShouldHaveStatus(HttpStatusCode.OK);
        var entered = await entry.ReadAs<ResultEntryDto>();
        (entered.Outcome, entered.People, entered.Unchanged).ShouldBe((PersonResultKind.Negative, 1, false));

        // That member's order is done and their newest result is negative; the nine others still wait for theirs.
        var open = (await App.OpenRetestOrders(CordonApp.BuildingA)).Where(o => o.PoolBarcode == pool).ToList();
        open.Count.ShouldBe(9);
        open.ShouldNotContain(o => o.ResidentId == retested.ResidentId);
        var theirs = await residents[3].MyResults();
        theirs.Results.Count.ShouldBe(2);
        theirs.Results[0].Kind.ShouldBe(PersonResultKind.Negative);
        theirs.Results[0].PoolSize.ShouldBe(1);
        theirs.Results[1].Kind.ShouldBe(PersonResultKind.PoolPositive);
        theirs.Results[1].RetestStatus.ShouldBe(RetestStatus.Done);
        (await residents[4].MyResults()).Results.ShouldHaveSingleItem().Kind.ShouldBe(PersonResultKind.PoolPositive);
        foreach (var resident in residents) resident.Dispose();
    }

    [SkippableFact]
    public async Task A_result_file_with_one_broken_row_applies_nothing()
    {
        var people = await App.RegisterPeople(2);
        var labId = await App.FirstLab();
        var first = await App.SampleTube(5, [people[0]]);
        var second = await App.SampleTube(5, [people[1]]);
        await App.DeliverToLab(labId, first.Barcode, second.Barcode);
        using var resident = await App.ResidentClient(people[0]);

        var response = await App.ImportResults(labId, SamplingKit.ResultsCsv((first.Barcode, "negative", null), (second.Barcode, "negativ", null)));

        (await response.ShouldBeValidationProblem("rows[3].result"))["rows[3].result"][0].ShouldContain("negative, positive or invalid");
        (await App.Tube(first.Barcode)).Result.ShouldBe(TubeResult.Pending);
        (await App.Tube(first.Barcode)).Status.ShouldBe(TubeStatus.Received);
        (await resident.MyResults()).Results.ShouldBeEmpty();

        // Corrected, the same rows apply: the earlier refusal left nothing behind that would block them.
        var report = await App.ImportResultsOk(labId, SamplingKit.ResultsCsv((first.Barcode, "negative", null), (second.Barcode, "negative", null)));
        (report.Applied, report.Negative, report.PersonResults).ShouldBe((2, 2, 2));
        (await resident.MyResults()).Results.ShouldHaveSingleItem().Kind.ShouldBe(PersonResultKind.Negative);
    }

    [SkippableFact]
    public async Task A_negative_pool_clears_every_member_and_orders_no_retest()
    {
        var people = await App.RegisterPeople(5);
        var labId = await App.FirstLab();
        var tube = await App.SampleTube(5, people);
        tube.Status.ShouldBe(TubeStatus.Closed);
        await App.DeliverToLab(labId, tube.Barcode);

        var entry = await App.EnterResult(tube.Barcode, TubeResult.Negative);

        await entry.ShouldHaveStatus(HttpStatusCode.OK);
        var entered = await entry.ReadAs<ResultEntryDto>();
        (entered.Outcome, entered.People, entered.RetestOrders, entered.CaseCandidates).ShouldBe((PersonResultKind.Negative, 5, 0, 0));
        foreach (var person in people)
        {
            using var resident = await App.ResidentClient(person);
            var result = (await resident.MyResults()).Results.ShouldHaveSingleItem();
            (result.Kind, result.RetestStatus).ShouldBe((PersonResultKind.Negative, null));
        }
        (await App.OpenRetestOrders()).ShouldNotContain(o => o.PoolBarcode == tube.Barcode);
        var released = await App.Tube(tube.Barcode);
        (released.Status, released.Result).ShouldBe((TubeStatus.Resulted, TubeResult.Negative));
        released.ReleasedAt.ShouldNotBeNull();
        released.TestedAt.ShouldNotBeNull();
    }

    [SkippableFact]
    public async Task A_positive_single_tube_is_a_case_candidate_for_the_epidemiologists()
    {
        var person = (await App.RegisterPeople(1))[0];
        var labId = await App.FirstLab();
        var tube = await App.SampleTube(1, [person]);
        await App.DeliverToLab(labId, tube.Barcode);

        var report = await App.ImportResultsOk(labId, SamplingKit.ResultsCsv((tube.Barcode, "阳性", "24.8")));

        (report.Positive, report.CaseCandidates, report.RetestOrders).ShouldBe((1, 1, 0));
        using var epi = await App.ClientFor("epi");
        var page = await epi.GetFromJsonAsync<Page<CaseCandidateDto>>("/api/v1/testing/case-candidates?limit=200", Json.Options);
        var candidate = page!.Items.Where(c => c.TubeBarcode == tube.Barcode).ShouldHaveSingleItem();
        (candidate.ResidentId, candidate.CtValue, candidate.Status).ShouldBe((person.ResidentId, 24.8, CandidateStatus.New));
        candidate.Name.ShouldContain("*");
        using var resident = await App.ResidentClient(person);
        (await resident.MyResults()).Results.ShouldHaveSingleItem().Kind.ShouldBe(PersonResultKind.Positive);
    }

    [SkippableFact]
    public async Task An_invalid_tube_asks_everyone_in_it_to_be_sampled_again()
    {
        var people = await App.RegisterPeople(2);
        var labId = await App.FirstLab();
        var tube = await App.SampleTube(5, people);
        await App.DeliverToLab(labId, tube.Barcode);

        await (await App.EnterResult(tube.Barcode, TubeResult.Invalid)).ShouldHaveStatus(HttpStatusCode.OK);

        using var resident = await App.ResidentClient(people[1]);
        (await resident.MyResults()).Results.ShouldHaveSingleItem().Kind.ShouldBe(PersonResultKind.Resample);
        (await App.SampleTube(5, people)).Count.ShouldBe(2);
    }

    [SkippableFact]
    public async Task Turnaround_counts_the_stages_of_a_released_tube_per_site_and_per_lab()
    {
        var people = await App.RegisterPeople(1);
        var labId = await App.FirstLab();
        var siteId = await App.SamplerSite();
        var tube = await App.SampleTube(5, people);
        await App.DeliverToLab(labId, tube.Barcode);
        await (await App.EnterResult(tube.Barcode, TubeResult.Negative)).ShouldHaveStatus(HttpStatusCode.OK);

        using var commander = await App.ClientFor("commander");
        var report = await commander.GetFromJsonAsync<TurnaroundReport>("/api/v1/testing/turnaround", Json.Options);

        var site = report!.Sites.Single(s => s.Id == siteId);
        site.Released.ShouldBeGreaterThanOrEqualTo(1);
        site.CollectedToReleased.Count.ShouldBe(site.Released);
        site.CollectedToReleased.AverageHours.ShouldNotBeNull().ShouldBeLessThan(1);
        site.Overdue.ShouldBe(0);
        var lab = report.Labs.Single(l => l.Id == labId);
        lab.ReceivedToTested.Count.ShouldBeGreaterThanOrEqualTo(1);
        report.Total.Tubes.ShouldBeGreaterThanOrEqualTo(site.Tubes);

        var overdue = await commander.GetFromJsonAsync<OverdueList>("/api/v1/testing/overdue-tubes", Json.Options);
        overdue!.Tubes.ShouldNotContain(t => t.Barcode == tube.Barcode);

        // A worker of another community sees no site of this one; a window longer than a week is refused.
        using var worker2 = await App.ClientFor("worker2");
        (await worker2.GetFromJsonAsync<TurnaroundReport>("/api/v1/testing/turnaround", Json.Options))!.Sites.ShouldNotContain(s => s.Id == siteId);
        var tooLong = await commander.GetAsync("/api/v1/testing/turnaround?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z");
        await tooLong.ShouldBeValidationProblem("from");
    }

    /// <summary>
    /// Books the slot under way at the site (or the next one when this one ends within seconds). Sampling marks only
    /// an appointment of today, so in the last minutes of the day, when no slot is left, the test samples a walk-in.
    /// </summary>
    private async Task<MyAppointmentDto?> BookTodayIfASlotIsLeft(HttpClient resident, SiteDetail site)
    {
        var city = App.City();
        var local = city.LocalNow;
        var start = local.Date.AddMinutes(Math.Floor(local.TimeOfDay.TotalMinutes / site.SlotMinutes) * site.SlotMinutes);
        if (start.AddMinutes(site.SlotMinutes) - local < TimeSpan.FromSeconds(15)) start = start.AddMinutes(site.SlotMinutes);
        if (start.Date != local.Date || start.TimeOfDay >= new TimeSpan(23, 55, 0)) return null;
        return await resident.BookOk(site.Id, city.ToUtc(start));
    }
}

public sealed class PoolChainTestsOnSqlite(SqliteApp app) : PoolChainTests(app), IClassFixture<SqliteApp>;

public sealed class PoolChainTestsOnPostgres(PostgresApp app) : PoolChainTests(app), IClassFixture<PostgresApp>;
