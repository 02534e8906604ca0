namespace Cordon.Features.Checkpoints;

/// <summary>Community checkpoints (卡口): checkpoints and their policy, the phone console, passages, outsiders, logs.</summary>
public static class CheckpointsServices
{
    public static WebApplicationBuilder AddCheckpoints(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CheckpointOptions>().BindConfiguration(CheckpointOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<CheckpointService>();
        builder.Services.AddScoped<PassageService>();
        builder.Services.AddScoped<PassageLogService>();
        builder.Services.AddScoped<ICheckpointPassReader, CheckpointPassReader>();
        builder.Services.AddHostedService<DemoCheckpoints>();
        builder.Services.AddHostedService<PassageRetention>();
        return builder;
    }

    public static IEndpointRouteBuilder MapCheckpointsApi(this IEndpointRouteBuilder app)
    {
        app.MapCheckpointEndpoints();
        return app;
    }
}
