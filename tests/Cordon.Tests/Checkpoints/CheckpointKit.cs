using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Checkpoints;
using Cordon.Features.Passes;
using Cordon.Tests.Support;
using Cordon.Tests.Testing;

namespace Cordon.Tests.Checkpoints;

/// <summary>Intent methods for the checkpoint tests: through the API, as the demo community worker and residents do it.</summary>
public static class CheckpointKit
{
    /// <summary>The demo checkpoint of a community (the demo gives every community one at its main gate).</summary>
    public static async Task<CheckpointDto> DemoCheckpoint(this CordonApp app, string community = CordonApp.CommunityA, string userName = "worker")
    {
        using var client = await app.ClientFor(userName);
        var page = await client.GetFromJsonAsync<Infrastructure.Web.Page<CheckpointDto>>($"/api/v1/checkpoints?area={community}", Json.Options);
        return page!.Items.Single(c => c.Name == DemoCheckpoints.GateName);
    }

    /// <summary>A new checkpoint of the test's own in community A (so counts in its log are the test's alone).</summary>
    public static async Task<CheckpointDto> NewCheckpoint(this CordonApp app, int? testHours = null, string community = CordonApp.CommunityA, string userName = "worker")
    {
        using var client = await app.ClientFor(userName);
        var response = await client.PostAsJsonAsync("/api/v1/checkpoints",
            new CheckpointInput(community, "测试卡口" + TestData.NewTag(), "东门", RequiredTestHours: testHours), Json.Options);
        await response.ShouldHaveStatus(HttpStatusCode.Created);
        return await response.ReadAs<CheckpointDto>();
    }

    /// <summary>The pass the person's phone shows now (their own resident account).</summary>
    public static async Task<string> PassOf(this CordonApp app, Person person)
    {
        using var resident = await app.ResidentClient(person);
        var response = await resident.GetAsync("/api/v1/me/pass");
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        return (await response.ReadAs<MyPass>()).Qr;
    }

    public static PassageInput Entering(string? pass = null, long? residentId = null, double temperature = 36.5) =>
        new(Guid.NewGuid(), PassageDirection.In, temperature, IdChecked: true, Pass: pass, ResidentId: residentId);

    public static async Task<PassageResult> RecordOk(this HttpClient worker, int checkpointId, PassageInput input)
    {
        var response = await worker.PostAsJsonAsync($"/api/v1/checkpoints/{checkpointId}/passages", input, Json.Options);
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        return await response.ReadAs<PassageResult>();
    }

    public static async Task<PersonCheckDto> LookupOk(this HttpClient worker, int checkpointId, string idNumber)
    {
        var response = await worker.PostAsJsonAsync($"/api/v1/checkpoints/{checkpointId}/lookup", new LookupInput(idNumber), Json.Options);
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        return await response.ReadAs<PersonCheckDto>();
    }

    public static async Task<List<PassageLogItem>> Log(this HttpClient client, int checkpointId)
    {
        var page = await client.GetFromJsonAsync<Infrastructure.Web.Page<PassageLogItem>>($"/api/v1/checkpoints/{checkpointId}/passages?limit=200", Json.Options);
        return [.. page!.Items];
    }

    /// <summary>Samples the people into one tube and releases a negative result through the lab, as the testing chain does.</summary>
    public static async Task ReleaseNegative(this CordonApp app, IReadOnlyList<Person> people)
    {
        var tube = await app.SampleTube(10, people);
        await app.DeliverToLab(await app.FirstLab(), tube.Barcode);
        await app.ImportResultsOk(await app.FirstLab(), SamplingKit.ResultsCsv((tube.Barcode, "negative", null)));
    }
}
