using Cordon.Features.Identity;

namespace Cordon.Features.Health;

/// <summary>
/// Health status (健康码): rules, the stored status with its history, the background worker that keeps it current,
/// correction by staff and residents' appeals.
/// </summary>
public static class HealthServices
{
    public static WebApplicationBuilder AddHealth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // The features that provide these facts replace them when they land (ADR 007); until then they contribute nothing.
        services.AddSingleton<ICaseFacts, NoCaseFacts>();
        services.AddSingleton<IContactFacts, NoContactFacts>();
        services.AddSingleton<IRiskAreaFacts, NoRiskAreaFacts>();
        services.AddSingleton<ICompanionFacts, NoCompanionFacts>();
        services.AddScoped<HealthFactsLoader>();
        services.AddScoped<HealthRecomputer>();
        services.AddSingleton<HealthStatusEvents>();
        // One status cache per host (ADR 013): dropped by the events of this host, and by the poller for other hosts' writes.
        services.AddOptions<HealthCacheOptions>().BindConfiguration(HealthCacheOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<HealthStatusCache>();
        services.AddHostedService<HealthStatusPoller>();
        services.AddScoped<IHealthStatusLookup, HealthStatusLookup>();
        services.AddSingleton<HealthUpdateQueue>();
        services.AddSingleton<IHealthRecompute>(s => s.GetRequiredService<HealthUpdateQueue>());
        services.AddScoped<HealthViews>();
        services.AddScoped<HealthService>();
        services.AddHostedService<HealthUpdateWorker>();
        return builder;
    }

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app) => app.MapHealthEndpoints();
}

/// <summary>The roles of <c>Policies.HealthCorrection</c>, for screens that show the correction forms only to them.</summary>
public static class HealthRoles
{
    public static readonly string[] Correction = [Roles.Epidemiologist, Roles.Commander, Roles.Admin];
}
