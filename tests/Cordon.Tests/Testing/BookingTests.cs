using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Testing;
using Cordon.Infrastructure.Data;
using Cordon.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Cordon.Tests.Testing;

/// <summary>Residents book, cancel and reschedule sampling slots; capacity holds under 200 parallel bookings; bad bookings change nothing.</summary>
public abstract class BookingTests(CordonApp app, ITestOutputHelper output) : AppTests(app)
{
    [SkippableFact]
    public async Task A_resident_books_a_slot_and_sees_it_and_the_site_staff_see_the_booking_with_the_name_masked()
    {
        var site = await App.CreateSite();
        var person = await App.CreateResident();
        using var resident = await App.ClientFor(person.UserName);
        var slot = App.SlotAt(1, 10);

        var booked = await resident.BookOk(site.Id, slot);

        booked.SiteId.ShouldBe(site.Id);
        booked.SlotStartsAt.ShouldBe(slot);
        booked.SlotEndsAt.ShouldBe(slot.AddMinutes(5));
        booked.LocalTime.ShouldBe(new TimeOnly(10, 0));
        booked.Day.ShouldBe(App.City().Today.AddDays(1));
        booked.Status.ShouldBe(AppointmentStatus.Booked);
        booked.CanChange.ShouldBeTrue();
        (await resident.GetFromJsonAsync<List<MyAppointmentDto>>("/api/v1/me/appointments", Json.Options))!.Select(a => a.Id).ShouldBe([booked.Id]);
        (await App.Slot(site.Id, slot)).ShouldSatisfyAllConditions(s => s.Booked.ShouldBe(1), s => s.Free.ShouldBe(49), s => s.Capacity.ShouldBe(50));

        var list = await App.SiteAppointments(site.Id, booked.Day, "worker");
        var row = list.ShouldHaveSingleItem();
        row.Id.ShouldBe(booked.Id);
        row.Name.ShouldContain('*');
        row.LocalTime.ShouldBe(new TimeOnly(10, 0));
    }

    [SkippableFact]
    public async Task A_second_booking_on_the_same_day_is_refused_naming_the_slot_and_changes_nothing()
    {
        var site = await App.CreateSite();
        var other = await App.CreateSite();
        var person = await App.CreateResident();
        using var resident = await App.ClientFor(person.UserName);
        await resident.BookOk(site.Id, App.SlotAt(1, 10));

        var again = await resident.Book(other.Id, App.SlotAt(1, 15));

        (await again.ShouldBeValidationProblem("slotStartsAt"))["slotStartsAt"].ShouldBe([AppointmentService.SameDay]);
        (await App.Slot(other.Id, App.SlotAt(1, 15))).Booked.ShouldBe(0);
        (await resident.GetFromJsonAsync<List<MyAppointmentDto>>("/api/v1/me/appointments", Json.Options))!.Count.ShouldBe(1);
        // Another day is fine.
        await resident.BookOk(other.Id, App.SlotAt(2, 15));
    }

    [SkippableFact]
    public async Task Booking_a_full_slot_is_a_409_slot_full_problem()
    {
        var site = await App.CreateSite(BookingKit.Site(capacity: 1));
        var people = await App.CreateResidents(2);
        var slot = App.SlotAt(1, 9);
        using var first = await App.ClientFor(people[0].UserName);
        using var second = await App.ClientFor(people[1].UserName);
        await first.BookOk(site.Id, slot);

        var problem = await (await second.Book(site.Id, slot)).ShouldBeProblem(HttpStatusCode.Conflict);

        problem.GetProperty("title").GetString().ShouldBe("Slot full");
        problem.GetProperty("detail").GetString()!.ShouldContain("full");
        (await App.Slot(site.Id, slot)).ShouldSatisfyAllConditions(s => s.Booked.ShouldBe(1), s => s.Free.ShouldBe(0));
        (await second.GetFromJsonAsync<List<MyAppointmentDto>>("/api/v1/me/appointments", Json.Options))!.ShouldBeEmpty();
    }

