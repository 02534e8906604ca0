using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Cordon.Features.Demo;
using Cordon.Features.Identity;
using Cordon.Features.Testing;
using Cordon.Tests.Support;

namespace Cordon.Tests.Testing;

/// <summary>A registered person the tests can sample: the ID number is what a sampler types for someone without a phone.</summary>
public sealed record Person(long ResidentId, string IdNumber, string AreaCode);

/// <summary>
/// Intent methods for the sampling and lab tests, all through the API as the demo sampler (assigned to the first
/// site), the demo lab technician and the admin would do it.
/// </summary>
public static class SamplingKit
{
    private static int _counter;

    /// <summary>A tube or box code no other test uses.</summary>
    public static string NewCode(string prefix = "T") =>
        $"{prefix}{Interlocked.Increment(ref _counter).ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..10].ToUpperInvariant()}";

    /// <summary>Registers <paramref name="count"/> people (one CSV import as a community worker) and returns them with their ID numbers.</summary>
    public static async Task<List<Person>> RegisterPeople(this CordonApp app, int count, string areaCode = CordonApp.BuildingA, string registrar = "worker")
    {
        var prefix = TestData.NewNamePrefix();
        var rows = Enumerable.Range(0, count).Select(i => TestData.Resident(areaCode, prefix + "民" + i.ToString("00", CultureInfo.InvariantCulture))).ToArray();
        using (var worker = await app.ClientFor(registrar))
        {
            var import = await worker.PostAsync("/api/v1/residents/import", TestData.CsvFile(TestData.ResidentsCsv(rows)));
            await import.ShouldHaveStatus(HttpStatusCode.OK);
        }
        var people = new List<Person>();
        foreach (var row in rows)
        {
            var found = (await app.SearchAll(registrar, row.IdNumber!)).ShouldHaveSingleItem();
            people.Add(new Person(found.Id, row.IdNumber!, found.AreaCode));
        }
        return people;
    }

    /// <summary>A Resident account of the person's own (created by the admin), signed in.</summary>
    public static async Task<HttpClient> ResidentClient(this CordonApp app, Person person)
    {
        var userName = TestData.UniqueUserName();
        using (var admin = await app.ClientFor("admin"))
        {
            var response = await admin.PostAsJsonAsync("/api/v1/users",
                new UserInput(userName, "Resident", DemoDistrict.Password, Roles.Resident, person.AreaCode, person.ResidentId), Json.Options);
            await response.ShouldHaveStatus(HttpStatusCode.Created);
        }
        return await app.ClientFor(userName);
    }

    /// <summary>The demo site the demo sampler works at (the first one; tests may assign the sampler to more).</summary>
    public static async Task<int> SamplerSite(this CordonApp app)
    {
        using var sampler = await app.ClientFor("sampler");
        var sites = await sampler.GetFromJsonAsync<List<SamplerSite>>("/api/v1/sampling/sites", Json.Options);
        return sites!.Min(s => s.Id);
    }

    /// <summary>The first demo lab (inside the demo lab technician's jurisdiction).</summary>
    public static async Task<int> FirstLab(this CordonApp app)
    {
        using var lab = await app.ClientFor("lab");
        var labs = await lab.GetFromJsonAsync<List<LabDto>>("/api/v1/labs", Json.Options);
        return labs!.OrderBy(l => l.Id).First().Id;
    }

    public static Task<HttpResponseMessage> OpenTube(this HttpClient client, string barcode, int? poolSize, int? siteId) =>
        client.PostAsJsonAsync("/api/v1/tubes", new OpenTubeInput(barcode, poolSize, siteId), Json.Options);

    public static async Task<TubeDto> OpenTubeOk(this HttpClient client, string barcode, int poolSize, int siteId)
    {
        var response = await client.OpenTube(barcode, poolSize, siteId);
        await response.ShouldHaveStatus(HttpStatusCode.Created);
        return await response.ReadAs<TubeDto>();
    }

    public static Task<HttpResponseMessage> AddPerson(this HttpClient client, string barcode, string code) =>
        client.PostAsJsonAsync($"/api/v1/tubes/{barcode}/members", new AddPersonInput(code), Json.Options);

    public static async Task<TubeDto> AddPersonOk(this HttpClient client, string barcode, string code)
    {
        var response = await client.AddPerson(barcode, code);
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        return await response.ReadAs<TubeDto>();
    }

    public static Task<HttpResponseMessage> CloseTube(this HttpClient client, string barcode) =>
        client.PostAsync($"/api/v1/tubes/{barcode}/close", null);

    public static async Task<TubeDto> Tube(this CordonApp app, string barcode, string userName = "sampler")
    {
        using var client = await app.ClientFor(userName);
        var response = await client.GetAsync($"/api/v1/tubes/{barcode}");
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        return await response.ReadAs<TubeDto>();
    }

