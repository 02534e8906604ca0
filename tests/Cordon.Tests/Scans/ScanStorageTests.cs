using Cordon.Features.Scans;
using Cordon.Infrastructure.Data;
using Cordon.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cordon.Tests.Scans;

/// <summary>
/// The check-in table on each database: the batch writer stores every check-in once however often it is sent, and the
/// retention job deletes what is older than 28 days and keeps the rest.
/// </summary>
public abstract class ScanStorageTests(CordonApp app) : AppTests(app)
{
    private static long NewResidentBase() => Random.Shared.NextInt64(1_000_000_000, 2_000_000_000) * 1_000;

    private static Scan NewScan(long residentId, DateTime at, Guid? clientId = null) => new()
    {
        ResidentId = residentId,
        ClientId = clientId ?? Guid.NewGuid(),
        ScannedAt = at,
        VenueId = 1,
        AreaCode = CordonApp.CommunityA,
        Decision = ScanDecision.Allowed,
        Reason = ScanReason.Ok,
    };

    private async Task<int> CountAsync(long from, long to)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CordonDbContext>();
        return await db.Scans.CountAsync(s => s.ResidentId >= from && s.ResidentId < to);
    }

    [SkippableFact]
    public async Task Concurrent_check_ins_are_stored_in_batches_and_a_resent_one_is_stored_once()
    {
        var writer = App.Services.GetRequiredService<ScanWriter>();
        var first = NewResidentBase();
        var now = DateTime.UtcNow;
        var scans = Enumerable.Range(0, 1_500).Select(i => NewScan(first + i % 300, now.AddMilliseconds(i))).ToList();

        var stored = await Task.WhenAll(scans.Select(s => writer.WriteAsync(s)));
        stored.ShouldAllBe(s => s);
        (await CountAsync(first, first + 300)).ShouldBe(1_500);

        // The same check-ins again (a client that never saw its answer), at a later time: nothing new is stored.
        var resent = await Task.WhenAll(scans.Take(200).Select(s => writer.WriteAsync(NewScan(s.ResidentId, now.AddMinutes(1), s.ClientId))));
        resent.ShouldAllBe(s => !s);
        (await CountAsync(first, first + 300)).ShouldBe(1_500);

        // Stored with their time, venue and decision as given.
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CordonDbContext>();
        var one = await db.Scans.AsNoTracking().SingleAsync(s => s.ResidentId == scans[7].ResidentId && s.ClientId == scans[7].ClientId);
        (one.ScannedAt - scans[7].ScannedAt).Duration().ShouldBeLessThan(TimeSpan.FromMilliseconds(1));
        (one.VenueId, one.AreaCode, one.Decision, one.Reason).ShouldBe((1, CordonApp.CommunityA, ScanDecision.Allowed, ScanReason.Ok));
    }

    [SkippableFact]
    public async Task Retention_deletes_check_ins_older_than_28_days_and_keeps_newer_ones()
    {
        var writer = App.Services.GetRequiredService<ScanWriter>();
        var first = NewResidentBase();
        var now = DateTime.UtcNow;
        var old = Enumerable.Range(0, 30).Select(i => NewScan(first + i, now.AddDays(-28).AddHours(-1 - i))).ToList();
        var recent = Enumerable.Range(0, 20).Select(i => NewScan(first + 100 + i, now.AddDays(-28).AddHours(1 + i))).ToList();
        await Task.WhenAll(old.Concat(recent).Select(s => writer.WriteAsync(s)));
        (await CountAsync(first, first + 200)).ShouldBe(50);

        var deleted = await App.Services.GetRequiredService<ScanRetention>().RunOnceAsync();

        deleted.ShouldBeGreaterThanOrEqualTo(30);
        (await CountAsync(first, first + 100)).ShouldBe(0);
        (await CountAsync(first + 100, first + 200)).ShouldBe(20);
    }
}

public sealed class ScanStorageTestsOnSqlite(SqliteApp app) : ScanStorageTests(app), IClassFixture<SqliteApp>;

public sealed class ScanStorageTestsOnPostgres(PostgresApp app) : ScanStorageTests(app), IClassFixture<PostgresApp>;
