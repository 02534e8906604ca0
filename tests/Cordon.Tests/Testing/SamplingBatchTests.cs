using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Testing;
using Cordon.Tests.Support;

namespace Cordon.Tests.Testing;

/// <summary>
/// Batches of closed tubes from a sampling terminal: the same rules as scanning one by one, all or nothing, and a
/// resent batch changes nothing.
/// </summary>
public abstract class SamplingBatchTests(CordonApp app) : AppTests(app)
{
    private async Task<HttpResponseMessage> Upload(int? siteId, params CollectedTubeInput[] tubes)
    {
        using var sampler = await App.ClientFor("sampler");
        return await sampler.PostAsJsonAsync("/api/v1/sampling/batches", new SamplingBatchInput(siteId, tubes), Json.Options);
    }

    private static CollectedTubeInput Tube(int poolSize, IEnumerable<Person> people, string? barcode = null, DateTime? collectedAt = null) =>
        new(barcode ?? SamplingKit.NewCode("BT"), poolSize, people.Select(p => p.IdNumber).ToList(), collectedAt);

    [SkippableFact]
    public async Task A_batch_stores_closed_tubes_with_their_people_and_a_resent_batch_changes_nothing()
    {
        var people = await App.RegisterPeople(16);
        var siteId = await App.SamplerSite();
        var collected = DateTime.UtcNow.AddMinutes(-30);
        var tubes = new[] { Tube(10, people.Take(10), collectedAt: collected), Tube(5, people.Skip(10).Take(5)), Tube(1, people.Skip(15)) };

        var response = await Upload(siteId, tubes);

        await response.ShouldHaveStatus(HttpStatusCode.OK);
        var report = await response.ReadAs<SamplingBatchReport>();
        (report.Tubes, report.People, report.Created, report.Unchanged).ShouldBe((3, 16, 3, 0));
        var pool = await App.Tube(tubes[0].Barcode!);
        (pool.Status, pool.Count, pool.PoolSize, pool.SiteId).ShouldBe((TubeStatus.Closed, 10, 10, siteId));
        pool.CollectedAt!.Value.ShouldBe(collected, TimeSpan.FromMilliseconds(1));
        pool.Members.ShouldAllBe(m => m.Name.Contains('*') && m.AreaCode == CordonApp.BuildingA);
        (await App.Tube(tubes[2].Barcode!)).Count.ShouldBe(1);

        var again = await Upload(siteId, tubes);

        await again.ShouldHaveStatus(HttpStatusCode.OK);
        (await again.ReadAs<SamplingBatchReport>()).ShouldBe(new SamplingBatchReport(3, 16, 0, 3, 0, 0));
        (await App.Tube(tubes[0].Barcode!)).Count.ShouldBe(10);

        // The tubes go on like scanned ones: boxed, received, resulted, seen by their people.
        var labId = await App.FirstLab();
        await App.DeliverToLab(labId, tubes[0].Barcode!);
        (await App.ImportResultsOk(labId, SamplingKit.ResultsCsv((tubes[0].Barcode!, "negative", null)))).PersonResults.ShouldBe(10);
        using var resident = await App.ResidentClient(people[2]);
        (await resident.MyResults()).Results.ShouldHaveSingleItem().Kind.ShouldBe(PersonResultKind.Negative);
    }

