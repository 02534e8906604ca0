using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Cordon.Features.Identity;
using Cordon.Features.Registry;
using Cordon.Tests.Support;
using Cordon.Tests.Testing;

namespace Cordon.Tests.Scans;

/// <summary>The upload screen: a terminal's CSV export is recorded row by row, the refused rows are explained in the user's language.</summary>
public abstract partial class ScanUploadPageTests(CordonApp app) : AppTests(app)
{
    [SkippableFact]
    public async Task A_terminals_csv_export_is_recorded_and_each_refused_row_is_explained_and_uploading_it_again_records_nothing_new()
    {
        var people = await App.RegisterPeople(2);
        var venue = await App.NewVenue(VenueCategory.Supermarket);
        using var terminal = await App.ClientFor((await App.CreateUser(Roles.VenueTerminal, CordonApp.CommunityA)).UserName);
        var at = DateTime.UtcNow.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var csv = $"""
            clientId,scannedAt,idNumber
            {Guid.NewGuid()},{at},{people[0].IdNumber}
            {Guid.NewGuid()},{at},{people[1].IdNumber}
            {Guid.NewGuid()},{at},{TestData.NewIdNumber()}
            """;

        var html = await Upload(terminal, venue.VenueCode, csv);

        html.ShouldContain(venue.Name);
        Count(html, "upload-recorded").ShouldBe("2");
        Count(html, "upload-rejected").ShouldBe("1");
        html.ShouldContain("没有登记此身份证号的居民"); // Chinese by default
        html.ShouldContain("data-row=\"4\""); // the refused row, by its line in the file

        var again = await Upload(terminal, venue.VenueCode, csv);
        Count(again, "upload-recorded").ShouldBe("0");
        Count(again, "upload-already").ShouldBe("2");

        // A venue outside the terminal's community is refused as unknown.
        var other = await App.NewVenue(VenueCategory.Supermarket, CordonApp.CommunityB, registrar: "worker2");
        (await Upload(terminal, other.VenueCode, csv)).ShouldContain("upload-error");
    }

    [SkippableFact]
    public async Task A_terminal_signing_in_on_the_login_page_lands_on_the_upload_screen()
    {
        var user = await App.CreateUser(Roles.VenueTerminal, CordonApp.CommunityA);
        using var browser = App.Anonymous();
        var login = await browser.GetStringAsync("/login");
        var response = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = Token().Match(login).Groups[1].Value,
            ["Input.UserName"] = user.UserName,
            ["Input.Password"] = Cordon.Features.Demo.DemoDistrict.Password,
        }));

        ((int)response.StatusCode).ShouldBeInRange(300, 399);
        response.Headers.Location!.ToString().ShouldEndWith("scans/upload");
        (await browser.GetStringAsync("/scans/upload")).ShouldContain("scan-upload-form");
    }

    private static async Task<string> Upload(HttpClient client, string venueCode, string csv)
    {
        var form = await client.GetStringAsync("/scans/upload");
        using var content = new MultipartFormDataContent
        {
            { new StringContent("scan-upload"), "_handler" },
            { new StringContent(Token().Match(form).Groups[1].Value), "__RequestVerificationToken" },
            { new StringContent(venueCode), "venueCode" },
        };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        content.Add(file, "file", "scans.csv");
        var response = await client.PostAsync("/scans/upload", content);
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    private static string Count(string html, string id) => Regex.Match(html, $"id=\"{id}\">([^<]*)<").Groups[1].Value;

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}

public sealed class ScanUploadPageTestsOnSqlite(SqliteApp app) : ScanUploadPageTests(app), IClassFixture<SqliteApp>;

public sealed class ScanUploadPageTestsOnPostgres(PostgresApp app) : ScanUploadPageTests(app), IClassFixture<PostgresApp>;
