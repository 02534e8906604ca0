namespace Cordon.Features.Passes;

public static class PassesServices
{
    public static WebApplicationBuilder AddPasses(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static IEndpointRouteBuilder MapPassesApi(this IEndpointRouteBuilder app)
    {
        return app;
    }
}
