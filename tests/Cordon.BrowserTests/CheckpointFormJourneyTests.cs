using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace Cordon.BrowserTests;

/// <summary>A community worker sets up the checkpoints of their community on the form (checkpoints/new, checkpoints/{id}/edit).</summary>
public sealed class CheckpointFormJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Password = "Cordon-Demo-2026";

    [SkippableFact]
    public async Task Worker_creates_a_checkpoint_with_a_policy_edits_it_is_told_why_a_value_is_refused_and_deletes_it()
    {
        Skip.If(browser.SkipReason is not null, browser.SkipReason);
        var page = await SignInAsync();
        var name = "北门卡口" + Guid.NewGuid().ToString("N")[..6];

        // New checkpoint from the supervisor page, with a policy: green and yellow, a negative test within 24 h, 37.0 °C.
        await page.GotoAsync("/checkpoints");
        await page.ClickAsync("#checkpoint-new");
        await page.WaitForURLAsync("**/checkpoints/new");
        (await page.InputValueAsync("#temperatureThreshold")).ShouldBe("37.3");
        (await page.IsCheckedAsync("#green")).ShouldBeTrue();
        await page.FillAsync("#name", name);
        await page.FillAsync("#locationNote", "北门");
        await page.CheckAsync("#yellow");
        await page.SelectOptionAsync("#requiredTestHours", "24");
        await page.FillAsync("#temperatureThreshold", "37.0");
        await page.ClickAsync("#checkpoint-save");

        // It is in the list.
        await page.WaitForURLAsync(url => url.EndsWith("/checkpoints", StringComparison.Ordinal));
        var row = page.Locator("tr.checkpoint-row", new() { HasText = name });
        (await row.CountAsync()).ShouldBe(1);

        // Its form shows the policy that was saved.
        await row.Locator(".edit-link").ClickAsync();
        await page.WaitForURLAsync("**/edit");
        (await page.InputValueAsync("#name")).ShouldBe(name);
        (await page.IsCheckedAsync("#yellow")).ShouldBeTrue();
        (await page.IsCheckedAsync("#red")).ShouldBeFalse();
        (await page.InputValueAsync("#requiredTestHours")).ShouldBe("24");
        (await page.InputValueAsync("#temperatureThreshold")).ShouldBe("37.0");

        // A threshold out of range is explained next to its field, and what was typed stays.
        await page.FillAsync("#locationNote", "北门岗亭");
        await page.FillAsync("#temperatureThreshold", "40");
        await page.ClickAsync("#checkpoint-save");
        var error = page.Locator(".field-error[data-field='temperatureThreshold']");
        await error.WaitForAsync();
        (await error.InnerTextAsync()).ShouldContain("36.0");
        (await page.GetAttributeAsync("#temperatureThreshold", "class"))!.ShouldContain("is-invalid");
        (await page.InputValueAsync("#locationNote")).ShouldBe("北门岗亭");

        // Corrected, it is saved.
        await page.FillAsync("#temperatureThreshold", "37.5");
        await page.UncheckAsync("#yellow");
        await page.ClickAsync("#checkpoint-save");
        await page.WaitForURLAsync(url => url.EndsWith("/checkpoints", StringComparison.Ordinal));
        await row.Locator(".edit-link").ClickAsync();
        await page.WaitForURLAsync("**/edit");
        (await page.InputValueAsync("#temperatureThreshold")).ShouldBe("37.5");
        (await page.InputValueAsync("#locationNote")).ShouldBe("北门岗亭");
        (await page.IsCheckedAsync("#yellow")).ShouldBeFalse();

        // It recorded nobody, so it can be deleted, after confirming.
        (await page.GetAttributeAsync("#checkpoint-remove", "data-action")).ShouldBe("delete");
        await page.ClickAsync("#checkpoint-remove-start");
        await page.WaitForSelectorAsync("#checkpoint-remove-confirm");
        (await page.InnerTextAsync("#checkpoint-remove-confirm")).ShouldContain(name);
        await page.ClickAsync("#checkpoint-remove-submit");
        await page.WaitForURLAsync(url => url.EndsWith("/checkpoints", StringComparison.Ordinal));
        (await row.CountAsync()).ShouldBe(0);
    }

    [SkippableFact]
    public async Task A_checkpoint_that_has_recorded_people_is_set_inactive_and_keeps_its_log()
    {
        Skip.If(browser.SkipReason is not null, browser.SkipReason);
        var (id, name) = await CheckpointWithAnOutsiderAsync();
        var page = await SignInAsync();

        await page.GotoAsync($"/checkpoints/{id}/edit");
        (await page.GetAttributeAsync("#checkpoint-remove", "data-action")).ShouldBe("deactivate");
        await page.ClickAsync("#checkpoint-remove-start");
        await page.WaitForSelectorAsync("#checkpoint-remove-confirm");
        // Cancelling changes nothing.
        await page.ClickAsync("#checkpoint-remove-cancel");
        (await page.QuerySelectorAsync("#checkpoint-remove-confirm")).ShouldBeNull();
        await page.ClickAsync("#checkpoint-remove-start");
        await page.ClickAsync("#checkpoint-remove-submit");
        await page.WaitForURLAsync(url => url.EndsWith("/checkpoints", StringComparison.Ordinal));

        var row = page.Locator("tr.checkpoint-row", new() { HasText = name });
        (await row.InnerTextAsync()).ShouldContain("停用");
        (await row.Locator("td").Nth(6).InnerTextAsync()).Trim().ShouldBe("1"); // the outsider is still counted
        await row.Locator(".edit-link").ClickAsync();
        await page.WaitForURLAsync("**/edit");
        (await page.IsCheckedAsync("#active")).ShouldBeFalse();
    }

    private async Task<IPage> SignInAsync()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync("/login");
        await page.FillAsync("#username", "worker");
        await page.FillAsync("#password", Password);
        await page.ClickAsync("#login-submit");
        await page.WaitForSelectorAsync("#jurisdiction");
        return page;
    }

    /// <summary>A checkpoint of the worker's community that has registered a visitor, made through the API.</summary>
    private async Task<(int Id, string Name)> CheckpointWithAnOutsiderAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(browser.Server.BaseUrl) };
        var token = await http.PostAsJsonAsync("/api/v1/auth/token", new { userName = "worker", password = Password });
        token.EnsureSuccessStatusCode();
        http.DefaultRequestHeaders.Authorization = new("Bearer", (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());
        var jurisdiction = await http.GetFromJsonAsync<JsonElement>("/api/v1/checkpoints?limit=1");
        var community = jurisdiction.GetProperty("items")[0].GetProperty("areaCode").GetString();
        var name = "南门卡口" + Guid.NewGuid().ToString("N")[..6];
        var created = await http.PostAsJsonAsync("/api/v1/checkpoints", new { areaCode = community, name });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var outsider = await http.PostAsJsonAsync($"/api/v1/checkpoints/{id}/outsiders", new { name = "王小明", phone = "13812345678", purpose = "Visit" });
        outsider.EnsureSuccessStatusCode();
        return (id, name);
    }
}
