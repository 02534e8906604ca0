using Cordon.Features.Identity;
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

    private static Task<Results<Ok<ScanBatchResult>, ValidationProblem, ProblemHttpResult>> Ingest(ScanBatchService batches, ScanBatchInput input, CancellationToken ct) =>
        ScansApi.StoredAsync(() => batches.IngestAsync(input, ct), "The batch could not be stored just now. Send it again as it was (same clientIds): nothing is stored twice.",
            "Batch not stored", "No venue of your jurisdiction has this code. Nothing was recorded.");
}
