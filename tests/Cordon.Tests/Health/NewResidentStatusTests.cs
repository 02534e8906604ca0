using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Health;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Cordon.Tests.Support;
using Cordon.Tests.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cordon.Tests.Health;

/// <summary>
/// A newly registered resident has a stored health status within moments, through the registry's event, not a sweep
/// over every resident (the sweep no longer looks for missing rows).
/// </summary>
public abstract class NewResidentStatusTests(CordonApp app) : AppTests(app)
{
    /// <summary>Far below the sweep's 15 s: the row comes from the event or not at all.</summary>
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(8);

    [SkippableFact]
    public async Task A_resident_created_through_the_api_gets_a_stored_status_from_the_registration_event()
    {
        using var worker = await App.ClientFor("worker");
        var response = await worker.PostAsJsonAsync("/api/v1/residents", TestData.Resident(CordonApp.BuildingA), Json.Options);
        await response.ShouldHaveStatus(HttpStatusCode.Created);
        var resident = await response.ReadAs<ResidentDetail>();

        var stored = await StoredStatus(resident.Id);
        stored.AreaCode.ShouldBe(CordonApp.BuildingA);
        (await App.History(resident.Id)).ShouldContain(c => c.Source == HealthSources.Registered);
    }

    [SkippableFact]
    public async Task Residents_imported_from_a_csv_file_get_their_stored_statuses_from_the_registration_event()
    {
        var people = await App.RegisterPeople(3);
        foreach (var person in people)
        {
            (await StoredStatus(person.ResidentId)).AreaCode.ShouldBe(person.AreaCode);
            (await App.History(person.ResidentId)).ShouldContain(c => c.Source == HealthSources.Registered);
        }
    }

    /// <summary>The row in the status table (read directly: the lookup would compute a missing one on the spot).</summary>
    private async Task<HealthStatus> StoredStatus(long residentId)
    {
        var deadline = DateTime.UtcNow + Soon;
        while (true)
        {
            await using (var scope = App.Services.CreateAsyncScope())
            await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync())
            {
                if (await db.HealthStatuses.AsNoTracking().FirstOrDefaultAsync(s => s.ResidentId == residentId) is { } row) return row;
            }
            if (DateTime.UtcNow > deadline) throw new ShouldAssertException($"Resident {residentId} has no stored status {Soon.TotalSeconds} s after registration.");
            await Task.Delay(100);
        }
    }
}

public sealed class NewResidentStatusTestsOnSqlite(SqliteApp app) : NewResidentStatusTests(app), IClassFixture<SqliteApp>;

public sealed class NewResidentStatusTestsOnPostgres(PostgresApp app) : NewResidentStatusTests(app), IClassFixture<PostgresApp>;
