using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Health;
using Cordon.Features.Testing;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Tests.Support;
using Cordon.Tests.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cordon.Tests.Health;

/// <summary>
/// The per-host status cache (ADR 013): every reader answers from memory, yet a change is seen on the very next lookup
/// on the same host, another host sees it after its next look at the database, jurisdiction still hides residents
/// outside, and the test age keeps counting while the status is held.
/// </summary>
public abstract class HealthCacheTests(CordonApp app) : AppTests(app)
{
    [SkippableFact]
    public async Task An_override_and_its_removal_show_on_the_next_lookup_of_the_residents_phone_and_of_a_checkpoint()
    {
        var person = (await App.RegisterPeople(1)).Single();
        using var phone = await App.ResidentClient(person);
        (await phone.MyHealth()).Colour.ShouldBe(HealthColour.Green); // now held by this host
        (await App.Status(person.ResidentId))!.Colour.ShouldBe(HealthColour.Green);

        using var epi = await App.ClientFor("epi");
        await (await epi.PostAsJsonAsync($"/api/v1/residents/{person.ResidentId}/health/override",
            new OverrideInput(HealthColour.Red, "密接核查", DateTimeOffset.UtcNow.AddHours(4)), Json.Options)).ShouldHaveStatus(HttpStatusCode.OK);
        (await phone.MyHealth()).Colour.ShouldBe(HealthColour.Red);
        (await App.Status(person.ResidentId))!.Colour.ShouldBe(HealthColour.Red);

        await (await epi.DeleteAsync($"/api/v1/residents/{person.ResidentId}/health/override")).ShouldHaveStatus(HttpStatusCode.OK);
        var after = await phone.MyHealth();
        (after.Colour, after.Override).ShouldBe((HealthColour.Green, null));
        (await App.Status(person.ResidentId))!.Colour.ShouldBe(HealthColour.Green);
    }

    [SkippableFact]
    public async Task A_released_positive_result_shows_red_on_the_first_lookup_after_it_is_stored()
    {
        var person = (await App.RegisterPeople(1)).Single();
        using var phone = await App.ResidentClient(person);
        (await phone.MyHealth()).Colour.ShouldBe(HealthColour.Green);
        var stored = StoredOnce(person.ResidentId);

        var tube = await App.SampleTube(1, [person]);
        await App.DeliverToLab(await App.FirstLab(), tube.Barcode);
        await (await App.EnterResult(tube.Barcode, TubeResult.Positive, 22)).ShouldHaveStatus(HttpStatusCode.OK);
        // The worker stores the red status in the background; the moment it says so, every lookup answers red.
        while (true)
        {
            await stored.Task.WaitAsync(HealthKit.Within);
            var next = StoredOnce(person.ResidentId);
            if ((await StoredRow(person.ResidentId)).Colour == HealthColour.Red) break;
            stored = next;
        }
        (await phone.MyHealth()).Colour.ShouldBe(HealthColour.Red);
        (await App.Status(person.ResidentId))!.Colour.ShouldBe(HealthColour.Red);
    }

    [SkippableFact]
    public async Task An_appeal_and_its_answer_show_on_the_next_look_at_the_staff_view()
    {
        var person = (await App.RegisterPeople(1)).Single();
        using var epi = await App.ClientFor("epi");
        (await Staff(epi, person.ResidentId)).OpenAppeal.ShouldBeNull();

        using var phone = await App.ResidentClient(person);
        var appeal = await (await phone.PostAsJsonAsync("/api/v1/me/health/appeals", new AppealInput("已在外区检测阴性"), Json.Options)).ReadAs<AppealDto>();
        (await Staff(epi, person.ResidentId)).OpenAppeal.ShouldNotBeNull().Id.ShouldBe(appeal.Id);
        (await phone.MyHealth()).OpenAppeal.ShouldNotBeNull().Id.ShouldBe(appeal.Id);

        await (await epi.PostAsJsonAsync($"/api/v1/health/appeals/{appeal.Id}/decision",
            new AppealDecisionInput(AppealStatus.Dismissed, "状态无误"), Json.Options)).ShouldHaveStatus(HttpStatusCode.OK);
        (await Staff(epi, person.ResidentId)).OpenAppeal.ShouldBeNull();
        (await phone.MyHealth()).OpenAppeal.ShouldBeNull();
    }

