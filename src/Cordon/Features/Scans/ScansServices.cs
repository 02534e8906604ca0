namespace Cordon.Features.Scans;

/// <summary>Venue check-in (场所码): rules per venue, batched check-in writes, retention, API and pages.</summary>
public static class ScansServices
{
    public static WebApplicationBuilder AddScans(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ScansOptions>().BindConfiguration(ScansOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<VenueDirectory>();
        builder.Services.AddScoped<ScanService>();
        builder.Services.AddScoped<ScanBatchService>();
        builder.Services.AddSingleton<ScanWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ScanWriter>());
        builder.Services.AddSingleton<ScanRetention>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ScanRetention>());
        return builder;
    }

    public static IEndpointRouteBuilder MapScansApi(this IEndpointRouteBuilder app) => app.MapScansEndpoints().MapScanBatchEndpoints();
}
