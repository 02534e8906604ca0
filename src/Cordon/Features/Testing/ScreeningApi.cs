using Cordon.Features.Identity;
using Cordon.Infrastructure.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cordon.Features.Testing;

/// <summary>Area screening rounds, coverage, the untested list, key-group periodic testing and antigen self-tests.</summary>
public static class ScreeningApi
{
    public static WebApplicationBuilder AddScreening(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<ScreeningService>();
        builder.Services.AddScoped<CoverageService>();
        builder.Services.AddScoped<KeyGroupTestingService>();
        builder.Services.AddScoped<AntigenService>();
        builder.Services.AddScoped<IScreeningObligations, ScreeningObligations>();
        builder.Services.AddSingleton<ScreeningEvents>();
        return builder;
    }

    public static IEndpointRouteBuilder MapScreeningApi(this IEndpointRouteBuilder app)
    {
        var rounds = app.MapGroup("/api/v1/rounds").WithTags("Screening rounds").RequireAuthorization(Policies.Staff);
        rounds.MapGet("/", ListRounds).WithSummary("Screening rounds that cover your jurisdiction, newest first (paged)");
        rounds.MapGet("/{id:int}", GetRound).WithSummary("One screening round");
        rounds.MapPost("/", OpenRound).RequireAuthorization(Policies.TestingManager)
            .WithSummary("Open a screening round over areas of your jurisdiction, with a window (at most 7 days) and the groups required");
        rounds.MapPost("/{id:int}/close", CloseRound).RequireAuthorization(Policies.TestingManager).WithSummary("Close a screening round");
        rounds.MapGet("/{id:int}/coverage", GetCoverage)
            .WithSummary("Required, sampled, resulted and positive residents: per area of the round, or per child of 'parent'");
        rounds.MapGet("/{id:int}/coverage.csv", ExportCoverage).Produces<string>(StatusCodes.Status200OK, "text/csv")
            .WithSummary("The coverage as CSV (the same rows as /coverage)");
        rounds.MapGet("/{id:int}/untested", GetUntested)
            .WithSummary("Required residents not yet sampled in the round's window (masked; building by building, paged with a cursor; filter by area)");

        var keyGroups = app.MapGroup("/api/v1/key-groups").WithTags("Key-group testing").RequireAuthorization(Policies.Staff);
        keyGroups.MapGet("/rules", ListRules).WithSummary("How often each key group must be tested");
        keyGroups.MapPut("/rules/{keyGroup}", SetRule).RequireAuthorization(Policies.TestingManager)
            .WithSummary("Set a key group's testing interval in hours (1-720)");
        keyGroups.MapDelete("/rules/{keyGroup}", RemoveRule).RequireAuthorization(Policies.TestingManager)
            .WithSummary("Remove a key group's rule: its members are no longer tested periodically");
        keyGroups.MapGet("/overdue", ListOverdue).WithSummary("Key-group members overdue for their periodic test (masked, paged; filter by area and group)");

        var antigen = app.MapGroup("/api/v1/antigen-reports").WithTags("Antigen self-tests").RequireAuthorization(Policies.Staff);
        antigen.MapGet("/", ListAntigenReports)
            .WithSummary("Antigen self-test reports in your jurisdiction, newest first (masked, paged; awaitingTest=true with result=Positive: the positives to act on)");
        antigen.MapGet("/{id:long}/photo", GetAntigenPhoto).Produces<byte[]>(StatusCodes.Status200OK, "image/jpeg", "image/png")
            .WithSummary("The photo of a report");

        var mine = app.MapGroup("/api/v1/me/antigen-reports").WithTags("Antigen self-tests").RequireAuthorization(Policies.Resident);
        mine.MapPost("/", ReportAntigen).WithSummary("Report your antigen self-test (key-group members; taken within 72 h; photo optional)");
        mine.MapGet("/", ListMyAntigenReports).WithSummary("Your latest antigen self-test reports");
        return app;
    }

    private static async Task<Results<Ok<Page<RoundDto>>, ValidationProblem, NotFound, ProblemHttpResult>> ListRounds(
        ScreeningService rounds, RoundStatus? status, string? after, CancellationToken ct, int limit = 20) =>
        (await rounds.ListAsync(status, after, limit, ct)).ToHttp();

    private static async Task<Results<Ok<RoundDto>, NotFound>> GetRound(ScreeningService rounds, int id, CancellationToken ct) =>
        await rounds.GetAsync(id, ct) is { } round ? TypedResults.Ok(round) : TypedResults.NotFound();

