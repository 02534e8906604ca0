using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Registry;
using Cordon.Features.Scans;
using Cordon.Tests.Support;

namespace Cordon.Tests.Scans;

/// <summary>Venues and check-ins as the tests need them, through the API.</summary>
public static class ScanKit
{
    public static Task<VenueDto> NewVenue(this CordonApp app, VenueCategory category, string areaCode = CordonApp.CommunityA, VenueStatus status = VenueStatus.Open, string registrar = "worker") =>
        app.CreateVenue(registrar, new VenueInput("测试场所" + TestData.NewTag(), category, areaCode, "测试路8号", status));

    public static Task<HttpResponseMessage> CheckIn(this HttpClient resident, string venueCode, Guid? clientId = null) =>
        resident.PostAsJsonAsync("/api/v1/scans", new ScanInput(venueCode, clientId?.ToString()), Json.Options);

    public static async Task<ScanResult> CheckInOk(this HttpClient resident, string venueCode, Guid? clientId = null)
    {
        var response = await resident.CheckIn(venueCode, clientId);
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        return await response.ReadAs<ScanResult>();
    }

    public static async Task<List<MyScanDto>> MyScans(this HttpClient resident) =>
        (await resident.GetFromJsonAsync<List<MyScanDto>>("/api/v1/me/scans", Json.Options))!;
}