    [SkippableFact]
    public async Task Bookings_that_name_no_bookable_slot_are_refused_naming_the_field()
    {
        var site = await App.CreateSite(BookingKit.Site(slotMinutes: 30, hours: "Mon-Sun 08:00-12:00"));
        var closed = await App.CreateSite(BookingKit.Site(status: SiteStatus.Closed));
        var mobile = await App.CreateSite(BookingKit.Site(kind: SiteKind.Mobile));
        var person = await App.CreateResident();
        using var resident = await App.ClientFor(person.UserName);
        var daysAhead = App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<TestingOptions>>().Value.BookingDaysAhead;

        (await (await resident.Book(site.Id, App.SlotAt(-1, 9))).ShouldBeValidationProblem("slotStartsAt"))["slotStartsAt"].ShouldBe([AppointmentService.InThePast]);
        (await (await resident.Book(site.Id, App.SlotAt(1, 9, 10))).ShouldBeValidationProblem("slotStartsAt"))["slotStartsAt"].ShouldBe([AppointmentService.NotASlot]);
        (await (await resident.Book(site.Id, App.SlotAt(1, 13))).ShouldBeValidationProblem("slotStartsAt"))["slotStartsAt"].ShouldBe([AppointmentService.NotASlot]);
        await (await resident.Book(site.Id, App.SlotAt(daysAhead + 1, 9))).ShouldBeValidationProblem("slotStartsAt");
        (await (await resident.Book(999_999, App.SlotAt(1, 9))).ShouldBeValidationProblem("siteId"))["siteId"].ShouldBe([AppointmentService.UnknownSite]);
        (await (await resident.Book(closed.Id, App.SlotAt(1, 9))).ShouldBeValidationProblem("siteId"))["siteId"].ShouldBe([AppointmentService.ClosedSite]);
        (await (await resident.Book(mobile.Id, App.SlotAt(1, 9))).ShouldBeValidationProblem("siteId"))["siteId"].ShouldBe([AppointmentService.MobileSite]);
        await (await resident.PostAsJsonAsync("/api/v1/me/appointments", new { })).ShouldBeValidationProblem("siteId", "slotStartsAt");
        await (await resident.PostAsync("/api/v1/me/appointments", new StringContent("{\"siteId\":\"x\"}", System.Text.Encoding.UTF8, "application/json")))
            .ShouldBeProblem(HttpStatusCode.BadRequest);

        (await resident.GetFromJsonAsync<List<MyAppointmentDto>>("/api/v1/me/appointments", Json.Options))!.ShouldBeEmpty();
        (await App.Slot(site.Id, App.SlotAt(1, 9))).Booked.ShouldBe(0);
        // The last bookable day is fine, in the city's offset as well as in UTC.
        var lastDay = App.SlotAt(daysAhead, 9);
        var local = new DateTimeOffset(App.City().ToLocal(lastDay), App.City().Zone.GetUtcOffset(lastDay));
        var response = await resident.PostAsJsonAsync("/api/v1/me/appointments", new { siteId = site.Id, slotStartsAt = local.ToString("yyyy-MM-ddTHH:mm:sszzz") });
        await response.ShouldHaveStatus(HttpStatusCode.Created);
        (await response.ReadAs<MyAppointmentDto>()).SlotStartsAt.ShouldBe(lastDay);
    }

    [SkippableFact]
    public async Task Cancelling_frees_the_place_once_and_only_the_owner_can_cancel()
    {
        var site = await App.CreateSite();
        var people = await App.CreateResidents(2);
        using var owner = await App.ClientFor(people[0].UserName);
        using var stranger = await App.ClientFor(people[1].UserName);
        var slot = App.SlotAt(1, 11);
        var booked = await owner.BookOk(site.Id, slot);

        await (await stranger.PostAsync($"/api/v1/me/appointments/{booked.Id}/cancel", null)).ShouldHaveStatus(HttpStatusCode.NotFound);
        (await App.Slot(site.Id, slot)).Booked.ShouldBe(1);

        var cancel = await owner.PostAsync($"/api/v1/me/appointments/{booked.Id}/cancel", null);
        await cancel.ShouldHaveStatus(HttpStatusCode.OK);
        var cancelled = await cancel.ReadAs<MyAppointmentDto>();
        cancelled.Status.ShouldBe(AppointmentStatus.Cancelled);
        cancelled.CancelledAt.ShouldNotBeNull();
        cancelled.CanChange.ShouldBeFalse();
        (await App.Slot(site.Id, slot)).Booked.ShouldBe(0);

        await (await owner.PostAsync($"/api/v1/me/appointments/{booked.Id}/cancel", null)).ShouldBeProblem(HttpStatusCode.Conflict);
        (await App.Slot(site.Id, slot)).Booked.ShouldBe(0);
        // The day is free again.
        await owner.BookOk(site.Id, slot);
    }

