using Cordon.Features.Identity;
using Cordon.Infrastructure.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cordon.Features.Passes;

/// <summary>
/// The signed dynamic pass of the health code (ADR 008): issued to the resident from their stored status, verified
/// by checkpoints with the published keys (offline) or at the server.
/// </summary>
public static class PassesServices
{
    public const string KeySetPath = "/.well-known/cordon/pass-keys";

    public static WebApplicationBuilder AddPasses(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PassOptions>().BindConfiguration(PassOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<PassKeyRing>();
        builder.Services.AddScoped<PassService>();
        return builder;
    }

    public static IEndpointRouteBuilder MapPassesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/me/pass", MyPass).WithTags("Resident: health code").RequireAuthorization(Policies.Resident)
            .WithName("GetMyPass")
            .WithSummary("A freshly signed pass (QR text) of your health status, valid for a few minutes, with the status it carries");
        app.MapPost("/api/v1/passes/verify", Verify).WithTags("Passes").RequireAuthorization(Policies.Staff)
            .WithName("VerifyPass")
            .WithSummary("Check a scanned pass: valid with its content, or malformed / unknown-key / bad-signature / not-yet-valid / expired with the reason");
        app.MapGet(KeySetPath, KeySet).WithTags("Passes").AllowAnonymous()
            .WithName("GetPassKeys")
            .WithSummary("The public keys that verify passes (JWK set, ES256), for checkpoints that verify offline; cache it, refresh it hourly");
        return app;
    }

    private static async Task<Results<Ok<MyPass>, ProblemHttpResult>> MyPass(PassService passes, CancellationToken ct)
    {
        var (pass, why) = await passes.IssueAsync(ct);
        return pass is not null ? TypedResults.Ok(pass) : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No pass", detail: why switch
        {
            PassUnavailable.NotLinked => "Your account is not linked to a resident of the registry.",
            PassUnavailable.NoStatusYet => "Your health status has not been computed yet; try again later.",
            _ => throw new ArgumentOutOfRangeException(nameof(why)),
        });
    }

    private static async Task<Results<Ok<PassCheck>, ValidationProblem, NotFound, ProblemHttpResult>> Verify(
        PassService passes, PassVerifyInput input, CancellationToken ct) => (await passes.VerifyAsync(input, ct)).ToHttp();

    private static async Task<Ok<PassKeySet>> KeySet(PassService passes, HttpContext http, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Ok(await passes.KeySetAsync(ct));
    }
}
