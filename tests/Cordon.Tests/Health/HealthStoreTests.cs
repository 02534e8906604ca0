using Cordon.Features.Health;
using Cordon.Tests.Support;
using Cordon.Tests.Testing;

namespace Cordon.Tests.Health;

/// <summary>The stored status and its history, read as passes and checkpoints read it.</summary>
public abstract class HealthStoreTests(CordonApp app) : AppTests(app)
{
    [SkippableFact]
    public async Task A_new_resident_gets_a_stored_green_status_with_its_first_history_entry()
    {
        var person = (await App.RegisterPeople(1)).Single();
        var status = (await App.Status(person.ResidentId)).ShouldNotBeNull();
        status.Colour.ShouldBe(HealthColour.Green);
        status.Reason.ShouldBe(HealthRules.Reasons.None);
        status.Popups.ShouldBeEmpty();
        status.LastNegativeSampledAt.ShouldBeNull();
        status.Version.ShouldBeGreaterThanOrEqualTo(1);
        var first = (await App.History(person.ResidentId)).ShouldHaveSingleItem();
        first.FromColour.ShouldBeNull();
        first.ToColour.ShouldBe(HealthColour.Green);
        // Reading again reads the same row: nothing is derived per request.
        (await App.Status(person.ResidentId))!.Version.ShouldBe(status.Version);
    }

    [SkippableFact]
    public async Task An_unknown_resident_has_no_status() => (await App.Status(987_654_321)).ShouldBeNull();

    [SkippableFact]
    public async Task A_released_negative_result_is_stored_as_the_test_age_within_seconds()
    {
        var people = await App.RegisterPeople(2);
        foreach (var p in people) (await App.Status(p.ResidentId))!.LastNegativeSampledAt.ShouldBeNull();
        var tube = await App.SampleTube(10, people);
        await App.DeliverToLab(await App.FirstLab(), tube.Barcode);
        await App.ImportResultsOk(await App.FirstLab(), SamplingKit.ResultsCsv((tube.Barcode, "negative", null)));
        foreach (var p in people)
        {
            var status = await App.StatusWhen(p.ResidentId, s => s.LastNegativeSampledAt is not null, "tested negative");
            status.Colour.ShouldBe(HealthColour.Green);
            status.LastNegativeSampledAt!.Value.ShouldBe(tube.CollectedAt!.Value, TimeSpan.FromMinutes(1));
        }
    }
}

public sealed class HealthStoreTestsOnSqlite(SqliteApp app) : HealthStoreTests(app), IClassFixture<SqliteApp>;

public sealed class HealthStoreTestsOnPostgres(PostgresApp app) : HealthStoreTests(app), IClassFixture<PostgresApp>;
