using System.Net.Http.Json;
using System.Text.Json;

namespace Cordon.BrowserTests;

/// <summary>The path a commander takes through the registry, in a real browser against a real server.</summary>
public sealed class CommanderJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Password = "Cordon-Demo-2026";

    [SkippableFact]
    public async Task Commander_signs_in_switches_language_finds_a_resident_unmasks_with_audit_and_signs_out()
    {
        Skip.If(browser.SkipReason is not null, browser.SkipReason);
        var page = await browser.NewPageAsync();

        // Sign in: the console opens in Chinese by default.
        await page.GotoAsync("/");
        await page.WaitForURLAsync("**/login**");
        await page.FillAsync("#username", "commander");
        await page.FillAsync("#password", Password);
        await page.ClickAsync("#login-submit");
        await page.WaitForSelectorAsync("#jurisdiction");
        (await page.InnerTextAsync("h1")).ShouldBe("指挥大屏");

        // Switch to English and stay on the page.
        await page.ClickAsync("#lang-en");
        await page.WaitForSelectorAsync("#lang-zh");
        (await page.InnerTextAsync("h1")).ShouldBe("Dashboard");

        // The resident list, searched by a surname that a demo district of thousands certainly has.
        await page.GotoAsync("/residents");
        await page.FillAsync("#resident-search", "王");
        await page.ClickAsync("#resident-search-submit");
        var firstRow = page.Locator("#resident-results .resident-link").First;
        await firstRow.WaitForAsync();
        var maskedName = (await firstRow.InnerTextAsync()).Trim();
        maskedName.ShouldStartWith("王");
        maskedName.ShouldContain("*");

        // The detail shows masked data until the commander states a reason.
        await firstRow.ClickAsync();
        await page.WaitForSelectorAsync("#unmask-reason");
        var residentId = page.Url.Split('/').Last().Split('?')[0];
        (await page.ContentAsync()).ShouldNotContain("id=\"unmasked\"");
        await page.FillAsync("#unmask-reason", "Browser journey: verifying contact details");
        await page.ClickAsync("#unmask-submit");
        var unmasked = await page.WaitForSelectorAsync("#unmasked");
        var fullText = await unmasked!.InnerTextAsync();
        fullText.ShouldNotContain("*");
        fullText.ShouldMatch(@"\d{17}[\dX]");

        // The read is in the audit log, with who, whom and why.
        var audit = await AuditEntriesForAsync(residentId);
        audit.ShouldContain(e => e.GetProperty("action").GetString() == "ReadPersonalData"
            && e.GetProperty("userName").GetString() == "commander"
            && e.GetProperty("details").GetString()!.Contains("Browser journey"));

        // Sign out: the console is closed again.
        await page.ClickAsync("#logout");
        await page.WaitForURLAsync("**/login**");
        await page.GotoAsync("/residents");
        await page.WaitForURLAsync("**/login**");
    }

    private async Task<List<JsonElement>> AuditEntriesForAsync(string residentId)
    {
        using var http = new HttpClient { BaseAddress = new Uri(browser.Server.BaseUrl) };
        var token = await http.PostAsJsonAsync("/api/v1/auth/token", new { userName = "admin", password = Password });
        token.EnsureSuccessStatusCode();
        var accessToken = (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        http.DefaultRequestHeaders.Authorization = new("Bearer", accessToken);
        var page = await http.GetFromJsonAsync<JsonElement>($"/api/v1/audit?entity=Resident&key={residentId}");
        return page.GetProperty("items").EnumerateArray().ToList();
    }
}
