using Cordon.Features.Identity;
using Cordon.Infrastructure.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cordon.Features.Checkpoints;

/// <summary>Community checkpoints: the checkpoints and their policy, the console's work, the passage log and summary.</summary>
internal static class CheckpointsApi
{
    public static IEndpointRouteBuilder MapCheckpointEndpoints(this IEndpointRouteBuilder app)
    {
        // Reading the checkpoints, their logs and the summary is for staff of the jurisdiction (supervisors included);
        // changing a checkpoint and working at one is for the community's checkpoint staff.
        var group = app.MapGroup("/api/v1/checkpoints").WithTags("Checkpoints").RequireAuthorization(Policies.Staff);
        group.MapGet("/", List).WithName("ListCheckpoints").WithSummary("Checkpoints of your jurisdiction, optionally of one area (paged by id)");
        group.MapGet("/summary", Summary).WithName("CheckpointsSummary")
            .WithSummary("Supervisor view: every checkpoint of an area (default: your jurisdiction) with entries, exits, denials, fevers and outsiders of a local day");
        group.MapGet("/{id:int}", Get).WithName("GetCheckpoint").WithSummary("One checkpoint with its policy");
        group.MapPost("/", Create).RequireAuthorization(Policies.Checkpoint).WithName("CreateCheckpoint")
            .WithSummary("Create a checkpoint in a community of your jurisdiction (policy defaults: green only, no popups, no test requirement, 37.3 °C)");
        group.MapPut("/{id:int}", Update).RequireAuthorization(Policies.Checkpoint).WithName("UpdateCheckpoint")
            .WithSummary("Change a checkpoint's name, note, active flag or policy");
        group.MapDelete("/{id:int}", Delete).RequireAuthorization(Policies.Checkpoint).WithName("DeleteCheckpoint")
            .WithSummary("Remove a checkpoint that has recorded nobody (409 otherwise: set it inactive)");

        group.MapPost("/{id:int}/lookup", Lookup).RequireAuthorization(Policies.Checkpoint).WithName("CheckpointLookup")
            .WithSummary("Find a resident of your jurisdiction by the ID number typed at the checkpoint: masked name, colour, popups and test age only");
        group.MapPost("/{id:int}/passages", Record).RequireAuthorization(Policies.Checkpoint).WithName("RecordPassage")
            .WithSummary("Record one passage; the server verifies a scanned pass again and decides by the checkpoint's policy. Sent again with the same clientId, it is not stored twice");
        group.MapPost("/{id:int}/passages/batch", RecordBatch).RequireAuthorization(Policies.Checkpoint).WithName("RecordPassages")
            .WithSummary("Record up to 500 passages at once (a console's offline queue): all or nothing; passages already stored are answered as duplicates");
        group.MapGet("/{id:int}/passages", Log).WithName("PassageLog").WithSummary("The passages of a local day (default today), newest first, names masked (paged)");
        group.MapGet("/{id:int}/passages/hourly", Hourly).WithName("PassageCountsPerHour")
            .WithSummary("Entries, exits, denials and fevers per local hour of a day (default today)");
        group.MapPost("/{id:int}/outsiders", RegisterOutsider).RequireAuthorization(Policies.Checkpoint).WithName("RegisterOutsider")
            .WithSummary("Register someone who does not live in the community (visitor, courier, rider) with name, phone and purpose; record their passage with outsiderId");
        return app;
    }

    private static async Task<Results<Ok<Page<CheckpointDto>>, ValidationProblem, NotFound, ProblemHttpResult>> List(
        CheckpointService checkpoints, string? area, string? after, CancellationToken ct, int limit = 50) =>
        (await checkpoints.ListAsync(area, after, limit, ct)).ToHttp();

    private static async Task<Results<Ok<CheckpointDto>, NotFound>> Get(CheckpointService checkpoints, int id, CancellationToken ct) =>
        await checkpoints.GetAsync(id, ct) is { } c ? TypedResults.Ok(c) : TypedResults.NotFound();

    private static async Task<Results<Created<CheckpointDto>, ValidationProblem, NotFound, ProblemHttpResult>> Create(
        CheckpointService checkpoints, CheckpointInput input, CancellationToken ct) =>
        (await checkpoints.CreateAsync(input, ct)).ToCreated(c => $"/api/v1/checkpoints/{c.Id}");

    private static async Task<Results<Ok<CheckpointDto>, ValidationProblem, NotFound, ProblemHttpResult>> Update(
        CheckpointService checkpoints, int id, CheckpointInput input, CancellationToken ct) => (await checkpoints.UpdateAsync(id, input, ct)).ToHttp();

    private static async Task<Results<Ok<CheckpointDto>, ValidationProblem, NotFound, ProblemHttpResult>> Delete(
        CheckpointService checkpoints, int id, CancellationToken ct) => (await checkpoints.DeleteAsync(id, ct)).ToHttp();

    private static async Task<Results<Ok<PersonCheckDto>, ValidationProblem, NotFound, ProblemHttpResult>> Lookup(
        PassageService passages, int id, LookupInput input, CancellationToken ct) => (await passages.LookupAsync(id, input, ct)).ToHttp();

    private static async Task<Results<Ok<PassageResult>, ValidationProblem, NotFound, ProblemHttpResult>> Record(
        PassageService passages, int id, PassageInput input, CancellationToken ct) => (await passages.RecordAsync(id, input, ct)).ToHttp();

    private static async Task<Results<Ok<PassageBatchResult>, ValidationProblem, NotFound, ProblemHttpResult>> RecordBatch(
        PassageService passages, int id, PassageBatchInput input, CancellationToken ct) => (await passages.RecordBatchAsync(id, input.Passages, ct)).ToHttp();

    private static async Task<Results<Ok<Page<PassageLogItem>>, ValidationProblem, NotFound, ProblemHttpResult>> Log(
        PassageLogService log, int id, DateOnly? day, string? after, CancellationToken ct, int limit = 50) =>
        (await log.LogAsync(id, day, after, limit, ct)).ToHttp();

    private static async Task<Results<Ok<HourlyCounts>, ValidationProblem, NotFound, ProblemHttpResult>> Hourly(
        PassageLogService log, int id, DateOnly? day, CancellationToken ct) => (await log.HourlyAsync(id, day, ct)).ToHttp();

    private static async Task<Results<Ok<CheckpointsSummary>, ValidationProblem, NotFound, ProblemHttpResult>> Summary(
        PassageLogService log, string? area, DateOnly? day, CancellationToken ct) => (await log.SummaryAsync(area, day, ct)).ToHttp();

    private static async Task<Results<Created<OutsiderDto>, ValidationProblem, NotFound, ProblemHttpResult>> RegisterOutsider(
        PassageService passages, int id, OutsiderInput input, CancellationToken ct) =>
        (await passages.RegisterOutsiderAsync(id, input, ct)).ToCreated(o => $"/api/v1/checkpoints/{id}/outsiders/{o.Id}");
}

/// <summary>A batch of passages from a console's queue.</summary>
public sealed record PassageBatchInput(IReadOnlyList<PassageInput>? Passages);
