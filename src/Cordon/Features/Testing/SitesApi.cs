using Cordon.Features.Identity;
using Cordon.Infrastructure.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cordon.Features.Testing;

/// <summary>Sampling sites, slots, appointments, personal sampling codes and the live queue.</summary>
public static class SitesApi
{
    public static WebApplicationBuilder AddSitesAndAppointments(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<SiteService>();
        builder.Services.AddScoped<AppointmentService>();
        builder.Services.AddSingleton<BookingGate>();
        // The sampling slice resolves scanned codes with it and registers it too; the first registration wins.
        builder.Services.TryAddScoped<SamplingCodeService>();
        return builder;
    }

    public static IEndpointRouteBuilder MapSitesAndAppointmentsApi(this IEndpointRouteBuilder app)
    {
        var sites = app.MapGroup("/api/v1/sites").WithTags("Sampling sites").RequireAuthorization(Policies.Staff);
        sites.MapGet("/", ListSites).WithSummary("Sampling sites of your jurisdiction by area, kind and status, with next free slots and queue (paged)");
        sites.MapGet("/{id:int}", GetSite).WithSummary("One site: hours, bookable days with free places, staff and queue");
        sites.MapGet("/{id:int}/slots", SiteSlots).WithSummary("The slots of a local day (default today) with capacity, booked and free places");
        sites.MapGet("/{id:int}/queue", SiteQueue).WithSummary("The live queue: people sampled in the last 15 minutes, people waiting, estimated wait");
        sites.MapGet("/{id:int}/appointments", SiteAppointments).WithSummary("The site's appointments of a local day (default today), names masked");
        sites.MapPost("/", CreateSite).RequireAuthorization(Policies.TestingManager).WithSummary("Create a sampling site");
        sites.MapPut("/{id:int}", UpdateSite).RequireAuthorization(Policies.TestingManager).WithSummary("Change a site: hours, slot length, capacity, status");
        sites.MapGet("/{id:int}/staff", SiteStaff).WithSummary("The sampling staff working at the site");
        sites.MapPost("/{id:int}/staff", AssignStaff).RequireAuthorization(Policies.TestingManager)
            .WithSummary("Assign a sampling-staff user (by user name) to the site; assigning twice changes nothing");
        sites.MapDelete("/{id:int}/staff/{userId}", UnassignStaff).RequireAuthorization(Policies.TestingManager)
            .WithSummary("Take a user off the site");

        var me = app.MapGroup("/api/v1/me").WithTags("Resident: appointments").RequireAuthorization(Policies.Resident);
        me.MapGet("/sites", BookableSites).WithSummary("Open sites you can book (default: your street) with next free slots and the live queue");
        me.MapGet("/sites/{id:int}", BookableSite).WithSummary("A site you can book: bookable days with free places and the live queue");
        me.MapGet("/sites/{id:int}/slots", BookableSlots).WithSummary("The slots of a site on a day you can book");
        me.MapGet("/appointments", MyAppointments).WithSummary("Your appointments: coming ones first, then the last 30 days");
        me.MapGet("/appointments/{id:long}", MyAppointment).WithSummary("One of your appointments");
        me.MapPost("/appointments", Book).WithSummary("Book a slot (one active appointment per day; 409 when the slot is full)");
        me.MapPost("/appointments/{id:long}/cancel", Cancel).WithSummary("Cancel an appointment; its place becomes free");
        me.MapPost("/appointments/{id:long}/reschedule", Reschedule)
            .WithSummary("Move an appointment to another slot; the old one is kept when the new one cannot be booked");
        me.MapGet("/sampling-code", MySamplingCode).WithSummary("Your personal sampling code and the text of its QR code (created on first request)");
        return app;
    }

    private static async Task<Results<Ok<Page<SiteSummary>>, ValidationProblem, NotFound, ProblemHttpResult>> ListSites(
        SiteService sites, string? area, SiteKind? kind, SiteStatus? status, string? after, CancellationToken ct, int limit = 20) =>
        (await sites.ListAsync(area, kind, status, after, limit, ct)).ToHttp();

    private static async Task<Results<Ok<SiteDetail>, NotFound>> GetSite(SiteService sites, int id, CancellationToken ct) =>
        await sites.GetAsync(id, ct) is { } site ? TypedResults.Ok(site) : TypedResults.NotFound();

    private static async Task<Results<Ok<IReadOnlyList<SlotDto>>, ValidationProblem, NotFound, ProblemHttpResult>> SiteSlots(
        SiteService sites, int id, DateOnly? day, CancellationToken ct) => (await sites.SlotsAsync(id, day, forResident: false, ct)).ToHttp();

    private static async Task<Results<Ok<SiteQueueDto>, ValidationProblem, NotFound, ProblemHttpResult>> SiteQueue(
        SiteService sites, int id, CancellationToken ct) => (await sites.QueueAsync(id, ct)).ToHttp();

