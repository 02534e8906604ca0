using Cordon.Features.Identity;
using Cordon.Infrastructure.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cordon.Features.Scans;

/// <summary>Venue check-in endpoints: the resident's check-in and history, the staff's view of a venue and its rule.</summary>
public static class ScansApi
{
    public static IEndpointRouteBuilder MapScansEndpoints(this IEndpointRouteBuilder app)
    {
        var resident = app.MapGroup("/api/v1").WithTags("Resident: venue check-in").RequireAuthorization(Policies.Resident);
        resident.MapPost("/scans", CheckIn).WithName("CheckIn")
            .WithSummary("Check in at a venue (scanned venue code or poster link): the venue's decision, answered once stored; 404 for an unknown venue (nothing recorded); a resent check-in (same clientId) is stored once")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        resident.MapGet("/me/scans", MyScans).WithName("MyScans").WithSummary("Your check-ins of the retention period, newest first (at most 100)");

        var staff = app.MapGroup("/api/v1/venues/{id:int}").WithTags("Venue check-ins").RequireAuthorization(Policies.Staff);
        staff.MapGet("/scans", VenueScans).WithName("VenueScans").WithSummary("Check-ins at a venue of your jurisdiction on a local day (default today), newest first, names masked (paged)");
        staff.MapGet("/scans/hourly", VenueHourly).WithName("VenueScansHourly").WithSummary("Check-ins at a venue per local hour of a day (default today), allowed and not allowed");
        staff.MapGet("/rule", VenueRule).WithName("VenueRule").WithSummary("The venue's entry rule: its own, or its category's default");
        staff.MapPut("/rule", SetVenueRule).WithName("SetVenueRule").RequireAuthorization(Policies.RegistryEditor)
            .WithSummary("Give the venue its own entry rule (strictest colour let in, popups let in, negative test within 24/48/72 h or none)");
        staff.MapDelete("/rule", ResetVenueRule).WithName("ResetVenueRule").RequireAuthorization(Policies.RegistryEditor)
            .WithSummary("Remove the venue's own rule: its category's default applies again");
        return app;
    }

    private static Task<Results<Ok<ScanResult>, ValidationProblem, ProblemHttpResult>> CheckIn(ScanService scans, ScanInput input, CancellationToken ct) =>
        StoredAsync(() => scans.CheckInAsync(input, ct), "The check-in could not be stored just now. Send it again (with the same clientId).",
            "Check-in not stored", "No venue has this code. Nothing was recorded.");

    /// <summary>
    /// The answer of a check-in write: 200, 400 naming the fields, 404 for an unknown venue (nothing recorded), 409 for an
    /// account without a resident, 503 when the database did not take it (the client resends with the same ids).
    /// </summary>
    internal static async Task<Results<Ok<T>, ValidationProblem, ProblemHttpResult>> StoredAsync<T>(
        Func<Task<Outcome<T>>> write, string notStored, string notStoredTitle, string unknownVenue)
    {
        Outcome<T> outcome;
        try
        {
            outcome = await write();
        }
        catch (ScanNotStoredException)
        {
            return TypedResults.Problem(notStored, statusCode: StatusCodes.Status503ServiceUnavailable, title: notStoredTitle);
        }
        return outcome.Kind switch
        {
            OutcomeKind.Ok => TypedResults.Ok(outcome.Value),
            OutcomeKind.Invalid => TypedResults.ValidationProblem(outcome.Errors!.ToDictionary()),
            OutcomeKind.NotFound => TypedResults.Problem(unknownVenue, statusCode: StatusCodes.Status404NotFound, title: "Unknown venue code"),
            OutcomeKind.Conflict => TypedResults.Problem(outcome.Message, statusCode: StatusCodes.Status409Conflict, title: "Not a resident"),
            _ => throw new ArgumentOutOfRangeException(nameof(write)),
        };
    }

    private static async Task<Results<Ok<IReadOnlyList<MyScanDto>>, ProblemHttpResult>> MyScans(ScanService scans, CancellationToken ct) =>
        await scans.MineAsync(ct) is { } mine
            ? TypedResults.Ok(mine)
            : TypedResults.Problem(ScanService.NotLinked, statusCode: StatusCodes.Status409Conflict, title: "Not a resident");

    private static async Task<Results<Ok<Page<VenueScanDto>>, ValidationProblem, NotFound, ProblemHttpResult>> VenueScans(
        ScanService scans, int id, DateOnly? day, string? after, CancellationToken ct, int limit = 50) =>
        (await scans.ForVenueAsync(id, day, after, limit, ct)).ToHttp();

    private static async Task<Results<Ok<VenueScanDay>, ValidationProblem, NotFound, ProblemHttpResult>> VenueHourly(
        ScanService scans, int id, DateOnly? day, CancellationToken ct) => (await scans.HourlyAsync(id, day, ct)).ToHttp();

    private static async Task<Results<Ok<VenueRuleDto>, ValidationProblem, NotFound, ProblemHttpResult>> VenueRule(
        ScanService scans, int id, CancellationToken ct) => (await scans.RuleAsync(id, ct)).ToHttp();

    private static async Task<Results<Ok<VenueRuleDto>, ValidationProblem, NotFound, ProblemHttpResult>> SetVenueRule(
        ScanService scans, int id, VenueRuleInput input, CancellationToken ct) => (await scans.SetRuleAsync(id, input, ct)).ToHttp();

    private static async Task<Results<Ok<VenueRuleDto>, ValidationProblem, NotFound, ProblemHttpResult>> ResetVenueRule(
        ScanService scans, int id, CancellationToken ct) => (await scans.ResetRuleAsync(id, ct)).ToHttp();
}
