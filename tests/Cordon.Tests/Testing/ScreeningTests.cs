using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Registry;
using Cordon.Features.Testing;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Web;
using Cordon.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cordon.Tests.Testing;

/// <summary>
/// Intent methods for the screening tests. Areas and residents are made through the API; samplings and results are
/// written straight into TubeMembers/PersonResults through the app's DbContext, because what a round counts is those
/// rows (any sampled person, whichever site and tube) and the sampling slice's API was not committed when these tests
/// were written. The rows are the ones the sampling API writes: resident, area code at sampling time, sampled at.
/// </summary>
internal static class ScreeningKit
{
    private static int _building = 500;

    /// <summary>A new building below <paramref name="community"/> (made by the admin), so a test counts only its own people.</summary>
    public static async Task<string> NewBuilding(this CordonApp app, string community = CordonApp.CommunityA)
    {
        var code = community + Interlocked.Increment(ref _building).ToString("000", CultureInfo.InvariantCulture);
        using var admin = await app.ClientFor("admin");
        var response = await admin.PostAsJsonAsync("/api/v1/areas", new AreaInput(code, "测试楼" + code[^3..], community, null, null, null), Json.Options);
        await response.ShouldHaveStatus(HttpStatusCode.Created);
        return code;
    }

    /// <summary>Registers residents in an area (as the admin) and returns their ids.</summary>
    public static async Task<List<long>> NewResidents(this CordonApp app, string areaCode, int count, KeyGroup keyGroup = KeyGroup.None)
    {
        var ids = new List<long>();
        for (var i = 0; i < count; i++)
        {
            var input = TestData.Resident(areaCode) with { KeyGroup = keyGroup };
            ids.Add((await app.CreateResident("admin", input)).Id);
        }
        return ids;
    }

    /// <summary>
    /// Samples the residents into one closed tube at the first site at <paramref name="at"/> (default: ten minutes ago),
    /// and, when <paramref name="result"/> is given, releases a result for each of them.
    /// </summary>
    public static async Task Sample(this CordonApp app, IReadOnlyList<long> residentIds, DateTime? at = null, PersonResultKind? result = null)
    {
        var sampledAt = at ?? DateTime.UtcNow.AddMinutes(-10);
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync();
        var site = await db.SamplingSites.OrderBy(s => s.Id).Select(s => s.Id).FirstAsync();
        var areas = await db.Residents.Where(r => residentIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.AreaCode);
        var tube = new Tube
        {
            Barcode = "SCR" + Guid.NewGuid().ToString("N")[..16],
            PoolSize = residentIds.Count == 1 ? 1 : 10,
            SiteId = site,
            Status = result is null ? TubeStatus.Closed : TubeStatus.Resulted,
            OpenedAt = sampledAt,
            CollectedAt = sampledAt,
            ReleasedAt = result is null ? null : sampledAt.AddMinutes(5),
        };
        db.Tubes.Add(tube);
        await db.SaveChangesAsync();
        foreach (var id in residentIds)
        {
            db.TubeMembers.Add(new TubeMember { TubeId = tube.Id, ResidentId = id, AreaCode = areas[id], SampledAt = sampledAt, InOpenTube = false });
            if (result is { } kind)
            {
                db.PersonResults.Add(new PersonResult
                {
                    ResidentId = id,
                    AreaCode = areas[id],
                    TubeId = tube.Id,
                    Kind = kind,
                    SampledAt = sampledAt,
                    ReleasedAt = sampledAt.AddMinutes(5),
                });
            }
        }
        await db.SaveChangesAsync();
    }

