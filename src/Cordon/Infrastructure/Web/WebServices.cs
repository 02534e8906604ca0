using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Localization;

namespace Cordon.Infrastructure.Web;

public static class WebServices
{
    public static readonly CultureInfo[] Cultures = [new("zh-CN"), new("en")];

    /// <summary>ProblemDetails, JSON conventions, OpenAPI, localization.</summary>
    public static WebApplicationBuilder AddCordonWeb(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        // Unreadable request bodies reach that handler (which names the field) in every environment, not only in Development.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip;
        });
        builder.Services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Cordon API";
            document.Info.Description = "Epidemic prevention-and-control command platform. Authenticate with POST /api/v1/auth/token and send 'Authorization: Bearer <token>'.";
            return Task.CompletedTask;
        }));
        builder.Services.AddLocalization();
        // Chinese text goes into pages as characters, not as &#x...; entities.
        builder.Services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        builder.Services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture("zh-CN");
            o.SupportedCultures = Cultures;
            o.SupportedUICultures = Cultures;
            o.RequestCultureProviders = [new QueryStringRequestCultureProvider(), new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        });
        // Uploaded CSV files of a city's registry can be large; 64 MB holds about 500,000 residents.
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(o => o.MultipartBodyLengthLimit = 64 * 1024 * 1024);
        return builder;
    }

    public static WebApplication UseCordonWeb(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestLocalization();
        return app;
    }

    public static IEndpointRouteBuilder MapCordonInfrastructure(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
        // Switching language sets the culture cookie and returns to the page the user was on.
        app.MapGet("/culture", (HttpContext context, string culture, string? returnUrl) =>
        {
            if (!Cultures.Any(c => c.Name == culture)) return Results.ValidationProblem(new Dictionary<string, string[]> { ["culture"] = ["must be zh-CN or en"] });
            context.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions { MaxAge = TimeSpan.FromDays(365), IsEssential = true, SameSite = SameSiteMode.Lax });
            return Results.LocalRedirect(string.IsNullOrEmpty(returnUrl) || !returnUrl.StartsWith('/') || returnUrl.StartsWith("//", StringComparison.Ordinal) ? "/" : returnUrl);
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}

/// <summary>
/// The one place unexpected exceptions become ProblemDetails: malformed request bodies get a 400 that names
/// what could not be read; anything else a 500 without internals (those go to the log, never to the client).
/// </summary>
public sealed class ProblemDetailsExceptionHandler(IProblemDetailsService problems, IHostEnvironment environment) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is BadHttpRequestException bad)
        {
            context.Response.StatusCode = bad.StatusCode;
            var field = (bad.InnerException as JsonException)?.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body";
            var problem = new HttpValidationProblemDetails(new Dictionary<string, string[]>
            {
                [field] = [Describe(bad)],
            })
            {
                Status = bad.StatusCode,
                Title = bad.StatusCode == StatusCodes.Status415UnsupportedMediaType ? "Unsupported content type" : "The request could not be read",
            };
            return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
        }
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = 500,
                Title = "An unexpected error occurred",
                Detail = environment.IsDevelopment() ? exception.Message : null,
            },
            Exception = exception,
        });
    }

    // The framework's own messages name C# parameters ("Implicit body inferred for parameter …"): say it for the API's users.
    private static string Describe(BadHttpRequestException bad) => bad.InnerException switch
    {
        JsonException => "could not be read: wrong type or malformed JSON",
        _ when bad.Message.Contains("no body was provided", StringComparison.Ordinal) => "is required: send a JSON object",
        _ => bad.Message,
    };
}
