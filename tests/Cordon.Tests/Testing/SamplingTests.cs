using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Identity;
using Cordon.Features.Testing;
using Cordon.Tests.Support;

namespace Cordon.Tests.Testing;

/// <summary>
/// Sampling at a site: opening tubes, scanning people in, the rules that keep a tube honest (one open tube per person,
/// nobody twice, never overfull), closing, voiding with a reason, and who may do it where.
/// </summary>
public abstract class SamplingTests(CordonApp app) : AppTests(app)
{
    [SkippableFact]
    public async Task A_tube_needs_a_well_formed_unused_barcode_an_allowed_pool_size_and_a_site_of_the_sampler()
    {
        using var sampler = await App.ClientFor("sampler");
        var siteId = await App.SamplerSite();
        var barcode = SamplingKit.NewCode();
        (await sampler.OpenTubeOk(barcode.ToLowerInvariant(), 10, siteId)).Barcode.ShouldBe(barcode);

        await (await sampler.OpenTube(barcode, 10, siteId)).ShouldBeValidationProblem("barcode");
        await (await sampler.OpenTube("T 1", 10, siteId)).ShouldBeValidationProblem("barcode");
        await (await sampler.OpenTube("ABC", 10, siteId)).ShouldBeValidationProblem("barcode");
        await (await sampler.OpenTube(new string('A', 41), 10, siteId)).ShouldBeValidationProblem("barcode");
        await (await sampler.OpenTube(SamplingKit.NewCode(), 7, siteId)).ShouldBeValidationProblem("poolSize");
        await (await sampler.OpenTube(SamplingKit.NewCode(), null, null)).ShouldBeValidationProblem("poolSize", "siteId");
        // The demo sampler is assigned to the first site only.
        await (await sampler.OpenTube(SamplingKit.NewCode(), 10, siteId + 1)).ShouldBeValidationProblem("siteId");
    }