    public static RoundInput Round(params string[] areas) =>
        new("测试筛查" + TestData.NewTag(), areas, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));

    /// <summary>Opens a round as the commander (district 990102).</summary>
    public static async Task<RoundDto> OpenRound(this CordonApp app, RoundInput input, string userName = "commander")
    {
        using var client = await app.ClientFor(userName);
        var response = await client.PostAsJsonAsync("/api/v1/rounds", input, Json.Options);
        await response.ShouldHaveStatus(HttpStatusCode.Created);
        return await response.ReadAs<RoundDto>();
    }

    public static async Task<Coverage> Coverage(this CordonApp app, int roundId, string? parent = null, string userName = "commander")
    {
        using var client = await app.ClientFor(userName);
        var response = await client.GetAsync($"/api/v1/rounds/{roundId}/coverage" + (parent is null ? "" : "?parent=" + parent));
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        return await response.ReadAs<Coverage>();
    }

    /// <summary>Every untested resident of a round (in an area), following the cursor page by page.</summary>
    public static async Task<List<UntestedResident>> AllUntested(this CordonApp app, int roundId, string? area, string userName = "commander", int limit = 100)
    {
        using var client = await app.ClientFor(userName);
        var all = new List<UntestedResident>();
        string? after = null;
        do
        {
            var url = $"/api/v1/rounds/{roundId}/untested?limit={limit}" + (area is null ? "" : "&area=" + area) + (after is null ? "" : "&after=" + after);
            var response = await client.GetAsync(url);
            await response.ShouldHaveStatus(HttpStatusCode.OK);
            var page = await response.ReadAs<Page<UntestedResident>>();
            all.AddRange(page.Items);
            after = page.NextCursor;
        }
        while (after is not null);
        return all;
    }

    public static async Task<int> ResidentsIn(this CordonApp app, string prefix)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync();
        return await db.Residents.CountAsync(r => r.AreaCode.StartsWith(prefix));
    }

    public static async Task<IReadOnlyList<Obligation>> ObligationsOf(this CordonApp app, long residentId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IScreeningObligations>().ForResidentAsync(residentId);
    }
}

/// <summary>Opening and closing screening rounds, the untested list (the basis of the popup) and bad input.</summary>
public abstract class ScreeningTests(CordonApp app) : AppTests(app)
{
    [SkippableFact]
    public async Task A_round_over_a_community_requires_its_residents_and_the_untested_list_shrinks_as_they_are_sampled()
    {
        var round = await App.OpenRound(ScreeningKit.Round(CordonApp.CommunityB));
        var required = await App.ResidentsIn(CordonApp.CommunityB);
        required.ShouldBeGreaterThan(0);

        var before = await App.Coverage(round.Id);
        before.Total.Required.ShouldBe(required);
        before.Parent.ShouldBe(CordonApp.CommunityB);
        before.Rows.ShouldAllBe(r => r.AreaCode.StartsWith(CordonApp.CommunityB));
        var untestedBefore = await App.AllUntested(round.Id, CordonApp.CommunityB);
        untestedBefore.Count.ShouldBe(required - before.Total.Sampled);

        var sampled = untestedBefore.Take(3).Select(r => r.Id).ToList();
        await App.Sample(sampled);
        // Sampled before the window does not count, nor does a second sampling of the same person.
        await App.Sample([untestedBefore[3].Id], at: DateTime.UtcNow.AddHours(-3));
        await App.Sample([sampled[0]]);

        var after = await App.Coverage(round.Id);
        after.Total.Required.ShouldBe(required);
        after.Total.Sampled.ShouldBe(before.Total.Sampled + 3);
        var untestedAfter = await App.AllUntested(round.Id, CordonApp.CommunityB);
        untestedAfter.Count.ShouldBe(untestedBefore.Count - 3);
        untestedAfter.Select(r => r.Id).ShouldNotContain(sampled[1]);
        untestedAfter.Select(r => r.Id).ShouldContain(untestedBefore[3].Id);
    }

    [SkippableFact]
    public async Task The_untested_list_pages_building_by_building_without_repeats_and_shows_masked_names_and_phones()
    {
        var first = await App.NewBuilding();
        var second = await App.NewBuilding();
        var inSecond = await App.NewResidents(second, 3);
        var inFirst = await App.NewResidents(first, 4);
        var round = await App.OpenRound(ScreeningKit.Round(first, second));
        await App.Sample([inFirst[2]]);

        // Two at a time: the cursor crosses from one building to the next.
        var pages = await App.AllUntested(round.Id, null, limit: 2);

        pages.Select(r => r.Id).ShouldBe(inFirst.Where(id => id != inFirst[2]).Order().Concat(inSecond.Order()));
        pages.ShouldAllBe(r => r.Name.Contains('*') && r.Phone.StartsWith("166****"));
        using var commander = await App.ClientFor("commander");
        await (await commander.GetAsync($"/api/v1/rounds/{round.Id}/untested?after=12")).ShouldBeValidationProblem("after");
    }

