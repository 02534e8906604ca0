namespace Cordon.Features.Testing;

/// <summary>Tubes, transport boxes, lab receipt, results (single entry and file import), pool logic and turnaround.</summary>
public static class SamplingApi
{
    public static WebApplicationBuilder AddSamplingAndResults(this WebApplicationBuilder builder) => builder;

    public static IEndpointRouteBuilder MapSamplingAndResultsApi(this IEndpointRouteBuilder app) => app;
}