    [SkippableFact]
    public async Task Only_sampling_staff_and_admins_sample_and_an_admin_may_use_any_site_of_the_jurisdiction()
    {
        var siteId = await App.SamplerSite();
        using (var lab = await App.ClientFor("lab"))
        {
            (await lab.OpenTube(SamplingKit.NewCode(), 10, siteId)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }
        using (var resident = await App.ClientFor("resident"))
        {
            (await resident.OpenTube(SamplingKit.NewCode(), 10, siteId)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await resident.GetAsync("/api/v1/testing/retest-orders")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }
        using (var anonymous = App.Anonymous())
        {
            (await anonymous.OpenTube(SamplingKit.NewCode(), 10, siteId)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        // A sampler of another street, assigned nowhere, has no site to sample at.
        var stranger = await App.CreateUser(Roles.SamplingStaff, "990102002");
        using (var client = await App.ClientFor(stranger.UserName))
        {
            (await client.GetFromJsonAsync<List<SamplerSite>>("/api/v1/sampling/sites", Json.Options))!.ShouldBeEmpty();
            await (await client.OpenTube(SamplingKit.NewCode(), 10, siteId)).ShouldBeValidationProblem("siteId");
        }
        using var admin = await App.ClientFor("admin");
        (await admin.GetFromJsonAsync<List<SamplerSite>>("/api/v1/sampling/sites", Json.Options))!.Count.ShouldBeGreaterThan(1);
        await admin.OpenTubeOk(SamplingKit.NewCode(), 5, siteId + 1);
    }

    [SkippableFact]
    public async Task Scanning_the_same_person_twice_into_a_tube_is_refused_naming_the_code_and_writes_nothing()
    {
        var person = (await App.RegisterPeople(1))[0];
        using var sampler = await App.ClientFor("sampler");
        var barcode = SamplingKit.NewCode();
        await sampler.OpenTubeOk(barcode, 10, await App.SamplerSite());
        await sampler.AddPersonOk(barcode, person.IdNumber);

        var again = await sampler.AddPerson(barcode, person.IdNumber.ToLowerInvariant());

        (await again.ShouldBeValidationProblem("code"))["code"][0].ShouldContain("already in this tube");
        (await App.Tube(barcode)).Count.ShouldBe(1);
    }

    [SkippableFact]
    public async Task A_person_in_an_open_tube_cannot_be_scanned_into_another_until_it_is_closed()
    {
        var person = (await App.RegisterPeople(1))[0];
        using var sampler = await App.ClientFor("sampler");
        var siteId = await App.SamplerSite();
        var (first, second) = (SamplingKit.NewCode(), SamplingKit.NewCode());
        await sampler.OpenTubeOk(first, 10, siteId);
        await sampler.OpenTubeOk(second, 10, siteId);
        await sampler.AddPersonOk(first, person.IdNumber);

        var refused = await sampler.AddPerson(second, person.IdNumber);

        (await refused.ShouldBeValidationProblem("code"))["code"][0].ShouldContain(first);
        (await App.Tube(second)).Count.ShouldBe(0);
        await (await sampler.CloseTube(first)).ShouldHaveStatus(HttpStatusCode.OK);
        (await sampler.AddPersonOk(second, person.IdNumber)).Count.ShouldBe(1);
    }

    [SkippableFact]
    public async Task Scanning_the_same_person_into_two_tubes_at_once_puts_them_in_one()
    {
        var person = (await App.RegisterPeople(1))[0];
        var siteId = await App.SamplerSite();
        using var sampler = await App.ClientFor("sampler");
        var barcodes = Enumerable.Range(0, 6).Select(_ => SamplingKit.NewCode()).ToList();
        foreach (var barcode in barcodes) await sampler.OpenTubeOk(barcode, 10, siteId);

        var responses = await Task.WhenAll(barcodes.Select(async b =>
        {
            using var client = await App.ClientFor("sampler");
            return await client.AddPerson(b, person.IdNumber);
        }));

        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK)) await refused.ShouldBeValidationProblem("code");
        var counts = new List<int>();
        foreach (var barcode in barcodes) counts.Add((await App.Tube(barcode)).Count);
        counts.Sum().ShouldBe(1);
    }

    [SkippableFact]
    public async Task A_full_tube_closes_itself_and_takes_nobody_more()
    {
        var people = await App.RegisterPeople(6);
        using var sampler = await App.ClientFor("sampler");
        var barcode = SamplingKit.NewCode();
        await sampler.OpenTubeOk(barcode, 5, await App.SamplerSite());
        TubeDto tube = null!;
        foreach (var person in people.Take(5)) tube = await sampler.AddPersonOk(barcode, person.IdNumber);
        (tube.Status, tube.Count).ShouldBe((TubeStatus.Closed, 5));

        var sixth = await sampler.AddPerson(barcode, people[5].IdNumber);

        (await sixth.ShouldBeProblem(HttpStatusCode.Conflict)).GetProperty("detail").GetString()!.ShouldContain("closed");
        (await App.Tube(barcode)).Count.ShouldBe(5);
        await (await sampler.CloseTube(barcode)).ShouldBeProblem(HttpStatusCode.Conflict);
    }

    [SkippableFact]
    public async Task Unknown_codes_and_unknown_tubes_are_refused_clearly()
    {
        using var sampler = await App.ClientFor("sampler");
        var barcode = SamplingKit.NewCode();
        await sampler.OpenTubeOk(barcode, 10, await App.SamplerSite());

        await (await sampler.AddPerson(barcode, "CORDON-P:NOSUCHCODE22")).ShouldBeValidationProblem("code");
        await (await sampler.AddPerson(barcode, "110101190001010000")).ShouldBeValidationProblem("code");
        await (await sampler.AddPerson(barcode, "   ")).ShouldBeValidationProblem("code");
        (await sampler.AddPerson(SamplingKit.NewCode(), "CORDON-P:X")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await sampler.GetAsync($"/api/v1/tubes/{SamplingKit.NewCode()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await App.Tube(barcode)).Count.ShouldBe(0);
    }

    [SkippableFact]
    public async Task An_empty_tube_cannot_be_closed_but_can_be_voided_with_a_reason_that_is_kept()
    {
        var person = (await App.RegisterPeople(1))[0];
        using var sampler = await App.ClientFor("sampler");
        var barcode = SamplingKit.NewCode();
        await sampler.OpenTubeOk(barcode, 10, await App.SamplerSite());
        await (await sampler.CloseTube(barcode)).ShouldBeProblem(HttpStatusCode.Conflict);
        await sampler.AddPersonOk(barcode, person.IdNumber);

        await (await sampler.PostAsJsonAsync($"/api/v1/tubes/{barcode}/void", new VoidTubeInput(" "), Json.Options)).ShouldBeValidationProblem("reason");
        var voided = await sampler.PostAsJsonAsync($"/api/v1/tubes/{barcode}/void", new VoidTubeInput("条码贴错"), Json.Options);

        await voided.ShouldHaveStatus(HttpStatusCode.OK);
        var tube = await App.Tube(barcode);
        (tube.Status, tube.VoidReason, tube.Count).ShouldBe((TubeStatus.Voided, "条码贴错", 1));
        // The person is free for a new tube; the voided one takes nobody and cannot be voided twice.
        (await App.SampleTube(5, [person])).Count.ShouldBe(1);
        await (await sampler.AddPerson(barcode, person.IdNumber)).ShouldBeProblem(HttpStatusCode.Conflict);
        await (await sampler.PostAsJsonAsync($"/api/v1/tubes/{barcode}/void", new VoidTubeInput("again"), Json.Options)).ShouldBeProblem(HttpStatusCode.Conflict);

        // The void is in the audit log: who voided which tube.
        using var admin = await App.ClientFor("admin");
        var audit = await admin.GetStringAsync($"/api/v1/audit?entity=Tube&key={tube.Id}");
        audit.ShouldContain("VoidReason");
    }

    [SkippableFact]
    public async Task A_member_of_a_positive_pool_sampled_in_a_pooled_tube_is_not_counted_as_retested()
    {
        var people = await App.RegisterPeople(2);
        var labId = await App.FirstLab();
        var pool = await App.SampleTube(5, people);
        await App.DeliverToLab(labId, pool.Barcode);
        await App.ImportResultsOk(labId, SamplingKit.ResultsCsv((pool.Barcode, "positive", null)));

        var pooledAgain = await App.SampleTube(5, [people[0]]);
        var single = await App.SampleTube(1, [people[1]]);

        pooledAgain.IsRetest.ShouldBeFalse();
        single.IsRetest.ShouldBeTrue();
        var orders = (await App.OpenRetestOrders()).Where(o => o.PoolBarcode == pool.Barcode).ToDictionary(o => o.ResidentId);
        orders[people[0].ResidentId].Status.ShouldBe(RetestStatus.Open);
        (orders[people[1].ResidentId].Status, orders[people[1].ResidentId].RetestBarcode).ShouldBe((RetestStatus.Sampled, single.Barcode));
    }

    [SkippableFact]
    public async Task The_door_to_door_list_filters_by_community_and_stays_inside_the_jurisdiction()
    {
        var inA = await App.RegisterPeople(1, CordonApp.BuildingA);
        var inB = await App.RegisterPeople(1, CordonApp.BuildingB, registrar: "worker2");
        var labId = await App.FirstLab();
        var pool = await App.SampleTube(5, [inA[0], inB[0]]);
        await App.DeliverToLab(labId, pool.Barcode);
        await App.ImportResultsOk(labId, SamplingKit.ResultsCsv((pool.Barcode, "positive", "30")));

        (await App.OpenRetestOrders(CordonApp.CommunityA)).Where(o => o.PoolBarcode == pool.Barcode).Select(o => o.ResidentId).ShouldBe([inA[0].ResidentId]);
        (await App.OpenRetestOrders(CordonApp.CommunityB)).Where(o => o.PoolBarcode == pool.Barcode).Select(o => o.ResidentId).ShouldBe([inB[0].ResidentId]);
        (await App.OpenRetestOrders(userName: "worker2")).Where(o => o.PoolBarcode == pool.Barcode).Select(o => o.ResidentId).ShouldBe([inB[0].ResidentId]);
        (await App.OpenRetestOrders(CordonApp.CommunityA, userName: "worker2")).ShouldBeEmpty();
        var order = (await App.OpenRetestOrders(CordonApp.CommunityA)).First(o => o.PoolBarcode == pool.Barcode);
        order.Name.ShouldContain("*");
        order.Room.ShouldBe("***");

        using var commander = await App.ClientFor("commander");
        await (await commander.GetAsync("/api/v1/testing/retest-orders?area=99x")).ShouldBeValidationProblem("area");
        await (await commander.GetAsync("/api/v1/testing/retest-orders?after=nonsense")).ShouldBeValidationProblem("after");
    }
}

public sealed class SamplingTestsOnSqlite(SqliteApp app) : SamplingTests(app), IClassFixture<SqliteApp>;

public sealed class SamplingTestsOnPostgres(PostgresApp app) : SamplingTests(app), IClassFixture<PostgresApp>;