    private static async Task<Results<Created<RoundDto>, ValidationProblem, NotFound, ProblemHttpResult>> OpenRound(
        ScreeningService rounds, RoundInput input, CancellationToken ct) =>
        (await rounds.OpenAsync(input, ct)).ToCreated(r => $"/api/v1/rounds/{r.Id}");

    private static async Task<Results<Ok<RoundDto>, ValidationProblem, NotFound, ProblemHttpResult>> CloseRound(
        ScreeningService rounds, int id, CancellationToken ct) => (await rounds.CloseAsync(id, ct)).ToHttp();

    private static async Task<Results<Ok<Coverage>, ValidationProblem, NotFound, ProblemHttpResult>> GetCoverage(
        CoverageService coverage, int id, string? parent, CancellationToken ct) => (await coverage.ForRoundAsync(id, parent, ct)).ToHttp();

    private static async Task<Results<FileContentHttpResult, ValidationProblem, NotFound>> ExportCoverage(
        CoverageService coverage, int id, string? parent, CancellationToken ct)
    {
        var outcome = await coverage.ForRoundAsync(id, parent, ct);
        return outcome.Kind switch
        {
            OutcomeKind.Ok => TypedResults.File(CoverageService.ToCsv(outcome.Value!), "text/csv; charset=utf-8",
                $"coverage-round-{id}{(parent is null ? "" : "-" + parent)}.csv"),
            OutcomeKind.Invalid => TypedResults.ValidationProblem(outcome.Errors!.ToDictionary()),
            _ => TypedResults.NotFound(),
        };
    }

    private static async Task<Results<Ok<Page<UntestedResident>>, ValidationProblem, NotFound, ProblemHttpResult>> GetUntested(
        ScreeningService rounds, int id, string? area, string? after, CancellationToken ct, int limit = 50) =>
        (await rounds.UntestedAsync(id, area, after, limit, ct)).ToHttp();

    private static async Task<Ok<IReadOnlyList<KeyGroupRuleDto>>> ListRules(KeyGroupTestingService keyGroups, CancellationToken ct) =>
        TypedResults.Ok(await keyGroups.RulesAsync(ct));

    private static async Task<Results<Ok<KeyGroupRuleDto>, ValidationProblem, NotFound, ProblemHttpResult>> SetRule(
        KeyGroupTestingService keyGroups, string keyGroup, KeyGroupRuleInput input, CancellationToken ct) =>
        (await keyGroups.SetRuleAsync(keyGroup, input.IntervalHours, ct)).ToHttp();

    private static async Task<Results<Ok<KeyGroupRuleDto>, ValidationProblem, NotFound, ProblemHttpResult>> RemoveRule(
        KeyGroupTestingService keyGroups, string keyGroup, CancellationToken ct) => (await keyGroups.RemoveRuleAsync(keyGroup, ct)).ToHttp();

    private static async Task<Results<Ok<Page<OverdueMember>>, ValidationProblem, NotFound, ProblemHttpResult>> ListOverdue(
        KeyGroupTestingService keyGroups, string? area, string? keyGroup, string? after, CancellationToken ct, int limit = 50) =>
        (await keyGroups.OverdueAsync(area, keyGroup, after, limit, ct)).ToHttp();

    private static async Task<Results<Ok<Page<AntigenReportDto>>, ValidationProblem, NotFound, ProblemHttpResult>> ListAntigenReports(
        AntigenService antigen, string? area, AntigenResult? result, string? after, CancellationToken ct, bool awaitingTest = false, int limit = 50) =>
        (await antigen.ListAsync(area, result, awaitingTest, after, limit, ct)).ToHttp();

    private static async Task<Results<FileContentHttpResult, NotFound>> GetAntigenPhoto(AntigenService antigen, long id, CancellationToken ct) =>
        await antigen.PhotoAsync(id, ct) is { } photo ? TypedResults.File(photo.Bytes, photo.ContentType) : TypedResults.NotFound();

    private static async Task<Results<Created<MyAntigenReport>, ValidationProblem, NotFound, ProblemHttpResult>> ReportAntigen(
        AntigenService antigen, AntigenInput input, CancellationToken ct) =>
        (await antigen.ReportAsync(input, ct)).ToCreated(_ => "/api/v1/me/antigen-reports");

    private static async Task<Ok<IReadOnlyList<MyAntigenReport>>> ListMyAntigenReports(AntigenService antigen, CancellationToken ct) =>
        TypedResults.Ok(await antigen.MineAsync(ct: ct));
}
