namespace Cordon.Features.Checkpoints;

public static class CheckpointsServices
{
    public static WebApplicationBuilder AddCheckpoints(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static IEndpointRouteBuilder MapCheckpointsApi(this IEndpointRouteBuilder app)
    {
        return app;
    }
}
