using Cordon.Features.Identity;
using Cordon.Infrastructure.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cordon.Features.Health;

/// <summary>The health-status endpoints: a resident's own status, history and appeals; staff lookup, history, override and the appeals queue.</summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        var mine = app.MapGroup("/api/v1/me/health").WithTags("Health status").RequireAuthorization(Policies.Resident);
        mine.MapGet("/", GetMine).WithName("GetMyHealth")
            .WithSummary("Your health status: colour, reason, popups with their reasons, test age (hours since the sample of your latest negative result)");
        mine.MapGet("/history", GetMyHistory).WithName("GetMyHealthHistory").WithSummary("The changes of your status, newest first (paged)");
        mine.MapPost("/appeals", Appeal).WithName("AppealMyHealth").WithSummary("Appeal against your status (one open appeal at a time)");
        mine.MapGet("/appeals", MyAppeals).WithName("ListMyHealthAppeals").WithSummary("Your latest appeals and their answers");

        var residents = app.MapGroup("/api/v1/residents/{id:long}/health").WithTags("Health status").RequireAuthorization(Policies.Staff);
        residents.MapGet("/", GetResident).WithName("GetResidentHealth").WithSummary("A resident's status (inside your jurisdiction; name masked)");
        residents.MapGet("/history", GetResidentHistory).WithName("GetResidentHealthHistory").WithSummary("The changes of a resident's status, newest first (paged)");
        residents.MapPost("/override", Override).RequireAuthorization(Policies.HealthCorrection).WithName("OverrideResidentHealth")
            .WithSummary("Override a resident's colour with a reason until an expiry (at most 30 days; audited); optionally answers their open appeal");
        residents.MapDelete("/override", RemoveOverride).RequireAuthorization(Policies.HealthCorrection).WithName("RemoveResidentHealthOverride")
            .WithSummary("Remove the override: the rules' status is stored at once");

        var appeals = app.MapGroup("/api/v1/health/appeals").WithTags("Health status").RequireAuthorization(Policies.HealthCorrection);
        appeals.MapGet("/", ListAppeals).WithName("ListHealthAppeals").WithSummary("Appeals in your jurisdiction (open ones by default), oldest first (paged)");
        appeals.MapPost("/{appealId:long}/decision", DecideAppeal).WithName("DecideHealthAppeal")
            .WithSummary("Answer an appeal: Resolved (acted on it) or Dismissed (the status is right), with an answer for the resident");
        return app;
    }

    private static async Task<Results<Ok<HealthDto>, ValidationProblem, NotFound, ProblemHttpResult>> GetMine(HealthViews health, CancellationToken ct) =>
        (await health.MineAsync(ct)).ToHttp();

    private static async Task<Results<Ok<Page<HealthChangeDto>>, ValidationProblem, NotFound, ProblemHttpResult>> GetMyHistory(
        HealthService health, string? after, CancellationToken ct, int limit = 20) => (await health.MyHistoryAsync(after, limit, ct)).ToHttp();

    private static async Task<Results<Created<AppealDto>, ValidationProblem, NotFound, ProblemHttpResult>> Appeal(
        HealthService health, AppealInput input, CancellationToken ct) => (await health.AppealAsync(input, ct)).ToCreated(_ => "/api/v1/me/health/appeals");

    private static async Task<Ok<IReadOnlyList<AppealDto>>> MyAppeals(HealthService health, CancellationToken ct) => TypedResults.Ok(await health.MyAppealsAsync(ct));

    private static async Task<Results<Ok<HealthDto>, ValidationProblem, NotFound, ProblemHttpResult>> GetResident(HealthViews health, long id, CancellationToken ct) =>
        (await health.ForResidentAsync(id, ct)).ToHttp();

    private static async Task<Results<Ok<Page<HealthChangeDto>>, ValidationProblem, NotFound, ProblemHttpResult>> GetResidentHistory(
        HealthService health, long id, string? after, CancellationToken ct, int limit = 20) => (await health.HistoryAsync(id, after, limit, ct)).ToHttp();

    private static async Task<Results<Ok<HealthDto>, ValidationProblem, NotFound, ProblemHttpResult>> Override(
        HealthService health, long id, OverrideInput input, CancellationToken ct) => (await health.OverrideAsync(id, input, ct)).ToHttp();

    private static async Task<Results<Ok<HealthDto>, ValidationProblem, NotFound, ProblemHttpResult>> RemoveOverride(HealthService health, long id, CancellationToken ct) =>
        (await health.RemoveOverrideAsync(id, ct)).ToHttp();

    private static async Task<Results<Ok<Page<AppealDto>>, ValidationProblem, NotFound, ProblemHttpResult>> ListAppeals(
        HealthService health, AppealStatus? status, string? after, CancellationToken ct, int limit = 50) => (await health.AppealsAsync(status, after, limit, ct)).ToHttp();

    private static async Task<Results<Ok<AppealDto>, ValidationProblem, NotFound, ProblemHttpResult>> DecideAppeal(
        HealthService health, long appealId, AppealDecisionInput input, CancellationToken ct) => (await health.DecideAppealAsync(appealId, input, ct)).ToHttp();
}