    [SkippableFact]
    public async Task Closing_a_round_ends_the_popup_obligation_and_a_second_close_is_a_conflict()
    {
        var building = await App.NewBuilding();
        var ids = await App.NewResidents(building, 2);
        var round = await App.OpenRound(ScreeningKit.Round(building));
        await App.Sample([ids[0]]);

        (await App.ObligationsOf(ids[1])).ShouldContain(o => o.Kind == ObligationKind.ScreeningRound && o.RoundId == round.Id);
        (await App.ObligationsOf(ids[0])).ShouldNotContain(o => o.Kind == ObligationKind.ScreeningRound && o.RoundId == round.Id);

        using var commander = await App.ClientFor("commander");
        var closed = await commander.PostAsync($"/api/v1/rounds/{round.Id}/close", null);
        await closed.ShouldHaveStatus(HttpStatusCode.OK);
        (await closed.ReadAs<RoundDto>()).Status.ShouldBe(RoundStatus.Closed);
        (await App.ObligationsOf(ids[1])).ShouldNotContain(o => o.RoundId == round.Id);

        var again = await commander.PostAsync($"/api/v1/rounds/{round.Id}/close", null);
        await again.ShouldBeProblem(HttpStatusCode.Conflict);
        var listed = await commander.GetFromJsonAsync<Page<RoundDto>>("/api/v1/rounds?status=Closed&limit=100", Json.Options);
        listed!.Items.ShouldContain(r => r.Id == round.Id);
    }

    [SkippableFact]
    public async Task The_bulk_obligations_list_the_untested_of_running_rounds_only()
    {
        var building = await App.NewBuilding();
        var ids = await App.NewResidents(building, 3);
        var running = await App.OpenRound(ScreeningKit.Round(building));
        var later = await App.OpenRound(ScreeningKit.Round(building) with { StartsAt = DateTimeOffset.UtcNow.AddHours(2), EndsAt = DateTimeOffset.UtcNow.AddHours(20) });
        await App.Sample([ids[0]]);

        await using var scope = App.Services.CreateAsyncScope();
        var obligations = scope.ServiceProvider.GetRequiredService<IScreeningObligations>();
        var all = new List<ResidentObligation>();
        await foreach (var o in obligations.AllAsync(building)) all.Add(o);

        all.Where(o => o.Obligation.RoundId == running.Id).Select(o => o.ResidentId).Order().ShouldBe([ids[1], ids[2]]);
        all.ShouldNotContain(o => o.Obligation.RoundId == later.Id);
        var untested = new List<long>();
        await foreach (var id in obligations.UntestedInRoundAsync(later.Id)) untested.Add(id);
        untested.ShouldBe([ids[0], ids[1], ids[2]]);
    }

    [SkippableFact]
    public async Task Opening_and_closing_a_round_raise_events_for_the_health_status_feature()
    {
        var events = App.Services.GetRequiredService<ScreeningEvents>();
        var opened = new List<RoundChanged>();
        var closed = new List<RoundChanged>();
        void OnOpened(RoundChanged c) => opened.Add(c);
        void OnClosed(RoundChanged c) => closed.Add(c);
        events.RoundOpened += OnOpened;
        events.RoundClosed += OnClosed;
        try
        {
            var building = await App.NewBuilding();
            var round = await App.OpenRound(ScreeningKit.Round(building));
            using var commander = await App.ClientFor("commander");
            await (await commander.PostAsync($"/api/v1/rounds/{round.Id}/close", null)).ShouldHaveStatus(HttpStatusCode.OK);

            opened.ShouldContain(c => c.RoundId == round.Id && c.AreaCodes.SequenceEqual(new[] { building }));
            closed.ShouldContain(c => c.RoundId == round.Id);
        }
        finally
        {
            events.RoundOpened -= OnOpened;
            events.RoundClosed -= OnClosed;
        }
    }

