using Cordon.Features.Identity;
using Cordon.Infrastructure.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Cordon.Features.Registry;

public static class RegistryApi
{
    public static WebApplicationBuilder AddRegistry(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<AreaService>();
        builder.Services.AddScoped<ResidentService>();
        builder.Services.AddScoped<VenueService>();
        builder.Services.AddScoped<RegistryImport>();
        builder.Services.AddSingleton<RegistryEvents>();
        return builder;
    }

    public static IEndpointRouteBuilder MapRegistryApi(this IEndpointRouteBuilder app)
    {
        var areas = app.MapGroup("/api/v1/areas").WithTags("Areas").RequireAuthorization(Policies.Staff);
        areas.MapGet("/", ListAreas).WithSummary("Areas directly below a parent (or your jurisdiction area when no parent is given)");
        areas.MapGet("/{code}", GetArea).WithSummary("One area");
        areas.MapGet("/{code}/path", GetAreaPath).WithSummary("The area and its ancestors, outermost first");
        areas.MapGet("/{code}/boundary", GetBoundary).WithSummary("The area's GeoJSON boundary");
        areas.MapPost("/", CreateArea).RequireAuthorization(Policies.Admin).WithSummary("Create an area below a parent");
        areas.MapPut("/{code}", UpdateArea).RequireAuthorization(Policies.Admin).WithSummary("Rename an area or change its position and boundary");

        var residents = app.MapGroup("/api/v1/residents").WithTags("Residents").RequireAuthorization(Policies.Staff);
        residents.MapGet("/", SearchResidents).WithSummary("Search residents by name prefix, phone prefix or ID number (masked, paged)");
        residents.MapGet("/{id:long}", GetResident).WithSummary("One resident, personal data masked");
        residents.MapPost("/{id:long}/unmask", UnmaskResident).WithSummary("The resident's full personal data; audited with your reason");
        residents.MapPost("/", CreateResident).RequireAuthorization(Policies.RegistryEditor).WithSummary("Register a resident");
        residents.MapPut("/{id:long}", UpdateResident).RequireAuthorization(Policies.RegistryEditor).WithSummary("Update a resident");
        residents.MapDelete("/{id:long}", DeleteResident).RequireAuthorization(Policies.RegistryEditor).WithSummary("Remove a resident from the registry");
        residents.MapPost("/import", ImportResidents).RequireAuthorization(Policies.RegistryEditor).DisableAntiforgery()
            .WithSummary("Import residents from CSV (idempotent; all or nothing unless validOnly=true)");

        var venues = app.MapGroup("/api/v1/venues").WithTags("Venues").RequireAuthorization(Policies.Staff);
        venues.MapGet("/", SearchVenues).WithSummary("Venues by name prefix, area and category (paged)");
        venues.MapGet("/{id:int}", GetVenue).WithSummary("One venue");
        venues.MapPost("/", CreateVenue).RequireAuthorization(Policies.RegistryEditor).WithSummary("Register a venue (a venue code is issued)");
        venues.MapPut("/{id:int}", UpdateVenue).RequireAuthorization(Policies.RegistryEditor).WithSummary("Update a venue, e.g. suspend it");
        venues.MapPost("/import", ImportVenues).RequireAuthorization(Policies.RegistryEditor).DisableAntiforgery()
            .WithSummary("Import venues from CSV (idempotent; all or nothing unless validOnly=true)");
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<AreaDto>>, ValidationProblem, NotFound, ProblemHttpResult>> ListAreas(
        AreaService areas, string? parent, CancellationToken ct) => (await areas.ChildrenAsync(parent, ct)).ToHttp();

    private static async Task<Results<Ok<AreaDto>, NotFound>> GetArea(AreaService areas, string code, CancellationToken ct) =>
        await areas.GetAsync(code, ct) is { } area ? TypedResults.Ok(area) : TypedResults.NotFound();

    private static async Task<Results<Ok<IReadOnlyList<AreaDto>>, NotFound>> GetAreaPath(AreaService areas, string code, CancellationToken ct) =>
        await areas.GetAsync(code, ct) is null ? TypedResults.NotFound() : TypedResults.Ok(await areas.PathAsync(code, ct));

    private static async Task<Results<ContentHttpResult, NotFound>> GetBoundary(AreaService areas, string code, CancellationToken ct) =>
        await areas.BoundaryAsync(code, ct) is { } geo ? TypedResults.Text(geo, "application/geo+json") : TypedResults.NotFound();

    private static async Task<Results<Created<AreaDto>, ValidationProblem, NotFound, ProblemHttpResult>> CreateArea(
        AreaService areas, AreaInput input, CancellationToken ct) =>
        (await areas.CreateAsync(input, ct)).ToCreated(a => $"/api/v1/areas/{a.Code}");

    private static async Task<Results<Ok<AreaDto>, ValidationProblem, NotFound, ProblemHttpResult>> UpdateArea(
        AreaService areas, string code, AreaInput input, CancellationToken ct) => (await areas.UpdateAsync(code, input, ct)).ToHttp();

    private static async Task<Results<Ok<Page<ResidentSummary>>, ValidationProblem, NotFound, ProblemHttpResult>> SearchResidents(
        ResidentService residents, string? q, string? area, string? after, CancellationToken ct, int limit = 20) =>
        (await residents.SearchAsync(q, area, after, limit, ct)).ToHttp();

    private static async Task<Results<Ok<ResidentDetail>, NotFound>> GetResident(ResidentService residents, long id, CancellationToken ct) =>
        await residents.GetAsync(id, ct) is { } resident ? TypedResults.Ok(resident) : TypedResults.NotFound();

    private static async Task<Results<Ok<ResidentPersonalData>, ValidationProblem, NotFound, ProblemHttpResult>> UnmaskResident(
        ResidentService residents, long id, UnmaskRequest request, CancellationToken ct) =>
        (await residents.UnmaskAsync(id, request.Reason, ct)).ToHttp();

    private static async Task<Results<Created<ResidentDetail>, ValidationProblem, NotFound, ProblemHttpResult>> CreateResident(
        ResidentService residents, ResidentInput input, CancellationToken ct) =>
        (await residents.CreateAsync(input, ct)).ToCreated(r => $"/api/v1/residents/{r.Id}");

    private static async Task<Results<Ok<ResidentDetail>, ValidationProblem, NotFound, ProblemHttpResult>> UpdateResident(
        ResidentService residents, long id, ResidentInput input, CancellationToken ct) =>
        (await residents.UpdateAsync(id, input, ct)).ToHttp();

    private static async Task<Results<NoContent, NotFound>> DeleteResident(ResidentService residents, long id, CancellationToken ct) =>
        await residents.DeleteAsync(id, ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<Results<Ok<Page<VenueDto>>, ValidationProblem, NotFound, ProblemHttpResult>> SearchVenues(
        VenueService venues, string? q, string? area, VenueCategory? category, string? after, CancellationToken ct, int limit = 20) =>
        (await venues.SearchAsync(q, area, category, after, limit, ct)).ToHttp();

    private static async Task<Results<Ok<VenueDto>, NotFound>> GetVenue(VenueService venues, int id, CancellationToken ct) =>
        await venues.GetAsync(id, ct) is { } venue ? TypedResults.Ok(venue) : TypedResults.NotFound();

    private static async Task<Results<Created<VenueDto>, ValidationProblem, NotFound, ProblemHttpResult>> CreateVenue(
        VenueService venues, VenueInput input, CancellationToken ct) =>
        (await venues.CreateAsync(input, ct)).ToCreated(v => $"/api/v1/venues/{v.Id}");

    private static async Task<Results<Ok<VenueDto>, ValidationProblem, NotFound, ProblemHttpResult>> UpdateVenue(
        VenueService venues, int id, VenueInput input, CancellationToken ct) => (await venues.UpdateAsync(id, input, ct)).ToHttp();

    private static async Task<Results<Ok<ImportReport>, ValidationProblem, NotFound, ProblemHttpResult>> ImportResidents(
        RegistryImport import, IFormFile file, CancellationToken ct, [FromQuery] bool validOnly = false)
    {
        await using var stream = file.OpenReadStream();
        return (await import.ImportResidentsAsync(stream, validOnly, ct)).ToHttp();
    }

    private static async Task<Results<Ok<ImportReport>, ValidationProblem, NotFound, ProblemHttpResult>> ImportVenues(
        RegistryImport import, IFormFile file, CancellationToken ct, [FromQuery] bool validOnly = false)
    {
        await using var stream = file.OpenReadStream();
        return (await import.ImportVenuesAsync(stream, validOnly, ct)).ToHttp();
    }
}