    /// <summary>
    /// Samples the people into one tube at the sampler's site and closes it (a full tube closes itself; a tube with fewer
    /// people is closed by hand), as the demo sampler.
    /// </summary>
    public static async Task<TubeDto> SampleTube(this CordonApp app, int poolSize, IEnumerable<Person> people, string? barcode = null)
    {
        using var sampler = await app.ClientFor("sampler");
        barcode ??= NewCode();
        var tube = await sampler.OpenTubeOk(barcode, poolSize, await app.SamplerSite());
        foreach (var person in people) tube = await sampler.AddPersonOk(barcode, person.IdNumber);
        if (tube.Status == TubeStatus.Open)
        {
            var close = await sampler.CloseTube(barcode);
            await close.ShouldHaveStatus(HttpStatusCode.OK);
            tube = await close.ReadAs<TubeDto>();
        }
        return tube;
    }

    /// <summary>Boxes the tubes at the sampler's site, hands the box to the lab and has the lab receive it.</summary>
    public static async Task<BoxDto> DeliverToLab(this CordonApp app, int labId, params string[] barcodes) =>
        await app.DeliverToLabFrom(await app.SamplerSite(), labId, barcodes);

    /// <summary>Boxes the tubes at a site of the sampler, hands the box to the lab and has the lab receive it.</summary>
    public static async Task<BoxDto> DeliverToLabFrom(this CordonApp app, int siteId, int labId, params string[] barcodes)
    {
        var code = NewCode("BOX");
        using (var sampler = await app.ClientFor("sampler"))
        {
            var created = await sampler.PostAsJsonAsync("/api/v1/boxes", new CreateBoxInput(code, siteId), Json.Options);
            await created.ShouldHaveStatus(HttpStatusCode.Created);
            foreach (var barcode in barcodes)
                await (await sampler.PostAsJsonAsync($"/api/v1/boxes/{code}/tubes", new BoxTubeInput(barcode), Json.Options)).ShouldHaveStatus(HttpStatusCode.OK);
            await (await sampler.PostAsJsonAsync($"/api/v1/boxes/{code}/dispatch", new DispatchInput(labId, "王师傅"), Json.Options)).ShouldHaveStatus(HttpStatusCode.OK);
        }
        using var lab = await app.ClientFor("lab");
        var received = await lab.PostAsync($"/api/v1/boxes/{code}/receive", null);
        await received.ShouldHaveStatus(HttpStatusCode.OK);
        return await received.ReadAs<BoxDto>();
    }

    public static string ResultsCsv(params (string Barcode, string Result, string? Ct)[] rows)
    {
        var csv = new StringBuilder("barcode,result,ct\n");
        foreach (var (barcode, result, ct) in rows) csv.Append(CultureInfo.InvariantCulture, $"{barcode},{result},{ct}\n");
        return csv.ToString();
    }

    public static async Task<HttpResponseMessage> ImportResults(this CordonApp app, int labId, string csv, bool validOnly = false, string userName = "lab")
    {
        using var lab = await app.ClientFor(userName);
        return await lab.PostAsync($"/api/v1/results/import?labId={labId}{(validOnly ? "&validOnly=true" : "")}", TestData.CsvFile(csv, "results.csv"));
    }

    public static async Task<ResultImportReport> ImportResultsOk(this CordonApp app, int labId, string csv, bool validOnly = false)
    {
        var response = await app.ImportResults(labId, csv, validOnly);
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        return await response.ReadAs<ResultImportReport>();
    }

    public static async Task<HttpResponseMessage> EnterResult(this CordonApp app, string barcode, TubeResult? result, double? ct = null, DateTime? testedAt = null)
    {
        using var lab = await app.ClientFor("lab");
        return await lab.PostAsJsonAsync($"/api/v1/tubes/{barcode}/result", new ResultInput(result, ct, testedAt), Json.Options);
    }

    public static async Task<MyResults> MyResults(this HttpClient resident)
    {
        var response = await resident.GetAsync("/api/v1/me/results");
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        return await response.ReadAs<MyResults>();
    }

    /// <summary>Every retest order not yet done that a staff user sees, optionally in one area, following every page.</summary>
    public static async Task<List<RetestOrderDto>> OpenRetestOrders(this CordonApp app, string? area = null, string userName = "commander")
    {
        using var client = await app.ClientFor(userName);
        var all = new List<RetestOrderDto>();
        string? after = null;
        do
        {
            var url = $"/api/v1/testing/retest-orders?limit=200{(area is null ? "" : "&area=" + area)}{(after is null ? "" : "&after=" + after)}";
            var page = await client.GetFromJsonAsync<Cordon.Infrastructure.Web.Page<RetestOrderDto>>(url, Json.Options);
            all.AddRange(page!.Items);
            after = page.NextCursor;
        }
        while (after is not null);
        return all;
    }
}
