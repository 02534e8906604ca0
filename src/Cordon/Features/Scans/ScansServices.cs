namespace Cordon.Features.Scans;

public static class ScansServices
{
    public static WebApplicationBuilder AddScans(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static IEndpointRouteBuilder MapScansApi(this IEndpointRouteBuilder app)
    {
        return app;
    }
}
