using Cordon.Features.Health;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Cordon.Tests.Support;
using Cordon.Tests.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cordon.Tests.Health;

/// <summary>
/// The bulk recomputation (a round opened or closed over a district) over more residents than one batch and one
/// statement, and its optimistic write: a row someone else changed meanwhile is never overwritten, each change has
/// exactly one history entry.
/// </summary>
public abstract class HealthRecomputeTests(CordonApp app) : AppTests(app)
{
    [SkippableFact]
    public async Task A_round_over_more_residents_than_one_batch_gives_each_one_popup_and_one_history_entry_and_closing_takes_it_away()
    {
        var building = await App.NewBuilding(CordonApp.CommunityB);
        var ids = await InsertResidents(building, 1_100);
        var scope = new HealthScope([building]);

        // Batches of 700 residents: two batches, the first larger than one SQLite statement (500 rows).
        var filled = await Recompute(r => r.RecomputeScopeAsync(scope, "test-fill"));
        filled.Residents.ShouldBe(1_100);
        var statuses = await Statuses(ids);
        statuses.Count.ShouldBe(1_100);
        statuses.Values.ShouldAllBe(s => s.Colour == HealthColour.Green && s.Popups == "[]");
        (await HistoryCounts(ids)).Values.ShouldAllBe(n => n == 1);

        // Nothing changed: nothing is written, the history stays as it was.
        var again = await Recompute(r => r.RecomputeScopeAsync(scope, "test-again"));
        (again.Residents, again.Written).ShouldBe((1_100, 0));
        (await Statuses(ids)).ShouldAllBe(s => s.Value.Version == statuses[s.Key].Version);

        // The round opens: the worker recomputes the building too, at the same time; whoever writes first wins and the
        // other finds nothing left to change, so each resident has exactly one more history entry.
        var round = await App.OpenRound(ScreeningKit.Round(building));
        await Recompute(r => r.RecomputeScopeAsync(scope, "test-round"));
        var opened = await Statuses(ids);
        opened.Values.ShouldAllBe(s => s.Popups.Contains($"\"round:{round.Id}\"") && s.NextCheckAt != null);
        (await HistoryCounts(ids)).Values.ShouldAllBe(n => n == 2);

        using (var commander = await App.ClientFor("commander"))
        {
            await (await commander.PostAsync($"/api/v1/rounds/{round.Id}/close", null)).ShouldHaveStatus(System.Net.HttpStatusCode.OK);
        }
        await Recompute(r => r.RecomputeScopeAsync(scope, "test-close"));
        var closed = await Statuses(ids);
        closed.Values.ShouldAllBe(s => s.Popups == "[]" && s.NextCheckAt == null);
        closed.ShouldAllBe(s => s.Value.Version > opened[s.Key].Version);
        (await HistoryCounts(ids)).Values.ShouldAllBe(n => n == 3);
    }

    [SkippableFact]
    public async Task A_row_changed_meanwhile_is_not_overwritten_by_a_write_computed_from_its_old_version()
    {
        var building = await App.NewBuilding(CordonApp.CommunityB);
        var ids = await InsertResidents(building, 650);
        await Recompute(r => r.RecomputeAsync(ids, "test-fill"));
        var before = await Statuses(ids);

        // Computed from the stored rows (version v, to be stored as v + 1)…
        var rows = ids.Select(id => new StatusRow(id, building, HealthColour.Yellow, HealthRules.Reasons.ControlArea, "[]", null,
            DateTime.UtcNow, before[id].Version + 1, null, HealthColour.Green, Changed: true)).ToList();
        // …while staff changed one of them (its version moved on).
        var changedMeanwhile = ids[321];
        await using (var scope = App.Services.CreateAsyncScope())
        await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync())
        {
            await db.HealthStatuses.Where(s => s.ResidentId == changedMeanwhile)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Version, x => x.Version + 1).SetProperty(x => x.Colour, HealthColour.Red).SetProperty(x => x.Reason, HealthRules.Reasons.Override));
            var skipped = await HealthStatusWriter.WriteAsync(db, rows, "test-write", DateTime.UtcNow, CancellationToken.None);
            skipped.ShouldHaveSingleItem().ShouldBe(changedMeanwhile);
        }

        var after = await Statuses(ids);
        (after[changedMeanwhile].Colour, after[changedMeanwhile].Reason).ShouldBe((HealthColour.Red, HealthRules.Reasons.Override));
        after.Where(s => s.Key != changedMeanwhile).ShouldAllBe(s => s.Value.Colour == HealthColour.Yellow && s.Value.Version == before[s.Key].Version + 1);
        var history = await HistoryCounts(ids);
        history[changedMeanwhile].ShouldBe(1);
        history.Where(h => h.Key != changedMeanwhile).ShouldAllBe(h => h.Value == 2);
    }

    private async Task<RecomputeReport> Recompute(Func<HealthRecomputer, Task<RecomputeReport>> run)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var recomputer = scope.ServiceProvider.GetRequiredService<HealthRecomputer>();
        recomputer.Batch = 700;
        return await run(recomputer);
    }

    /// <summary>Residents straight into the registry (the import would take minutes for a thousand).</summary>
    private async Task<List<long>> InsertResidents(string areaCode, int count)
    {
        await using var scope = App.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync();
        var tag = TestData.NewTag();
        var residents = Enumerable.Range(0, count).Select(i => new Resident
        {
            Name = $"批量{tag}{i}",
            IdNumberHash = $"bulk-{tag}-{i}",
            IdNumberCipher = "-",
            Phone = TestData.NewPhone(),
            AreaCode = areaCode,
            CreatedAt = DateTime.UtcNow,
            UpdatedAt = DateTime.UtcNow,
        }).ToList();
        db.Residents.AddRange(residents);
        await db.SaveChangesAsync();
        return residents.Select(r => r.Id).Order().ToList();
    }

    private async Task<Dictionary<long, HealthStatus>> Statuses(List<long> ids)
    {
        await using var scope = App.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync();
        return await db.HealthStatuses.AsNoTracking().Where(s => ids.Contains(s.ResidentId)).ToDictionaryAsync(s => s.ResidentId);
    }

    private async Task<Dictionary<long, int>> HistoryCounts(List<long> ids)
    {
        await using var scope = App.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync();
        var counts = await db.HealthStatusChanges.Where(c => ids.Contains(c.ResidentId)).GroupBy(c => c.ResidentId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count);
        return ids.ToDictionary(id => id, id => counts.GetValueOrDefault(id));
    }
}

public sealed class HealthRecomputeTestsOnSqlite(SqliteApp app) : HealthRecomputeTests(app), IClassFixture<SqliteApp>;

public sealed class HealthRecomputeTestsOnPostgres(PostgresApp app) : HealthRecomputeTests(app), IClassFixture<PostgresApp>;
