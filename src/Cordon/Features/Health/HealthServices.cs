namespace Cordon.Features.Health;

public static class HealthServices
{
    public static WebApplicationBuilder AddHealth(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        return app;
    }
}