    [SkippableTheory]
    [InlineData("990102001999", "areaCodes")] // well-formed, unknown
    [InlineData("990100", "areaCodes")] // the city: known, but outside the district commander's jurisdiction
    [InlineData("99010", "areaCodes")] // not an area code
    public async Task A_round_over_an_unknown_or_foreign_area_is_refused_and_nothing_is_opened(string area, string field)
    {
        using var commander = await App.ClientFor("commander");
        var countBefore = await CountRounds(commander);

        var response = await commander.PostAsJsonAsync("/api/v1/rounds", ScreeningKit.Round(CordonApp.CommunityA, area), Json.Options);

        var errors = await response.ShouldBeValidationProblem(field);
        errors[field].ShouldContain(m => m.Contains(area));
        (await CountRounds(commander)).ShouldBe(countBefore);
    }

    [SkippableFact]
    public async Task A_window_that_ends_before_it_starts_or_lasts_more_than_a_week_is_refused()
    {
        using var commander = await App.ClientFor("commander");
        var countBefore = await CountRounds(commander);
        var now = DateTimeOffset.UtcNow;

        var backwards = await commander.PostAsJsonAsync("/api/v1/rounds", ScreeningKit.Round(CordonApp.CommunityA) with { StartsAt = now.AddHours(5), EndsAt = now.AddHours(1) }, Json.Options);
        (await backwards.ShouldBeValidationProblem("endsAt"))["endsAt"].ShouldBe(["must be after startsAt"]);
        var tooLong = await commander.PostAsJsonAsync("/api/v1/rounds", ScreeningKit.Round(CordonApp.CommunityA) with { EndsAt = now.AddDays(8) }, Json.Options);
        await tooLong.ShouldBeValidationProblem("endsAt");
        var past = await commander.PostAsJsonAsync("/api/v1/rounds", ScreeningKit.Round(CordonApp.CommunityA) with { StartsAt = now.AddDays(-3), EndsAt = now.AddDays(-2) }, Json.Options);
        await past.ShouldBeValidationProblem("endsAt");
        var missing = await commander.PostAsJsonAsync("/api/v1/rounds", new RoundInput(" ", [], null, null, [KeyGroup.None]), Json.Options);
        await missing.ShouldBeValidationProblem("name", "areaCodes", "startsAt", "endsAt", "keyGroups");

        (await CountRounds(commander)).ShouldBe(countBefore);
    }

    [SkippableFact]
    public async Task Only_a_testing_manager_opens_or_closes_rounds()
    {
        var building = await App.NewBuilding();
        var round = await App.OpenRound(ScreeningKit.Round(building));
        using var worker = await App.ClientFor("worker");

        (await worker.PostAsJsonAsync("/api/v1/rounds", ScreeningKit.Round(building), Json.Options)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await worker.PostAsync($"/api/v1/rounds/{round.Id}/close", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await worker.GetAsync($"/api/v1/rounds/{round.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var resident = await App.ClientFor("resident");
        (await resident.GetAsync("/api/v1/rounds")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task A_round_outside_the_jurisdiction_is_invisible()
    {
        var building = await App.NewBuilding(CordonApp.CommunityA);
        var round = await App.OpenRound(ScreeningKit.Round(building));
        using var worker2 = await App.ClientFor("worker2");

        (await worker2.GetAsync($"/api/v1/rounds/{round.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await worker2.GetAsync($"/api/v1/rounds/{round.Id}/coverage")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await worker2.GetAsync($"/api/v1/rounds/{round.Id}/untested")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var listed = await worker2.GetFromJsonAsync<Page<RoundDto>>("/api/v1/rounds?limit=100", Json.Options);
        listed!.Items.ShouldNotContain(r => r.Id == round.Id);

        using var worker = await App.ClientFor("worker");
        (await worker.GetAsync($"/api/v1/rounds/{round.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await worker.GetAsync($"/api/v1/rounds/{round.Id}/untested?area={CordonApp.CommunityB}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private static async Task<int> CountRounds(HttpClient client) =>
        (await client.GetFromJsonAsync<Page<RoundDto>>("/api/v1/rounds?limit=100", Json.Options))!.Items.Count;
}

public sealed class ScreeningTestsOnSqlite(SqliteApp app) : ScreeningTests(app), IClassFixture<SqliteApp>;

public sealed class ScreeningTestsOnPostgres(PostgresApp app) : ScreeningTests(app), IClassFixture<PostgresApp>;
