namespace Cordon.Features.Testing;

/// <summary>Sampling sites, slots, appointments, personal sampling codes and the live queue.</summary>
public static class SitesApi
{
    public static WebApplicationBuilder AddSitesAndAppointments(this WebApplicationBuilder builder) => builder;

    public static IEndpointRouteBuilder MapSitesAndAppointmentsApi(this IEndpointRouteBuilder app) => app;
}
