namespace Cordon.Features.Certificates;

public static class CertificatesServices
{
    public static WebApplicationBuilder AddCertificates(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static IEndpointRouteBuilder MapCertificatesApi(this IEndpointRouteBuilder app)
    {
        return app;
    }
}
