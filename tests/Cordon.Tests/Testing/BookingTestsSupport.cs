using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Demo;
using Cordon.Features.Identity;
using Cordon.Features.Registry;
using Cordon.Features.Testing;
using Cordon.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cordon.Tests.Testing;

/// <summary>A resident with an account of their own (the demo "resident" is shared, and one person books once a day).</summary>
public sealed record ResidentAccount(long ResidentId, string UserName, string AreaCode);

/// <summary>Intent methods for the sites and booking tests: create a site as a manager, residents with accounts, slot instants.</summary>
public static class BookingKit
{
    /// <summary>Open every day from 00:00 to 23:55 in 5-minute slots: whatever the time of the test, tomorrow's slots are bookable.</summary>
    public const string AllDay = "Mon-Sun 00:00-23:55";

    public static SiteInput Site(string areaCode = CordonApp.CommunityA, int capacity = 50, int slotMinutes = 5, string hours = AllDay,
        SiteKind kind = SiteKind.Fixed, SiteStatus status = SiteStatus.Open) =>
        new("测试采样点" + TestData.NewTag(), areaCode, "测试广场", kind, status, slotMinutes, capacity, hours, 27.62, 113.85);

    public static async Task<SiteDetail> CreateSite(this CordonApp app, SiteInput? input = null)
    {
        using var commander = await app.ClientFor("commander");
        var response = await commander.PostAsJsonAsync("/api/v1/sites", input ?? Site(), Json.Options);
        await response.ShouldHaveStatus(HttpStatusCode.Created);
        return await response.ReadAs<SiteDetail>();
    }

    public static CityTime City(this CordonApp app) => app.Services.GetRequiredService<CityTime>();

    /// <summary>The UTC start of the slot at <paramref name="hour"/>:<paramref name="minute"/> (city time) <paramref name="days"/> days from today.</summary>
    public static DateTime SlotAt(this CordonApp app, int days, int hour, int minute = 0) =>
        app.City().ToUtc(app.City().Today.AddDays(days).ToDateTime(new TimeOnly(hour, minute)));

    /// <summary>Registers <paramref name="count"/> residents in one CSV import, as the community worker.</summary>
    public static async Task<List<ResidentSummary>> ImportResidents(this CordonApp app, int count, string areaCode = CordonApp.BuildingA)
    {
        var prefix = TestData.NewNamePrefix();
        return await app.ImportResidents(
            Enumerable.Range(0, count).Select(i => TestData.Resident(areaCode, prefix + "民" + i.ToString(CultureInfo.InvariantCulture))).ToArray(), prefix);
    }

    private static async Task<List<ResidentSummary>> ImportResidents(this CordonApp app, ResidentInput[] rows, string namePrefix)
    {
        using (var worker = await app.ClientFor("worker"))
        {
            var import = await worker.PostAsync("/api/v1/residents/import", TestData.CsvFile(TestData.ResidentsCsv(rows)));
            await import.ShouldHaveStatus(HttpStatusCode.OK);
        }
        var residents = await app.SearchAll("worker", namePrefix);
        residents.Count.ShouldBe(rows.Length);
        return residents;
    }

    /// <summary>
    /// Registers <paramref name="count"/> residents (one CSV import, as the community worker) and gives each a Resident
    /// account of their own (as the admin, through POST /api/v1/users): all through the API, as an operator would.
    /// </summary>
    public static async Task<List<ResidentAccount>> CreateResidents(this CordonApp app, int count) =>
        await app.CreateAccounts(await app.ImportResidents(count));

    /// <summary>Registers these residents (names must share a prefix no one else has) and gives each an account.</summary>
    public static async Task<List<ResidentAccount>> CreateResidents(this CordonApp app, ResidentInput[] inputs)
    {
        var prefix = TestData.NewNamePrefix();
        var named = inputs.Select((r, i) => r with { Name = prefix + "民" + i.ToString(CultureInfo.InvariantCulture) }).ToArray();
        var residents = await app.ImportResidents(named, prefix);
        return await app.CreateAccounts(residents.OrderBy(r => r.Id).ToList());
    }

    private static async Task<List<ResidentAccount>> CreateAccounts(this CordonApp app, List<ResidentSummary> residents)
    {
        // These tests measure booking, not password hashing: the accounts they make get a PBKDF2 hash of 1,000 iterations
        // instead of 100,000 (on this test class's own app only), which makes 200 accounts and sign-ins take seconds, not
        // minutes. The hash records its iteration count, so the demo accounts still sign in as before.
        app.Services.GetRequiredService<IOptions<PasswordHasherOptions>>().Value.IterationCount = 1_000;
        using var admin = await app.ClientFor("admin");
        using var limit = new SemaphoreSlim(8);
        var accounts = await Task.WhenAll(residents.Select(async r =>
        {
            await limit.WaitAsync();
            try
            {
                var userName = TestData.UniqueUserName();
                var input = new UserInput(userName, "Resident", DemoDistrict.Password, Roles.Resident, r.AreaCode, r.Id);
                var response = await admin.PostAsJsonAsync("/api/v1/users", input, Json.Options);
                await response.ShouldHaveStatus(HttpStatusCode.Created);
                return new ResidentAccount(r.Id, userName, r.AreaCode);
            }
            finally
            {
                limit.Release();
            }
        }));
        return [.. accounts];
    }

    /// <summary>Signs every account in (eight at a time, as a crowd's phones would have done long before) and returns a client per account.</summary>
    public static async Task<HttpClient[]> SignIn(this CordonApp app, IEnumerable<ResidentAccount> accounts)
    {
        using var limit = new SemaphoreSlim(8);
        return await Task.WhenAll(accounts.Select(async a =>
        {
            await limit.WaitAsync();
            try
            {
                return await app.ClientFor(a.UserName);
            }
            finally
            {
                limit.Release();
            }
        }));
    }

    public static async Task<ResidentAccount> CreateResident(this CordonApp app) => (await app.CreateResidents(1))[0];

    public static Task<HttpResponseMessage> Book(this HttpClient client, int siteId, DateTime slotStartsAt) =>
        client.PostAsJsonAsync("/api/v1/me/appointments", new BookingInput(siteId, slotStartsAt), Json.Options);

    public static async Task<MyAppointmentDto> BookOk(this HttpClient client, int siteId, DateTime slotStartsAt)
    {
        var response = await client.Book(siteId, slotStartsAt);
        await response.ShouldHaveStatus(HttpStatusCode.Created);
        return await response.ReadAs<MyAppointmentDto>();
    }

    /// <summary>The slot as staff see it (capacity, booked, free).</summary>
    public static async Task<SlotDto> Slot(this CordonApp app, int siteId, DateTime startsAt)
    {
        using var commander = await app.ClientFor("commander");
        var day = app.City().DayOf(startsAt);
        var slots = await commander.GetFromJsonAsync<List<SlotDto>>(
            $"/api/v1/sites/{siteId}/slots?day={day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}", Json.Options);
        return slots!.Single(s => s.StartsAt == startsAt);
    }

    public static async Task<List<SiteAppointmentDto>> SiteAppointments(this CordonApp app, int siteId, DateOnly day, string userName = "commander")
    {
        using var client = await app.ClientFor(userName);
        return (await client.GetFromJsonAsync<List<SiteAppointmentDto>>(
            $"/api/v1/sites/{siteId}/appointments?day={day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}", Json.Options))!;
    }
}
