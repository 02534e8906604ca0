using Cordon.Features.Identity;
using Cordon.Infrastructure.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cordon.Features.Testing;

/// <summary>Tubes, transport boxes, lab receipt, results (single entry and file import), pool logic and turnaround.</summary>
public static class SamplingApi
{
    public static WebApplicationBuilder AddSamplingAndResults(this WebApplicationBuilder builder)
    {
        // The sites-and-appointments slice registers it too; whichever runs first wins, the other is a no-op.
        builder.Services.TryAddScoped<SamplingCodeService>();
        builder.Services.AddScoped<SamplingService>();
        builder.Services.AddScoped<SamplingBatchService>();
        builder.Services.AddScoped<BoxService>();
        builder.Services.AddScoped<LabService>();
        builder.Services.AddScoped<ResultImportService>();
        builder.Services.AddScoped<MyResultsService>();
        builder.Services.AddScoped<TurnaroundService>();
        return builder;
    }

    public static IEndpointRouteBuilder MapSamplingAndResultsApi(this IEndpointRouteBuilder app)
    {
        var sampling = app.MapGroup("/api/v1/sampling").WithTags("Sampling").RequireAuthorization(Policies.Sampling);
        sampling.MapGet("/sites", MySites).WithSummary("The sites where you sample (your assignments; an admin: every site of the jurisdiction)");
        sampling.MapGet("/sites/{siteId:int}/tubes", SiteTubes).WithSummary("A site's tubes in one state (default: closed, waiting for a box)");
        sampling.MapGet("/sites/{siteId:int}/boxes", SiteBoxes).WithSummary("A site's boxes in one state (default: open)");
        sampling.MapPost("/batches", IngestBatch)
            .WithSummary("Upload closed tubes in a batch (up to 2,000 tubes, 20,000 people) from a sampling terminal; all or nothing; a resent tube is unchanged");

        var tubes = app.MapGroup("/api/v1/tubes").WithTags("Sampling").RequireAuthorization(Policies.Staff);
        tubes.MapGet("/{barcode}", GetTube).WithSummary("One tube with its stage times and members (names masked)");
        tubes.MapPost("/", OpenTube).RequireAuthorization(Policies.Sampling).WithSummary("Open a tube by its barcode with a pool size of 1, 5, 10 or 20 at a site");
        tubes.MapPost("/{barcode}/members", AddPerson).RequireAuthorization(Policies.Sampling)
            .WithSummary("Add the person a scanned code names (CORDON-P:<code>, the code, or an ID number); a full tube closes itself");
        tubes.MapPost("/{barcode}/close", CloseTube).RequireAuthorization(Policies.Sampling).WithSummary("Close a tube before it is full");
        tubes.MapPost("/{barcode}/void", VoidTube).RequireAuthorization(Policies.Sampling).WithSummary("Void a tube with a reason (audited; the tube is kept)");
        tubes.MapPost("/{barcode}/result", EnterResult).RequireAuthorization(Policies.Lab)
            .WithSummary("Enter and release the result of a received tube (negative / positive with Ct / invalid); the same result again is unchanged");

        var boxes = app.MapGroup("/api/v1/boxes").WithTags("Sampling").RequireAuthorization(Policies.Staff);
        boxes.MapGet("/{code}", GetBox).WithSummary("One transport box with its hand-over record and tubes");
        boxes.MapPost("/", CreateBox).RequireAuthorization(Policies.Sampling).WithSummary("Create a transport box at a site");
        boxes.MapPost("/{code}/tubes", AddTubeToBox).RequireAuthorization(Policies.Sampling).WithSummary("Put a closed tube into an open box");
        boxes.MapPost("/{code}/dispatch", DispatchBox).RequireAuthorization(Policies.Sampling).WithSummary("Hand the box over to a courier for a lab");
        boxes.MapPost("/{code}/receive", ReceiveBox).RequireAuthorization(Policies.Lab).WithSummary("Receive a dispatched box at the lab (scan its code)");

        var labs = app.MapGroup("/api/v1/labs").WithTags("Lab").RequireAuthorization(Policies.Staff);
        labs.MapGet("/", Labs).WithSummary("Every lab of the city (where boxes can be sent)");
        labs.MapGet("/desks", Desks).RequireAuthorization(Policies.Lab).WithSummary("The labs of your jurisdiction: tubes awaiting a result and recently received boxes");

        app.MapPost("/api/v1/results/import", ImportResults).WithTags("Lab").RequireAuthorization(Policies.Lab).DisableAntiforgery()
            .WithSummary("Import a lab's result file (CSV: barcode,result,ct); idempotent; all or nothing unless validOnly=true");

        app.MapGet("/api/v1/me/results", MyResults).WithTags("Residents").RequireAuthorization(Policies.Resident)
            .WithSummary("Your test results as soon as they are released, newest first, and the samples still on their way");

        var quality = app.MapGroup("/api/v1/testing").WithTags("Turnaround").RequireAuthorization(Policies.Staff);
        quality.MapGet("/turnaround", TurnaroundReport).WithSummary("Turnaround per stage, per site and per lab, of the tubes collected in a window (default: the last 24 h)");
        quality.MapGet("/overdue-tubes", OverdueTubes).WithSummary("Tubes not released within their target (pooled 12 h, single 6 h), longest waiting first");
        quality.MapGet("/retest-orders", RetestOrders).WithSummary("Retest orders not yet done, earliest deadline first (door-to-door list; filter by community)");
        quality.MapGet("/case-candidates", CaseCandidates).WithSummary("Positive single tubes for the epidemiologists, newest first");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<SamplerSite>>> MySites(SamplingService sampling, CancellationToken ct) =>
        TypedResults.Ok(await sampling.MySitesAsync(ct));

    private static async Task<Results<Ok<IReadOnlyList<TubeSummary>>, ValidationProblem, NotFound, ProblemHttpResult>> SiteTubes(
        SamplingService sampling, int siteId, CancellationToken ct, TubeStatus status = TubeStatus.Closed) =>
        (await sampling.SiteTubesAsync(siteId, status, ct)).ToHttp();

    private static async Task<Results<Ok<IReadOnlyList<BoxDto>>, ValidationProblem, NotFound, ProblemHttpResult>> SiteBoxes(
        BoxService boxes, int siteId, CancellationToken ct, BoxStatus status = BoxStatus.Open) =>
        (await boxes.SiteBoxesAsync(siteId, status, ct)).ToHttp();

    private static async Task<Results<Ok<SamplingBatchReport>, ValidationProblem, NotFound, ProblemHttpResult>> IngestBatch(
        SamplingBatchService batches, SamplingBatchInput input, CancellationToken ct) =>
        (await batches.IngestAsync(input, ct)).ToHttp();

    private static async Task<Results<Ok<TubeDto>, NotFound>> GetTube(SamplingService sampling, string barcode, CancellationToken ct) =>
        await sampling.GetTubeAsync(barcode, ct) is { } tube ? TypedResults.Ok(tube) : TypedResults.NotFound();

    private static async Task<Results<Created<TubeDto>, ValidationProblem, NotFound, ProblemHttpResult>> OpenTube(
        SamplingService sampling, OpenTubeInput input, CancellationToken ct) =>
        (await sampling.OpenTubeAsync(input, ct)).ToCreated(t => $"/api/v1/tubes/{t.Barcode}");

    private static async Task<Results<Ok<TubeDto>, ValidationProblem, NotFound, ProblemHttpResult>> AddPerson(
        SamplingService sampling, string barcode, AddPersonInput input, CancellationToken ct) =>
        (await sampling.AddPersonAsync(barcode, input, ct)).ToHttp();

    private static async Task<Results<Ok<TubeDto>, ValidationProblem, NotFound, ProblemHttpResult>> CloseTube(
        SamplingService sampling, string barcode, CancellationToken ct) =>
        (await sampling.CloseTubeAsync(barcode, ct)).ToHttp();

    private static async Task<Results<Ok<TubeDto>, ValidationProblem, NotFound, ProblemHttpResult>> VoidTube(
        SamplingService sampling, string barcode, VoidTubeInput input, CancellationToken ct) =>
        (await sampling.VoidTubeAsync(barcode, input, ct)).ToHttp();

    private static async Task<Results<Ok<ResultEntryDto>, ValidationProblem, NotFound, ProblemHttpResult>> EnterResult(
        LabService lab, string barcode, ResultInput input, CancellationToken ct) =>
        (await lab.EnterResultAsync(barcode, input, ct)).ToHttp();

    private static async Task<Results<Ok<BoxDto>, NotFound>> GetBox(BoxService boxes, string code, CancellationToken ct) =>
        await boxes.GetAsync(code, ct) is { } box ? TypedResults.Ok(box) : TypedResults.NotFound();

    private static async Task<Results<Created<BoxDto>, ValidationProblem, NotFound, ProblemHttpResult>> CreateBox(
        BoxService boxes, CreateBoxInput input, CancellationToken ct) =>
        (await boxes.CreateAsync(input, ct)).ToCreated(b => $"/api/v1/boxes/{b.Code}");

    private static async Task<Results<Ok<BoxDto>, ValidationProblem, NotFound, ProblemHttpResult>> AddTubeToBox(
        BoxService boxes, string code, BoxTubeInput input, CancellationToken ct) =>
        (await boxes.AddTubeAsync(code, input, ct)).ToHttp();

    private static async Task<Results<Ok<BoxDto>, ValidationProblem, NotFound, ProblemHttpResult>> DispatchBox(
        BoxService boxes, string code, DispatchInput input, CancellationToken ct) =>
        (await boxes.DispatchAsync(code, input, ct)).ToHttp();

    private static async Task<Results<Ok<BoxDto>, ValidationProblem, NotFound, ProblemHttpResult>> ReceiveBox(
        BoxService boxes, string code, CancellationToken ct) =>
        (await boxes.ReceiveAsync(code, ct)).ToHttp();

    private static async Task<Ok<IReadOnlyList<LabDto>>> Labs(BoxService boxes, CancellationToken ct) => TypedResults.Ok(await boxes.LabsAsync(ct));

    private static async Task<Ok<IReadOnlyList<LabDesk>>> Desks(LabService lab, CancellationToken ct) => TypedResults.Ok(await lab.DesksAsync(ct));

    private static async Task<Results<Ok<ResultImportReport>, ValidationProblem, NotFound, ProblemHttpResult>> ImportResults(
        ResultImportService import, IFormFile file, [FromQuery] int? labId, CancellationToken ct, [FromQuery] bool validOnly = false)
    {
        await using var stream = file.OpenReadStream();
        return (await import.ImportAsync(labId, stream, validOnly, ct)).ToHttp();
    }

    private static async Task<Results<Ok<MyResults>, NotFound>> MyResults(MyResultsService results, CancellationToken ct) =>
        await results.GetAsync(ct) is { } mine ? TypedResults.Ok(mine) : TypedResults.NotFound();

    private static async Task<Results<Ok<TurnaroundReport>, ValidationProblem, NotFound, ProblemHttpResult>> TurnaroundReport(
        TurnaroundService turnaround, DateTime? from, DateTime? to, CancellationToken ct) =>
        (await turnaround.ReportAsync(from, to, ct)).ToHttp();

    private static async Task<Ok<OverdueList>> OverdueTubes(TurnaroundService turnaround, CancellationToken ct, int limit = TurnaroundService.MaxPageSize) =>
        TypedResults.Ok(await turnaround.OverdueAsync(limit, ct));

    private static async Task<Results<Ok<Page<RetestOrderDto>>, ValidationProblem, NotFound, ProblemHttpResult>> RetestOrders(
        TurnaroundService turnaround, string? area, string? after, CancellationToken ct, int limit = 50) =>
        (await turnaround.RetestOrdersAsync(area, after, limit, ct)).ToHttp();

    private static async Task<Results<Ok<Page<CaseCandidateDto>>, ValidationProblem, NotFound, ProblemHttpResult>> CaseCandidates(
        TurnaroundService turnaround, string? after, CancellationToken ct, int limit = 50) =>
        (await turnaround.CaseCandidatesAsync(after, limit, ct)).ToHttp();
}
