using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Registry;
using Cordon.Features.Testing;
using Cordon.Infrastructure.Web;
using Cordon.Tests.Support;

namespace Cordon.Tests.Testing;

/// <summary>
/// Key-group periodic testing: the demo's rules (couriers every 24 h, students without a rule), who is overdue, and
/// changing a rule. A sampling or a negative antigen self-test keeps a member up to date; a positive one does not.
/// </summary>
public abstract class ScreeningKeyGroupTests(CordonApp app) : AppTests(app)
{
    private async Task<List<OverdueMember>> Overdue(string area, string? keyGroup = null)
    {
        using var commander = await App.ClientFor("commander");
        var response = await commander.GetAsync($"/api/v1/key-groups/overdue?area={area}&limit=100" + (keyGroup is null ? "" : "&keyGroup=" + keyGroup));
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        return (await response.ReadAs<Page<OverdueMember>>()).Items.ToList();
    }

    [SkippableFact]
    public async Task Members_never_tested_or_tested_longer_ago_than_their_interval_are_overdue()
    {
        var building = await App.NewBuilding();
        var couriers = await App.NewResidents(building, 5, KeyGroup.Courier);
        var student = (await App.NewResidents(building, 1, KeyGroup.Student))[0];
        await App.NewResidents(building, 1);
        await App.Sample([couriers[1]], at: DateTime.UtcNow.AddHours(-1));
        var longAgo = DateTime.UtcNow.AddHours(-30);
        await App.Sample([couriers[2]], at: longAgo);
        using (var c3 = await App.ResidentClient(couriers[3], CordonApp.CommunityA))
        {
            await (await c3.PostAsJsonAsync("/api/v1/me/antigen-reports", AntigenKit.Report(AntigenResult.Negative), Json.Options)).ShouldHaveStatus(HttpStatusCode.Created);
        }
        using (var c4 = await App.ResidentClient(couriers[4], CordonApp.CommunityA))
        {
            await (await c4.PostAsJsonAsync("/api/v1/me/antigen-reports", AntigenKit.Report(AntigenResult.Positive), Json.Options)).ShouldHaveStatus(HttpStatusCode.Created);
        }

        var overdue = await Overdue(building);

        overdue.Select(m => m.ResidentId).ShouldBe([couriers[0], couriers[2], couriers[4]]);
        overdue.ShouldNotContain(m => m.ResidentId == student);
        var never = overdue[0];
        (never.KeyGroup, never.IntervalHours, never.LastTestAt, never.DueAt).ShouldBe((KeyGroup.Courier, 24, (DateTime?)null, (DateTime?)null));
        overdue[1].LastTestAt!.Value.ShouldBe(longAgo, TimeSpan.FromSeconds(1));
        overdue[1].DueAt!.Value.ShouldBe(longAgo.AddHours(24), TimeSpan.FromSeconds(1));
        overdue.ShouldAllBe(m => m.Name.Contains('*') && m.Phone.StartsWith("166****"));
        (await Overdue(building, "Courier")).Count.ShouldBe(3);
        (await Overdue(building, "MarketVendor")).ShouldBeEmpty();

        (await App.ObligationsOf(couriers[0])).ShouldContain(o => o.Kind == ObligationKind.KeyGroupTest && o.KeyGroup == KeyGroup.Courier && o.Since == null);
        (await App.ObligationsOf(couriers[1])).ShouldNotContain(o => o.Kind == ObligationKind.KeyGroupTest);
        (await App.ObligationsOf(student)).ShouldBeEmpty();
    }

    [SkippableFact]
    public async Task A_longer_interval_takes_a_member_off_the_overdue_list()
    {
        var building = await App.NewBuilding();
        var vendor = (await App.NewResidents(building, 1, KeyGroup.MarketVendor))[0];
        await App.Sample([vendor], at: DateTime.UtcNow.AddHours(-60));
        using var commander = await App.ClientFor("commander");
        var rules = await commander.GetFromJsonAsync<List<KeyGroupRuleDto>>("/api/v1/key-groups/rules", Json.Options);
        rules!.Single(r => r.KeyGroup == KeyGroup.MarketVendor).IntervalHours.ShouldBe(48);
        rules!.Single(r => r.KeyGroup == KeyGroup.Student).IntervalHours.ShouldBeNull();
        (await Overdue(building)).Select(m => m.ResidentId).ShouldBe([vendor]);

        try
        {
            var changed = await commander.PutAsJsonAsync("/api/v1/key-groups/rules/MarketVendor", new KeyGroupRuleInput(72), Json.Options);
            await changed.ShouldHaveStatus(HttpStatusCode.OK);
            (await Overdue(building)).ShouldBeEmpty();
        }
        finally
        {
            await (await commander.PutAsJsonAsync("/api/v1/key-groups/rules/MarketVendor", new KeyGroupRuleInput(48), Json.Options)).ShouldHaveStatus(HttpStatusCode.OK);
        }
    }

