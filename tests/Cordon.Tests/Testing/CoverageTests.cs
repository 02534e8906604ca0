using System.Net;
using System.Text;
using Cordon.Features.Registry;
using Cordon.Features.Testing;
using Cordon.Tests.Support;

namespace Cordon.Tests.Testing;

/// <summary>Coverage of a round: counts per area, drill-down, key-group rounds, the jurisdiction's share and the CSV export.</summary>
public abstract class CoverageTests(CordonApp app) : AppTests(app)
{
    [SkippableFact]
    public async Task Coverage_counts_required_sampled_resulted_and_positive_residents_per_building()
    {
        var first = await App.NewBuilding();
        var second = await App.NewBuilding();
        var a = await App.NewResidents(first, 4);
        var b = await App.NewResidents(second, 3);
        var round = await App.OpenRound(ScreeningKit.Round(first, second));
        await App.Sample([a[0], a[1]], result: PersonResultKind.Negative);
        await App.Sample([a[2]]);
        await App.Sample([b[0], b[1]], result: PersonResultKind.PoolPositive);

        var coverage = await App.Coverage(round.Id);

        coverage.Parent.ShouldBeNull();
        coverage.Rows.Select(r => r.AreaCode).ShouldBe([first, second]);
        var one = coverage.Rows[0];
        (one.Required, one.Sampled, one.Resulted, one.Positive).ShouldBe((4, 3, 2, 0));
        one.SampledPercent.ShouldBe(75);
        var two = coverage.Rows[1];
        (two.Required, two.Sampled, two.Resulted, two.Positive).ShouldBe((3, 2, 2, 2));
        (coverage.Total.Required, coverage.Total.Sampled, coverage.Total.Resulted, coverage.Total.Positive).ShouldBe((7, 5, 4, 2));
        coverage.Total.Name.ShouldBe(round.Name);
    }

    [SkippableFact]
    public async Task Drilling_down_from_the_street_lists_its_communities_then_a_communitys_buildings()
    {
        const string street = "990102001";
        var round = await App.OpenRound(ScreeningKit.Round(street));

        var byCommunity = await App.Coverage(round.Id);
        byCommunity.Parent.ShouldBe(street);
        byCommunity.Rows.ShouldContain(r => r.AreaCode == CordonApp.CommunityA && r.Level == AreaLevel.Community && r.Name != null);
        byCommunity.Rows.ShouldAllBe(r => r.AreaCode.Length == 12 && r.AreaCode.StartsWith(street));
        byCommunity.Total.Required.ShouldBe(await App.ResidentsIn(street));

        var byBuilding = await App.Coverage(round.Id, CordonApp.CommunityA);
        byBuilding.Parent.ShouldBe(CordonApp.CommunityA);
        byBuilding.Rows.ShouldContain(r => r.AreaCode == CordonApp.BuildingA && r.Level == AreaLevel.Building);
        byBuilding.Total.Required.ShouldBe(byCommunity.Rows.Single(r => r.AreaCode == CordonApp.CommunityA).Required);

        using var commander = await App.ClientFor("commander");
        (await commander.GetAsync($"/api/v1/rounds/{round.Id}/coverage?parent=990102002")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await (await commander.GetAsync($"/api/v1/rounds/{round.Id}/coverage?parent=12ab")).ShouldBeValidationProblem("parent");
    }

    [SkippableFact]
    public async Task A_community_worker_sees_only_their_communitys_share_of_a_street_round()
    {
        const string street = "990102001";
        var round = await App.OpenRound(ScreeningKit.Round(street));

        var mine = await App.Coverage(round.Id, userName: "worker");

        // The worker's share is one community, so the table starts with its buildings.
        mine.Parent.ShouldBe(CordonApp.CommunityA);
        mine.Rows.ShouldContain(r => r.AreaCode == CordonApp.BuildingA);
        mine.Rows.ShouldAllBe(r => r.AreaCode.StartsWith(CordonApp.CommunityA));
        mine.Total.Required.ShouldBe(await App.ResidentsIn(CordonApp.CommunityA));
        var untested = await App.AllUntested(round.Id, null, userName: "worker");
        untested.ShouldAllBe(r => r.AreaCode.StartsWith(CordonApp.CommunityA));
    }

    [SkippableFact]
    public async Task A_key_group_round_requires_and_counts_only_the_members_of_its_groups()
    {
        var building = await App.NewBuilding();
        var couriers = await App.NewResidents(building, 2, KeyGroup.Courier);
        var vendors = await App.NewResidents(building, 1, KeyGroup.MarketVendor);
        var others = await App.NewResidents(building, 3);
        var round = await App.OpenRound(ScreeningKit.Round(building) with { KeyGroups = [KeyGroup.Courier, KeyGroup.MarketVendor] });
        await App.Sample([couriers[0], others[0], others[1]]);

        var coverage = await App.Coverage(round.Id);

        round.KeyGroups.ShouldBe([KeyGroup.Courier, KeyGroup.MarketVendor]);
        (coverage.Total.Required, coverage.Total.Sampled).ShouldBe((3, 1));
        (await App.AllUntested(round.Id, building)).Select(r => r.Id).Order().ShouldBe(new[] { couriers[1], vendors[0] }.Order());
        (await App.ObligationsOf(others[2])).ShouldNotContain(o => o.RoundId == round.Id);
    }

    [SkippableFact]
    public async Task The_coverage_exports_as_csv_with_the_total_first()
    {
        var building = await App.NewBuilding();
        var ids = await App.NewResidents(building, 2);
        var round = await App.OpenRound(ScreeningKit.Round(building));
        await App.Sample([ids[0]]);
        using var commander = await App.ClientFor("commander");

        var response = await commander.GetAsync($"/api/v1/rounds/{round.Id}/coverage.csv");

        await response.ShouldHaveStatus(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var text = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF');
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("areaCode,areaName,level,required,sampled,sampledPercent,resulted,positive");
        lines[1].ShouldStartWith($"{building},");
        lines[1].ShouldEndWith(",2,1,50.0,0,0");
        (await commander.GetAsync($"/api/v1/rounds/{round.Id + 1000}/coverage.csv")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}

public sealed class CoverageTestsOnSqlite(SqliteApp app) : CoverageTests(app), IClassFixture<SqliteApp>;

public sealed class CoverageTestsOnPostgres(PostgresApp app) : CoverageTests(app), IClassFixture<PostgresApp>;
