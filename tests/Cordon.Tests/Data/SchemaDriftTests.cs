using Cordon.Infrastructure.Data;
using Cordon.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Tests.Data;

/// <summary>
/// The versioned migration scripts and the EF Core model must describe the same schema: a database built by
/// <see cref="MigrationRunner"/> is compared with one built by <c>EnsureCreated()</c> from the model. When someone
/// changes the model without adding a migration (or the other way round), this fails and says what to do.
/// </summary>
public abstract class SchemaDriftTests
{
    private readonly TestDatabases _databases;

    protected SchemaDriftTests(TestDatabases databases)
    {
        TestPostgres.SkipOrFailIfUnavailable(databases.UnavailableReason);
        _databases = databases;
    }

    private DatabaseProvider Provider => _databases.Provider;

    private async Task<SchemaSnapshot> MigratedAsync(Func<CordonDbContext, Task>? afterwards = null)
    {
        await using var db = _databases.Context(await _databases.CreateAsync());
        await TestDatabases.Runner(db).MigrateAsync();
        if (afterwards is not null) await afterwards(db);
        return await SchemaSnapshot.ReadAsync(db.Database.GetDbConnection(), Provider);
    }

    private async Task<SchemaSnapshot> FromModelAsync()
    {
        await using var db = _databases.Context(await _databases.CreateAsync());
        (await db.Database.EnsureCreatedAsync()).ShouldBeTrue("the model creates its tables in the empty database");
        return await SchemaSnapshot.ReadAsync(db.Database.GetDbConnection(), Provider);
    }

    [SkippableFact]
    public async Task The_migrations_build_exactly_the_schema_of_the_EF_model()
    {
        var migrated = await MigratedAsync();
        var model = await FromModelAsync();

        migrated.Tables.ShouldBeGreaterThanOrEqualTo(10, "the migrated database has hardly any tables; the comparison would prove nothing");
        var diff = migrated.DiffFrom(model);
        if (diff.Count > 0) throw new Xunit.Sdk.XunitException(DriftMessage(diff));
    }

    [SkippableFact]
    public async Task The_comparison_notices_a_column_an_index_or_a_type_that_differs()
    {
        var migrated = await MigratedAsync();
        var drifted = await MigratedAsync(db => db.Database.ExecuteSqlRawAsync(Provider == DatabaseProvider.Postgres
            ? """
              ALTER TABLE "Residents" ADD COLUMN "Nickname" text NULL;
              CREATE INDEX "IX_Drift" ON "Venues" ("Address");
              ALTER TABLE "Venues" ALTER COLUMN "Address" TYPE character varying(300);
              """
            : """
              ALTER TABLE "Residents" ADD COLUMN "Nickname" TEXT NULL;
              CREATE INDEX "IX_Drift" ON "Venues" ("Address");
              """));

        var diff = drifted.DiffFrom(migrated);

        diff.ShouldContain(f => f.StartsWith("- ") && f.Contains("Residents.Nickname"));
        diff.ShouldContain(f => f.StartsWith("- ") && f.Contains("IX_Drift"));
        if (Provider == DatabaseProvider.Postgres) diff.ShouldContain(f => f.StartsWith("+ ") && f.Contains("Venues.Address character varying(200)"));
        DriftMessage(diff).ShouldContain($"Migrations/{Provider}/");
    }

    private string DriftMessage(IReadOnlyList<string> diff)
    {
        var next = MigrationRunner.All(Provider).Select(m => m.Version).DefaultIfEmpty(0).Max() + 1;
        var connection = Provider == DatabaseProvider.Postgres ? " --Database:ConnectionString=\"Host=...;Username=...;Password=...;Database=...\"" : "";
        return $"""
            The {Provider} migration scripts and the EF Core model disagree.
            "+" is in the model but not made by the migrations; "-" is made by the migrations but not in the model:
              {string.Join("\n  ", diff)}

            Add a migration script src/Cordon/Infrastructure/Data/Migrations/{Provider}/{next:0000}_<what_changed>.sql that makes
            these changes (never edit a migration that may have been applied), for both providers. The SQL that creates the whole
            current model, to diff against and copy statements from, is printed by:
              dotnet run --project src/Cordon --no-launch-profile -- schema-script --Database:Provider={Provider}{connection}
            (--no-launch-profile keeps "Using launch settings from ..." out of the output.)
            """;
    }
}

public sealed class SqliteSchemaDriftTests(SqliteDatabases databases) : SchemaDriftTests(databases), IClassFixture<SqliteDatabases>;

public sealed class PostgresSchemaDriftTests(PostgresDatabases databases) : SchemaDriftTests(databases), IClassFixture<PostgresDatabases>;