    [SkippableFact]
    public async Task Rescheduling_moves_the_place_and_keeps_the_old_appointment_when_the_new_slot_is_full()
    {
        var site = await App.CreateSite(BookingKit.Site(capacity: 1));
        var people = await App.CreateResidents(2);
        using var mover = await App.ClientFor(people[0].UserName);
        var (first, second) = (App.SlotAt(1, 8), App.SlotAt(1, 9));
        var booked = await mover.BookOk(site.Id, first);

        var moved = await mover.PostAsJsonAsync($"/api/v1/me/appointments/{booked.Id}/reschedule", new BookingInput(site.Id, second), Json.Options);
        await moved.ShouldHaveStatus(HttpStatusCode.OK);
        var now = await moved.ReadAs<MyAppointmentDto>();
        now.Id.ShouldNotBe(booked.Id);
        now.SlotStartsAt.ShouldBe(second);
        (await App.Slot(site.Id, first)).Booked.ShouldBe(0);
        (await App.Slot(site.Id, second)).Booked.ShouldBe(1);

        // Into a full slot: refused, and the appointment it was to replace is still booked with its place.
        using var other = await App.ClientFor(people[1].UserName);
        await other.BookOk(site.Id, first);
        var refused = await mover.PostAsJsonAsync($"/api/v1/me/appointments/{now.Id}/reschedule", new BookingInput(site.Id, first), Json.Options);
        (await refused.ShouldBeProblem(HttpStatusCode.Conflict)).GetProperty("title").GetString().ShouldBe("Slot full");
        var mine = (await mover.GetFromJsonAsync<List<MyAppointmentDto>>("/api/v1/me/appointments", Json.Options))!;
        mine.Single(a => a.Id == now.Id).Status.ShouldBe(AppointmentStatus.Booked);
        (await App.Slot(site.Id, second)).Booked.ShouldBe(1);
        (await App.Slot(site.Id, first)).Booked.ShouldBe(1);

        // To the same slot: nothing to do.
        await (await mover.PostAsJsonAsync($"/api/v1/me/appointments/{now.Id}/reschedule", new BookingInput(site.Id, second), Json.Options))
            .ShouldBeValidationProblem("slotStartsAt");
        // A cancelled appointment cannot be moved.
        await (await mover.PostAsJsonAsync($"/api/v1/me/appointments/{booked.Id}/reschedule", new BookingInput(site.Id, App.SlotAt(1, 12)), Json.Options))
            .ShouldBeProblem(HttpStatusCode.Conflict);
    }

    /// <summary>
    /// The acceptance test of issue 3: 200 residents, each signed in with their own token, press "book" at the same moment
    /// for the last 10 places of a slot. Exactly 10 get an appointment; the others get 409 "Slot full"; the counter says 10.
    /// </summary>
    [SkippableFact]
    public async Task Two_hundred_parallel_bookings_for_the_last_ten_places_give_exactly_ten_appointments()
    {
        const int Crowd = 200, Places = 10, AlreadyBooked = 2;
        var site = await App.CreateSite(BookingKit.Site(capacity: Places + AlreadyBooked));
        var slot = App.SlotAt(1, 14);
        var setup = Stopwatch.StartNew();
        var people = await App.CreateResidents(Crowd + AlreadyBooked);
        var clients = await App.SignIn(people);
        output.WriteLine($"{people.Count} residents with accounts and tokens in {setup.Elapsed.TotalSeconds:F1} s");
        foreach (var early in clients.Take(AlreadyBooked)) await early.BookOk(site.Id, slot);

        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bookings = clients.Skip(AlreadyBooked).Select(async c =>
        {
            await go.Task;
            return await c.Book(site.Id, slot);
        }).ToList();
        var race = Stopwatch.StartNew();
        go.SetResult();
        var responses = await Task.WhenAll(bookings);
        output.WriteLine($"{Crowd} parallel bookings answered in {race.Elapsed.TotalSeconds:F2} s on {App.Provider}");

        var statuses = responses.GroupBy(r => r.StatusCode).ToDictionary(g => g.Key, g => g.Count());
        statuses.GetValueOrDefault(HttpStatusCode.Created).ShouldBe(Places, $"statuses: {string.Join(", ", statuses)}");
        statuses.GetValueOrDefault(HttpStatusCode.Conflict).ShouldBe(Crowd - Places, $"statuses: {string.Join(", ", statuses)}");
        foreach (var refused in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            (await refused.ShouldBeProblem(HttpStatusCode.Conflict)).GetProperty("title").GetString().ShouldBe("Slot full");
        }
        (await App.Slot(site.Id, slot)).ShouldSatisfyAllConditions(s => s.Booked.ShouldBe(Places + AlreadyBooked), s => s.Free.ShouldBe(0));
        (await App.SiteAppointments(site.Id, App.City().DayOf(slot))).Count(a => a.Status == AppointmentStatus.Booked).ShouldBe(Places + AlreadyBooked);
        foreach (var client in clients) client.Dispose();
    }

