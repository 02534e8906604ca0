namespace Cordon.Features.Testing;

/// <summary>
/// The nucleic-acid testing platform (核酸检测信息化平台). Three slices, each with its own services, API and pages:
/// sites and appointments, sampling and lab results, screening rounds and coverage.
/// </summary>
public static class TestingServices
{
    public static WebApplicationBuilder AddTesting(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TestingOptions>().BindConfiguration(TestingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<CityTime>();
        builder.AddSitesAndAppointments();
        builder.AddSamplingAndResults();
        builder.AddScreening();
        return builder;
    }

    public static IEndpointRouteBuilder MapTestingApi(this IEndpointRouteBuilder app)
    {
        app.MapSitesAndAppointmentsApi();
        app.MapSamplingAndResultsApi();
        app.MapScreeningApi();
        return app;
    }
}
