namespace Cordon.Features.Testing;

/// <summary>Area screening rounds, coverage, the untested list, key-group periodic testing and antigen self-tests.</summary>
public static class ScreeningApi
{
    public static WebApplicationBuilder AddScreening(this WebApplicationBuilder builder) => builder;

    public static IEndpointRouteBuilder MapScreeningApi(this IEndpointRouteBuilder app) => app;
}