    [SkippableFact]
    public async Task Another_host_sees_an_override_and_an_appeal_after_its_next_look_at_the_database()
    {
        var person = (await App.RegisterPeople(1)).Single();
        // A second host over the same database: its own cache, deaf to this host's events, told only by its poll.
        using var other = new HealthStatusCache(App.Services.GetRequiredService<IServiceScopeFactory>(), new HealthStatusEvents(),
            Options.Create(new HealthCacheOptions()));
        (await other.GetAsync(person.ResidentId))!.Colour.ShouldBe(HealthColour.Green);
        await other.PollAsync(); // its first look

        using var epi = await App.ClientFor("epi");
        await (await epi.PostAsJsonAsync($"/api/v1/residents/{person.ResidentId}/health/override",
            new OverrideInput(HealthColour.Yellow, "待复核", DateTimeOffset.UtcNow.AddHours(4)), Json.Options)).ShouldHaveStatus(HttpStatusCode.OK);
        (await other.GetAsync(person.ResidentId))!.Colour.ShouldBe(HealthColour.Green, "before its poll the other host still holds what it read");
        (await other.PollAsync()).ShouldBeGreaterThanOrEqualTo(1);
        var seen = (await other.GetAsync(person.ResidentId))!;
        (seen.Colour, seen.OpenAppeal).ShouldBe((HealthColour.Yellow, null));

        using var phone = await App.ResidentClient(person);
        var appeal = await (await phone.PostAsJsonAsync("/api/v1/me/health/appeals", new AppealInput("请核实"), Json.Options)).ReadAs<AppealDto>();
        await other.PollAsync();
        (await other.GetAsync(person.ResidentId))!.OpenAppeal.ShouldNotBeNull().Id.ShouldBe(appeal.Id);
    }

    [SkippableFact]
    public async Task Staff_outside_the_jurisdiction_get_404_for_a_resident_this_host_holds()
    {
        var person = (await App.RegisterPeople(1)).Single(); // community A
        using var worker = await App.ClientFor("worker");
        (await worker.GetAsync($"/api/v1/residents/{person.ResidentId}/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await App.Services.GetRequiredService<HealthStatusCache>().GetAsync(person.ResidentId)).ShouldNotBeNull();

        using var worker2 = await App.ClientFor("worker2"); // community B
        (await worker2.GetAsync($"/api/v1/residents/{person.ResidentId}/health")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await worker2.GetAsync($"/api/v1/residents/{long.MaxValue}/health")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task The_test_age_keeps_counting_while_the_status_is_held()
    {
        var person = (await App.RegisterPeople(1)).Single();
        var tube = await App.SampleTube(1, [person]);
        await App.DeliverToLab(await App.FirstLab(), tube.Barcode);
        await (await App.EnterResult(tube.Barcode, TubeResult.Negative)).ShouldHaveStatus(HttpStatusCode.OK);
        await App.StatusWhen(person.ResidentId, s => s.LastNegativeSampledAt is not null, "tested");

        var cache = App.Services.GetRequiredService<HealthStatusCache>();
        var held = await cache.GetAsync(person.ResidentId);
        (await View(person.ResidentId, TimeSpan.Zero)).TestAgeHours.ShouldNotBeNull().ShouldBeLessThan(1);
        // A day and a half later, nothing written in between: the same held entry, an age counted from now.
        (await View(person.ResidentId, TimeSpan.FromHours(36))).TestAgeHours.ShouldNotBeNull().ShouldBeInRange(35.5, 37);
        (await cache.GetAsync(person.ResidentId)).ShouldBeSameAs(held);
    }

    private TaskCompletionSource StoredOnce(long residentId)
    {
        var events = App.Services.GetRequiredService<HealthStatusEvents>();
        var stored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnStored(IReadOnlyCollection<long> ids)
        {
            if (!ids.Contains(residentId)) return;
            events.Stored -= OnStored;
            stored.TrySetResult();
        }
        events.Stored += OnStored;
        return stored;
    }

    private async Task<HealthStatus> StoredRow(long residentId)
    {
        await using var scope = App.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync();
        return await db.HealthStatuses.AsNoTracking().SingleAsync(s => s.ResidentId == residentId);
    }

    private static async Task<HealthDto> Staff(HttpClient staff, long residentId)
    {
        var response = await staff.GetAsync($"/api/v1/residents/{residentId}/health");
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        return await response.ReadAs<HealthDto>();
    }

    /// <summary>The staff view as a commander of the whole city would see it, on a clock moved by <paramref name="later"/>.</summary>
    private async Task<HealthDto> View(long residentId, TimeSpan later)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var user = services.GetRequiredService<CurrentUser>();
        user.Principal = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new System.Security.Claims.Claim(CurrentUser.JurisdictionPrefixClaim, "99")], "test"));
        var views = new HealthViews(services.GetRequiredService<HealthStatusCache>(), user, new LaterClock(later));
        var outcome = await views.ForResidentAsync(residentId);
        return outcome.Value.ShouldNotBeNull();
    }

    private sealed class LaterClock(TimeSpan later) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + later;
    }
}

public sealed class HealthCacheTestsOnSqlite(SqliteApp app) : HealthCacheTests(app), IClassFixture<SqliteApp>;

public sealed class HealthCacheTestsOnPostgres(PostgresApp app) : HealthCacheTests(app), IClassFixture<PostgresApp>;