    private static async Task<Results<Ok<IReadOnlyList<SiteAppointmentDto>>, ValidationProblem, NotFound, ProblemHttpResult>> SiteAppointments(
        AppointmentService appointments, int id, DateOnly? day, CancellationToken ct) => (await appointments.ForSiteAsync(id, day, ct)).ToHttp();

    private static async Task<Results<Created<SiteDetail>, ValidationProblem, NotFound, ProblemHttpResult>> CreateSite(
        SiteService sites, SiteInput input, CancellationToken ct) => (await sites.CreateAsync(input, ct)).ToCreated(s => $"/api/v1/sites/{s.Id}");

    private static async Task<Results<Ok<SiteDetail>, ValidationProblem, NotFound, ProblemHttpResult>> UpdateSite(
        SiteService sites, int id, SiteInput input, CancellationToken ct) => (await sites.UpdateAsync(id, input, ct)).ToHttp();

    private static async Task<Results<Ok<IReadOnlyList<SiteStaffDto>>, ValidationProblem, NotFound, ProblemHttpResult>> SiteStaff(
        SiteService sites, int id, CancellationToken ct) => (await sites.StaffAsync(id, ct)).ToHttp();

    private static async Task<Results<Ok<IReadOnlyList<SiteStaffDto>>, ValidationProblem, NotFound, ProblemHttpResult>> AssignStaff(
        SiteService sites, int id, SiteStaffInput input, CancellationToken ct) => (await sites.AssignAsync(id, input, ct)).ToHttp();

    private static async Task<Results<Ok<IReadOnlyList<SiteStaffDto>>, ValidationProblem, NotFound, ProblemHttpResult>> UnassignStaff(
        SiteService sites, int id, string userId, CancellationToken ct) => (await sites.UnassignAsync(id, userId, ct)).ToHttp();

    private static async Task<Results<Ok<Page<SiteSummary>>, ValidationProblem, NotFound, ProblemHttpResult>> BookableSites(
        SiteService sites, string? area, string? after, CancellationToken ct, int limit = 20) =>
        (await sites.BookableAsync(area, after, limit, ct)).ToHttp();

    private static async Task<Results<Ok<SiteDetail>, NotFound>> BookableSite(SiteService sites, int id, CancellationToken ct) =>
        await sites.GetBookableAsync(id, ct) is { } site ? TypedResults.Ok(site) : TypedResults.NotFound();

    private static async Task<Results<Ok<IReadOnlyList<SlotDto>>, ValidationProblem, NotFound, ProblemHttpResult>> BookableSlots(
        SiteService sites, int id, DateOnly? day, CancellationToken ct) => (await sites.SlotsAsync(id, day, forResident: true, ct)).ToHttp();

    private static async Task<Results<Ok<IReadOnlyList<MyAppointmentDto>>, ValidationProblem, NotFound, ProblemHttpResult>> MyAppointments(
        AppointmentService appointments, CancellationToken ct) => (await appointments.MineAsync(ct)).ToHttp();

    private static async Task<Results<Ok<MyAppointmentDto>, ValidationProblem, NotFound, ProblemHttpResult>> MyAppointment(
        AppointmentService appointments, long id, CancellationToken ct) => (await appointments.GetMineAsync(id, ct)).ToHttp();

    private static async Task<Results<Created<MyAppointmentDto>, ValidationProblem, NotFound, ProblemHttpResult>> Book(
        AppointmentService appointments, BookingInput input, CancellationToken ct) =>
        WithSlotFullTitle((await appointments.BookAsync(input, ct)).ToCreated(a => $"/api/v1/me/appointments/{a.Id}"));

    private static async Task<Results<Ok<MyAppointmentDto>, ValidationProblem, NotFound, ProblemHttpResult>> Cancel(
        AppointmentService appointments, long id, CancellationToken ct) => (await appointments.CancelAsync(id, ct)).ToHttp();

    private static async Task<Results<Ok<MyAppointmentDto>, ValidationProblem, NotFound, ProblemHttpResult>> Reschedule(
        AppointmentService appointments, long id, BookingInput input, CancellationToken ct) =>
        WithSlotFullTitle((await appointments.RescheduleAsync(id, input, ct)).ToHttp());

    /// <summary>A full slot is the refusal residents meet most: its problem says so in the title, not just "Conflict".</summary>
    private static Results<T1, T2, T3, ProblemHttpResult> WithSlotFullTitle<T1, T2, T3>(Results<T1, T2, T3, ProblemHttpResult> result)
        where T1 : IResult where T2 : IResult where T3 : IResult =>
        result.Result is ProblemHttpResult { ProblemDetails.Detail: AppointmentService.SlotFull }
            ? TypedResults.Problem(AppointmentService.SlotFull, statusCode: StatusCodes.Status409Conflict, title: "Slot full")
            : result;

    private static async Task<Results<Ok<SamplingCodeDto>, NotFound>> MySamplingCode(SamplingCodeService codes, CancellationToken ct) =>
        await codes.MineAsync(ct) is { } code ? TypedResults.Ok(code) : TypedResults.NotFound();
}