    [SkippableFact]
    public async Task A_batch_with_one_bad_tube_is_refused_naming_each_problem_and_stores_nothing()
    {
        var people = await App.RegisterPeople(6);
        var siteId = await App.SamplerSite();
        var taken = await App.SampleTube(5, [people[5]]);
        var good = Tube(5, people.Take(2));
        var duplicateBarcode = good with { Codes = [people[2].IdNumber] };
        var batch = new[]
        {
            good,
            Tube(5, [people[3]], barcode: taken.Barcode),
            new CollectedTubeInput(SamplingKit.NewCode("BT"), 5, [people[4].IdNumber, "CORDON-P:NOBODY22", people[0].IdNumber], null),
            duplicateBarcode,
            Tube(1, people.Take(2)),
            Tube(7, [people[4]]),
            Tube(5, [people[4]], collectedAt: DateTime.UtcNow.AddHours(2)),
        };

        var response = await Upload(siteId, batch);

        var errors = await response.ShouldBeValidationProblem(
            "tubes[3].barcode", "tubes[4].codes", "tubes[5].poolSize", "tubes[6].collectedAt");
        errors["tubes[3].barcode"][0].ShouldContain("tubes[0]");
        using var sampler = await App.ClientFor("sampler");
        (await sampler.GetAsync($"/api/v1/tubes/{good.Barcode}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // With the shapes right, the people are checked: unknown codes, a person twice, a barcode of another tube.
        var second = await Upload(siteId, batch.Take(3).ToArray());

        var found = await second.ShouldBeValidationProblem("tubes[1].barcode", "tubes[2].codes[1]", "tubes[2].codes[2]");
        found["tubes[2].codes[2]"][0].ShouldContain("tubes[0]");
        (await sampler.GetAsync($"/api/v1/tubes/{good.Barcode}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task A_person_in_an_open_tube_cannot_be_uploaded_in_a_batch_and_a_single_tube_answers_a_retest_order()
    {
        var people = await App.RegisterPeople(3);
        var siteId = await App.SamplerSite();
        using var sampler = await App.ClientFor("sampler");
        var open = SamplingKit.NewCode();
        await sampler.OpenTubeOk(open, 10, siteId);
        await sampler.AddPersonOk(open, people[0].IdNumber);

        (await (await Upload(siteId, Tube(5, [people[0]]))).ShouldBeValidationProblem("tubes[0].codes[0]"))["tubes[0].codes[0]"][0].ShouldContain(open);

        var labId = await App.FirstLab();
        var pool = await App.SampleTube(5, people.Skip(1));
        await App.DeliverToLab(labId, pool.Barcode);
        await App.ImportResultsOk(labId, SamplingKit.ResultsCsv((pool.Barcode, "positive", "33")));
        var single = Tube(1, [people[1]]);
        var report = await (await Upload(siteId, single)).ReadAs<SamplingBatchReport>();

        report.RetestsLinked.ShouldBe(1);
        (await App.Tube(single.Barcode!)).IsRetest.ShouldBeTrue();
        var orders = (await App.OpenRetestOrders()).Where(o => o.PoolBarcode == pool.Barcode).ToDictionary(o => o.ResidentId);
        (orders[people[1].ResidentId].Status, orders[people[1].ResidentId].RetestBarcode).ShouldBe((RetestStatus.Sampled, single.Barcode));
        orders[people[2].ResidentId].Status.ShouldBe(RetestStatus.Open);
    }

    [SkippableFact]
    public async Task A_batch_needs_tubes_a_site_of_the_sampler_and_a_sampler()
    {
        var siteId = await App.SamplerSite();
        await (await Upload(siteId)).ShouldBeValidationProblem("tubes");
        await (await Upload(null, Tube(5, []))).ShouldBeValidationProblem("siteId", "tubes[0].codes");
        var person = (await App.RegisterPeople(1))[0];
        await (await Upload(siteId + 1, Tube(5, [person]))).ShouldBeValidationProblem("siteId");
        using var lab = await App.ClientFor("lab");
        (await lab.PostAsJsonAsync("/api/v1/sampling/batches", new SamplingBatchInput(siteId, [Tube(5, [person])]), Json.Options))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}

public sealed class SamplingBatchTestsOnSqlite(SqliteApp app) : SamplingBatchTests(app), IClassFixture<SqliteApp>;

public sealed class SamplingBatchTestsOnPostgres(PostgresApp app) : SamplingBatchTests(app), IClassFixture<PostgresApp>;
