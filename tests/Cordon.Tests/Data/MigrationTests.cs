using System.Data.Common;
using Cordon.Infrastructure.Data;
using Cordon.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Tests.Data;

/// <summary>Applying the versioned migrations: once each, in order, also when two hosts start at the same moment.</summary>
public abstract class MigrationTests
{
    private readonly TestDatabases _databases;

    protected MigrationTests(TestDatabases databases)
    {
        TestPostgres.SkipOrFailIfUnavailable(databases.UnavailableReason);
        _databases = databases;
    }

    private IReadOnlyList<string> AllNames => MigrationRunner.All(_databases.Provider).Select(m => m.Name).ToList();

    private static async Task<List<(int Version, string Name)>> HistoryAsync(CordonDbContext db)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = $"SELECT version, name FROM {MigrationRunner.HistoryTable} ORDER BY version";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(int, string)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetInt32(0), reader.GetString(1)));
        return rows;
    }

    [SkippableFact]
    public async Task A_fresh_database_gets_every_migration_in_order_and_a_second_run_does_nothing()
    {
        AllNames.Count.ShouldBeGreaterThan(0);
        await using var db = _databases.Context(await _databases.CreateAsync());

        (await TestDatabases.Runner(db).MigrateAsync()).ShouldBe(AllNames);
        (await TestDatabases.Runner(db).MigrateAsync()).ShouldBeEmpty();

        var history = await HistoryAsync(db);
        history.Select(h => h.Name).ShouldBe(AllNames);
        history.Select(h => h.Version).ShouldBe(MigrationRunner.All(_databases.Provider).Select(m => m.Version));
        (await db.Areas.CountAsync()).ShouldBe(0, "the migrated schema answers queries of the model");
    }

    [SkippableFact]
    public async Task Two_hosts_migrating_the_same_fresh_database_at_once_both_succeed_and_apply_each_migration_once()
    {
        var connectionString = await _databases.CreateAsync();
        await using var first = _databases.Context(connectionString);
        await using var second = _databases.Context(connectionString);
        using var start = new Barrier(2);

        Task<IReadOnlyList<string>> Migrate(CordonDbContext db) => Task.Run(() =>
        {
            start.SignalAndWait(TimeSpan.FromSeconds(10));
            return TestDatabases.Runner(db).MigrateAsync();
        });
        var results = await Task.WhenAll(Migrate(first), Migrate(second));

        results.SelectMany(applied => applied).ShouldBe(AllNames, ignoreOrder: true);
        results.ShouldContain(applied => applied.Count == 0, "one of them found the work done");
        var history = await HistoryAsync(first);
        history.Select(h => h.Version).ShouldBeUnique();
        history.Select(h => h.Name).ShouldBe(AllNames);
        (await TestDatabases.Runner(second).MigrateAsync()).ShouldBeEmpty();
    }
}

public sealed class SqliteMigrationTests(SqliteDatabases databases) : MigrationTests(databases), IClassFixture<SqliteDatabases>;

public sealed class PostgresMigrationTests(PostgresDatabases databases) : MigrationTests(databases), IClassFixture<PostgresDatabases>;