    [SkippableFact]
    public async Task One_person_booking_several_slots_of_a_day_at_once_gets_one_and_every_other_place_is_given_back()
    {
        var site = await App.CreateSite();
        var person = await App.CreateResident();
        using var resident = await App.ClientFor(person.UserName);
        var slots = Enumerable.Range(0, 10).Select(i => App.SlotAt(1, 16, i * 5)).ToList();

        var responses = await Task.WhenAll(slots.Select(s => resident.Book(site.Id, s)));

        responses.Count(r => r.StatusCode == HttpStatusCode.Created).ShouldBe(1);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created)) await refused.ShouldBeValidationProblem("slotStartsAt");
        var booked = 0;
        foreach (var s in slots) booked += (await App.Slot(site.Id, s)).Booked;
        booked.ShouldBe(1);
    }

    [SkippableFact]
    public async Task The_personal_sampling_code_is_issued_once_and_resolves_from_the_qr_text_the_bare_code_or_the_id_number()
    {
        var input = TestData.Resident(CordonApp.BuildingA);
        var person = (await App.CreateResidents([input]))[0];
        using var resident = await App.ClientFor(person.UserName);

        var first = await resident.GetFromJsonAsync<SamplingCodeDto>("/api/v1/me/sampling-code", Json.Options);
        var again = await resident.GetFromJsonAsync<SamplingCodeDto>("/api/v1/me/sampling-code", Json.Options);

        first!.Code.Length.ShouldBe(12);
        first.Code.ShouldAllBe(c => SamplingCodeService.Alphabet.Contains(c));
        first.QrText.ShouldBe("CORDON-P:" + first.Code);
        again!.Code.ShouldBe(first.Code);
        using var scope = App.Services.CreateScope();
        var codes = scope.ServiceProvider.GetRequiredService<SamplingCodeService>();
        (await codes.ResolveAsync(first.QrText)).ShouldBe(person.ResidentId);
        (await codes.ResolveAsync(" " + first.Code.ToLowerInvariant() + " ")).ShouldBe(person.ResidentId);
        (await codes.ResolveAsync(input.IdNumber!)).ShouldBe(person.ResidentId);
        (await codes.ResolveAsync("CORDON-P:ZZZZZZZZZZZZ")).ShouldBeNull();
        (await codes.ResolveAsync("")).ShouldBeNull();
    }

    [SkippableFact]
    public async Task Resident_endpoints_are_for_residents_and_site_endpoints_for_staff()
    {
        var site = await App.CreateSite();
        using var worker = await App.ClientFor("worker");
        using var resident = await App.ClientFor((await App.CreateResident()).UserName);

        (await worker.Book(site.Id, App.SlotAt(1, 10))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await worker.GetAsync("/api/v1/me/sampling-code")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await resident.GetAsync("/api/v1/sites")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await resident.GetAsync($"/api/v1/sites/{site.Id}/queue")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var anonymous = App.Anonymous();
        (await anonymous.GetAsync("/api/v1/me/appointments")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [SkippableFact]
    public async Task Residents_list_the_open_sites_of_their_street_with_next_free_slots_but_not_closed_sites_or_door_to_door_teams()
    {
        var open = await App.CreateSite();
        var closed = await App.CreateSite(BookingKit.Site(status: SiteStatus.Closed));
        var mobile = await App.CreateSite(BookingKit.Site(kind: SiteKind.Mobile));
        var elsewhere = await App.CreateSite(BookingKit.Site(areaCode: "990102002001"));
        using var resident = await App.ClientFor((await App.CreateResident()).UserName);

        var mine = await AllPages(resident, "/api/v1/me/sites?limit=100");
        var ids = mine.Select(s => s.Id).ToList();
        ids.ShouldContain(open.Id);
        ids.ShouldNotContain(closed.Id);
        ids.ShouldNotContain(mobile.Id);
        ids.ShouldNotContain(elsewhere.Id);
        var listed = mine.Single(s => s.Id == open.Id);
        listed.NextFree.Count.ShouldBe(3);
        listed.NextFree.ShouldAllBe(s => s.Bookable && s.Free == 50);

        (await AllPages(resident, "/api/v1/me/sites?limit=100&area=990102002")).Select(s => s.Id).ShouldContain(elsewhere.Id);
        (await resident.GetAsync($"/api/v1/me/sites/{closed.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var detail = await resident.GetFromJsonAsync<SiteDetail>($"/api/v1/me/sites/{open.Id}", Json.Options);
        detail!.Staff.ShouldBeEmpty();
        detail.Days.Count.ShouldBeGreaterThan(1);
        await (await resident.GetAsync($"/api/v1/me/sites/{open.Id}/slots?day={App.City().Today.AddDays(-1):yyyy-MM-dd}")).ShouldBeValidationProblem("day");
    }

    private static async Task<List<SiteSummary>> AllPages(HttpClient client, string url)
    {
        var all = new List<SiteSummary>();
        string? after = null;
        do
        {
            var page = await client.GetFromJsonAsync<Cordon.Infrastructure.Web.Page<SiteSummary>>(url + (after is null ? "" : "&after=" + after), Json.Options);
            all.AddRange(page!.Items);
            after = page.NextCursor;
        }
        while (after is not null);
        return all;
    }

    [SkippableFact]
    public async Task The_queue_counts_the_booked_people_of_the_coming_slots_and_the_pace_of_the_last_15_minutes()
    {
        var site = await App.CreateSite();
        using var commander = await App.ClientFor("commander");
        var before = await commander.GetFromJsonAsync<SiteQueueDto>($"/api/v1/sites/{site.Id}/queue", Json.Options);
        before!.Waiting.ShouldBe(0);
        before.EstimatedWaitMinutes.ShouldBe(0);
        before.Crowd.ShouldBe(CrowdLevel.Quiet);
        var slot = before.NextSlotStartsAt ?? before.CurrentSlotStartsAt;
        Skip.If(slot is null, "The test site is closed in the last minutes of the day.");

        var people = await App.CreateResidents(6);
        foreach (var p in people)
        {
            using var client = await App.ClientFor(p.UserName);
            await client.BookOk(site.Id, slot!.Value);
        }
        var waiting = await commander.GetFromJsonAsync<SiteQueueDto>($"/api/v1/sites/{site.Id}/queue", Json.Options);
        waiting!.Waiting.ShouldBe(6);
        waiting.RatePerMinute.ShouldBe(0);
        waiting.EstimatedWaitMinutes.ShouldBe(12); // at the assumed minimum pace of one person per two minutes

        // The sampling slice writes tubes and members; 30 people sampled in the last 15 minutes make a pace of 2 a minute.
        await SampleAsync(site.Id, 30);
        var busy = await commander.GetFromJsonAsync<SiteQueueDto>($"/api/v1/sites/{site.Id}/queue", Json.Options);
        busy!.SampledLast15Minutes.ShouldBe(30);
        busy.RatePerMinute.ShouldBe(2);
        busy.EstimatedWaitMinutes.ShouldBe(3);

        (await commander.GetAsync("/api/v1/sites/999999/queue")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    /// <summary>Records people sampled at a site a few minutes ago, the way the sampling slice stores them.</summary>
    private async Task SampleAsync(int siteId, int people)
    {
        await using var scope = App.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync();
        var now = DateTime.UtcNow;
        var residents = await App.ImportResidents(people);
        var tube = new Tube { Barcode = "QTEST" + TestData.NewPhone(), PoolSize = 20, SiteId = siteId, Status = TubeStatus.Closed, OpenedAt = now.AddMinutes(-10), CollectedAt = now.AddMinutes(-1) };
        var tube2 = new Tube { Barcode = "QTEST" + TestData.NewPhone(), PoolSize = 20, SiteId = siteId, Status = TubeStatus.Open, OpenedAt = now.AddMinutes(-1) };
        var old = new Tube { Barcode = "QTEST" + TestData.NewPhone(), PoolSize = 20, SiteId = siteId, Status = TubeStatus.Closed, OpenedAt = now.AddHours(-2), CollectedAt = now.AddHours(-1) };
        db.Tubes.AddRange(tube, tube2, old);
        await db.SaveChangesAsync();
        db.TubeMembers.AddRange(residents.Select((r, i) => new TubeMember
        {
            TubeId = i < 20 ? tube.Id : tube2.Id,
            ResidentId = r.Id,
            AreaCode = r.AreaCode,
            SampledAt = now.AddMinutes(-5),
            InOpenTube = i >= 20,
        }));
        // An hour ago: outside the window.
        db.TubeMembers.AddRange(residents.Take(5).Select(r => new TubeMember
        {
            TubeId = old.Id,
            ResidentId = r.Id,
            AreaCode = r.AreaCode,
            SampledAt = now.AddHours(-1.5),
            InOpenTube = false,
        }));
        await db.SaveChangesAsync();
    }
}

public sealed class BookingTestsOnSqlite(SqliteApp app, ITestOutputHelper output) : BookingTests(app, output), IClassFixture<SqliteApp>;

public sealed class BookingTestsOnPostgres(PostgresApp app, ITestOutputHelper output) : BookingTests(app, output), IClassFixture<PostgresApp>;
