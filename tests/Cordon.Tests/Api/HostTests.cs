using System.Net;
using Cordon.Tests.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cordon.Tests.Api;

/// <summary>The host as an operator and an API client meet it: health probes, the OpenAPI document, and no API endpoint left unprotected.</summary>
public abstract class HostTests(CordonApp app) : AppTests(app)
{
    [SkippableFact]
    public async Task Liveness_and_readiness_probes_answer_200_once_started()
    {
        using var client = App.Anonymous();
        (await client.GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var ready = await client.GetAsync("/health/ready");
        await ready.ShouldHaveStatus(HttpStatusCode.OK);
        (await ready.Content.ReadAsStringAsync()).ShouldBe("Healthy");
    }

    [SkippableFact]
    public async Task The_OpenAPI_document_describes_the_registry_api()
    {
        using var client = App.Anonymous();
        var response = await client.GetAsync("/openapi/v1.json");
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        var paths = (await response.ReadJson()).GetProperty("paths");
        foreach (var path in new[]
        {
            "/api/v1/auth/token", "/api/v1/residents", "/api/v1/residents/{id}", "/api/v1/residents/{id}/unmask",
            "/api/v1/residents/import", "/api/v1/venues", "/api/v1/venues/{id}", "/api/v1/areas/{code}", "/api/v1/users", "/api/v1/audit",
        })
        {
            paths.TryGetProperty(path, out _).ShouldBeTrue($"{path} is missing from the OpenAPI document");
        }
    }

    [SkippableFact]
    public void Every_api_endpoint_declares_who_may_call_it()
    {
        var endpoints = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/", StringComparison.Ordinal) == true)
            .ToList();
        endpoints.Count.ShouldBeGreaterThan(20, "the API endpoints were not found; the test would prove nothing");

        var offenders = endpoints
            .Where(e => e.Metadata.GetMetadata<IAuthorizeData>() is null && e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Select(e => $"{string.Join(",", e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])} {e.RoutePattern.RawText}")
            .ToList();
        offenders.ShouldBeEmpty(
            "These API endpoints have neither RequireAuthorization() nor AllowAnonymous(); say explicitly who may call them:\n  "
            + string.Join("\n  ", offenders));

        var anonymous = endpoints.Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/')).Distinct().ToList();
        anonymous.ShouldBe(AnonymousByDesign, ignoreOrder: true, customMessage:
            "Only these API endpoints may be called without signing in. If a new one must be, add it to AnonymousByDesign with the reason.");
    }

    /// <summary>The API endpoints anyone may call, each for a reason.</summary>
    private static readonly string[] AnonymousByDesign =
    [
        "/api/v1/auth/token", // signing in
        "/api/v1/certificates/verify", // whoever is shown a test certificate (venue, border, traveller) may check it, like the EU DCC verifier apps (ADR 009)
        "/api/v1/certificates/trust-list", // our public signer certificates: others verify our certificates offline with them (ADR 009)
    ];
}

public sealed class HostTestsOnSqlite(SqliteApp app) : HostTests(app), IClassFixture<SqliteApp>;

public sealed class HostTestsOnPostgres(PostgresApp app) : HostTests(app), IClassFixture<PostgresApp>;