    [SkippableFact]
    public async Task Bad_rules_are_refused_and_only_a_testing_manager_changes_them()
    {
        using var commander = await App.ClientFor("commander");
        await (await commander.PutAsJsonAsync("/api/v1/key-groups/rules/Courier", new KeyGroupRuleInput(0), Json.Options)).ShouldBeValidationProblem("intervalHours");
        await (await commander.PutAsJsonAsync("/api/v1/key-groups/rules/Courier", new KeyGroupRuleInput(721), Json.Options)).ShouldBeValidationProblem("intervalHours");
        await (await commander.PutAsJsonAsync("/api/v1/key-groups/rules/Astronaut", new KeyGroupRuleInput(24), Json.Options)).ShouldBeValidationProblem("keyGroup");
        await (await commander.PutAsJsonAsync("/api/v1/key-groups/rules/None", new KeyGroupRuleInput(24), Json.Options)).ShouldBeValidationProblem("keyGroup");
        await (await commander.PutAsJsonAsync("/api/v1/key-groups/rules/7", new KeyGroupRuleInput(24), Json.Options)).ShouldBeValidationProblem("keyGroup");
        await (await commander.PutAsJsonAsync("/api/v1/key-groups/rules/Courier", new KeyGroupRuleInput(null), Json.Options)).ShouldBeValidationProblem("intervalHours");
        using var worker = await App.ClientFor("worker");
        (await worker.PutAsJsonAsync("/api/v1/key-groups/rules/Courier", new KeyGroupRuleInput(1), Json.Options)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await worker.DeleteAsync("/api/v1/key-groups/rules/Courier")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var rules = await commander.GetFromJsonAsync<List<KeyGroupRuleDto>>("/api/v1/key-groups/rules", Json.Options);
        rules!.Single(r => r.KeyGroup == KeyGroup.Courier).IntervalHours.ShouldBe(24);
    }

    [SkippableFact]
    public async Task Removing_a_groups_rule_ends_its_periodic_testing()
    {
        var building = await App.NewBuilding();
        var builder = (await App.NewResidents(building, 1, KeyGroup.ConstructionWorker))[0];
        (await Overdue(building)).Select(m => m.ResidentId).ShouldBe([builder]);
        using var commander = await App.ClientFor("commander");

        try
        {
            await (await commander.DeleteAsync("/api/v1/key-groups/rules/ConstructionWorker")).ShouldHaveStatus(HttpStatusCode.OK);
            var rules = await commander.GetFromJsonAsync<List<KeyGroupRuleDto>>("/api/v1/key-groups/rules", Json.Options);
            rules!.Single(r => r.KeyGroup == KeyGroup.ConstructionWorker).IntervalHours.ShouldBeNull();
            (await Overdue(building)).ShouldBeEmpty();
            (await App.ObligationsOf(builder)).ShouldBeEmpty();
        }
        finally
        {
            await (await commander.PutAsJsonAsync("/api/v1/key-groups/rules/ConstructionWorker", new KeyGroupRuleInput(72), Json.Options)).ShouldHaveStatus(HttpStatusCode.OK);
        }
    }

    [SkippableFact]
    public async Task The_overdue_list_stays_inside_the_jurisdiction()
    {
        var building = await App.NewBuilding();
        await App.NewResidents(building, 1, KeyGroup.Courier);
        using var worker2 = await App.ClientFor("worker2");

        (await worker2.GetAsync($"/api/v1/key-groups/overdue?area={building}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var own = await worker2.GetFromJsonAsync<Page<OverdueMember>>("/api/v1/key-groups/overdue?limit=100", Json.Options);
        own!.Items.ShouldAllBe(m => m.AreaCode.StartsWith(CordonApp.CommunityB));
        await (await worker2.GetAsync("/api/v1/key-groups/overdue?keyGroup=Astronaut")).ShouldBeValidationProblem("keyGroup");
    }
}

public sealed class ScreeningKeyGroupTestsOnSqlite(SqliteApp app) : ScreeningKeyGroupTests(app), IClassFixture<SqliteApp>;

public sealed class ScreeningKeyGroupTestsOnPostgres(PostgresApp app) : ScreeningKeyGroupTests(app), IClassFixture<PostgresApp>;
