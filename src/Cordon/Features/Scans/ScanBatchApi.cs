using Cordon.Features.Identity;
using Cordon.Infrastructure.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cordon.Features.Scans;

/// <summary>Batch upload of check-ins by venue terminals (ADR 015).</summary>
internal static class ScanBatchApi
{
    public static IEndpointRouteBuilder MapScanBatchEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/scans/batch", Ingest).WithTags("Venue terminals: check-in upload").RequireAuthorization(Policies.VenueTerminal)
            .WithName("UploadScans")
            .WithSummary($"Upload up to {ScanBatchService.MaxItems} scans of a venue of your jurisdiction (ID number and/or signed pass, each with its clientId and scannedAt): " +
                "per item the decision, or the fields that refused it (a bad item refuses only itself); a resent batch is stored once and answered as first stored")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<Results<Ok<ScanBatchResult>, ValidationProblem, ProblemHttpResult>> Ingest(ScanBatchService batches, ScanBatchInput input, CancellationToken ct)
    {
        Outcome<ScanBatchResult> outcome;
        try
        {
            outcome = await batches.IngestAsync(input, ct);
        }
        catch (ScanNotStoredException)
        {
            return TypedResults.Problem("The batch could not be stored just now. Send it again as it was (same clientIds): nothing is stored twice.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Batch not stored");
        }
        return outcome.Kind switch
        {
            OutcomeKind.Ok => TypedResults.Ok(outcome.Value),
            OutcomeKind.Invalid => TypedResults.ValidationProblem(outcome.Errors!.ToDictionary()),
            OutcomeKind.NotFound => TypedResults.Problem("No venue of your jurisdiction has this code. Nothing was recorded.",
                statusCode: StatusCodes.Status404NotFound, title: "Unknown venue code"),
            _ => throw new ArgumentOutOfRangeException(nameof(input)),
        };
    }
}
