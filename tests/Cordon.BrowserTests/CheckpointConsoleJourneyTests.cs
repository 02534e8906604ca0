using System.Net.Http.Json;
using System.Text.Json;

namespace Cordon.BrowserTests;

/// <summary>A community worker at the gate (卡口值守), on the phone console, in a real browser against a real server.</summary>
public sealed class CheckpointConsoleJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Password = "Cordon-Demo-2026";

    [SkippableFact]
    public async Task Worker_checks_a_resident_by_typed_pass_sees_the_decision_and_finds_the_passage_in_the_log()
    {
        Skip.If(browser.SkipReason is not null, browser.SkipReason);
        var pass = await PassOfDemoResidentAsync();
        var page = await OpenConsoleAsync();

        // Temperature first, then the pass typed in (as a scanner would), verified on the phone.
        await page.FillAsync("#temperature", "36.6");
        await page.CheckAsync("#id-checked");
        await page.FillAsync("#person-code", pass);
        await page.ClickAsync("#check-submit");
        await page.WaitForSelectorAsync("#check-result:not([hidden])");
        var colour = await page.GetAttributeAsync("#result-colour", "data-colour");
        colour.ShouldBe("Green");
        (await page.InnerTextAsync("#result-name")).ShouldContain("*");
        var decision = await page.GetAttributeAsync("#result-decision", "data-decision");
        decision.ShouldBeOneOf("Allowed", "Denied");
        (await page.InnerTextAsync("#result-reason")).ShouldNotBeNullOrWhiteSpace();
        // The server recorded it (the queue on the phone is empty again).
        await page.WaitForSelectorAsync("#result-sync[data-state='synced']");
        (await page.IsHiddenAsync("#console-queue")).ShouldBeTrue();

        // A forged pass (signature of another text) is never shown green.
        var parts = pass.Split('.');
        await page.FillAsync("#temperature", "36.4");
        await page.FillAsync("#person-code", parts[0] + "." + parts[1] + "." + new string('A', 86));
        await page.ClickAsync("#check-submit");
        await page.WaitForSelectorAsync("#result-reason[data-reason='pass-invalid']");
        (await page.GetAttributeAsync("#result-colour", "data-colour")).ShouldBe("none");
        (await page.GetAttributeAsync("#result-decision", "data-decision")).ShouldBe("Denied");
        await page.WaitForSelectorAsync("#result-sync[data-state='synced']");

        // The passage log of the gate shows both, the resident masked, with the counts per hour.
        await page.ClickAsync("#open-log");
        await page.WaitForSelectorAsync("#passage-log");
        var rows = page.Locator("#passage-log .passage-row");
        (await rows.CountAsync()).ShouldBeGreaterThanOrEqualTo(2);
        (await rows.Nth(1).GetAttributeAsync("data-decision")).ShouldBe(decision);
        (await rows.Nth(1).InnerTextAsync()).ShouldContain("*");
        (await rows.Nth(0).GetAttributeAsync("data-reason")).ShouldBe("pass-invalid");
        int.Parse(await page.InnerTextAsync("#hourly-in"), System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(2);
    }

    [SkippableFact]
    public async Task Offline_the_console_still_verifies_the_pass_and_syncs_the_passage_when_the_server_is_back()
    {
        Skip.If(browser.SkipReason is not null, browser.SkipReason);
        var pass = await PassOfDemoResidentAsync();
        var page = await OpenConsoleAsync();
        await page.WaitForFunctionAsync("() => localStorage.getItem('cordon.passKeys') !== null");

        // The server is unreachable: the pass is verified with the cached keys and the passage waits on the phone.
        await page.Context.SetOfflineAsync(true);
        await page.FillAsync("#temperature", "36.8");
        await page.FillAsync("#person-code", pass);
        await page.ClickAsync("#check-submit");
        await page.WaitForSelectorAsync("#result-sync[data-state='queued']");
        (await page.GetAttributeAsync("#result-colour", "data-colour")).ShouldBe("Green");
        await page.WaitForSelectorAsync("#console-queue:not([hidden])");
        (await page.InnerTextAsync("#console-queue")).ShouldContain("1");

        // Back online: the queue is sent and the server's decision recorded.
        await page.Context.SetOfflineAsync(false);
        await page.WaitForSelectorAsync("#result-sync[data-state='synced']", new() { Timeout = 30_000 });
        await page.WaitForSelectorAsync("#console-queue[hidden]", new() { State = Microsoft.Playwright.WaitForSelectorState.Attached });
        (await page.EvaluateAsync<int>("() => JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.endsWith('.queue')))).length")).ShouldBe(0);
    }

    [SkippableFact]
    public async Task Worker_registers_a_courier_at_the_gate_and_sees_the_decision_with_the_name_masked()
    {
        Skip.If(browser.SkipReason is not null, browser.SkipReason);
        var page = await OpenConsoleAsync();
        await page.ClickAsync("#open-outsiders");
        await page.WaitForSelectorAsync("#outsider-submit");
        await page.FillAsync("#outsider-name", "王小明");
        await page.FillAsync("#outsider-phone", "13812345678");
        await page.SelectOptionAsync("#outsider-purpose", "Courier");
        await page.FillAsync("#outsider-temperature", "36.7");
        await page.SelectOptionAsync("#outsider-colour", "Green");
        await page.FillAsync("#outsider-test", "20");
        await page.CheckAsync("#outsider-id-checked");
        await page.ClickAsync("#outsider-submit");
        var done = await page.WaitForSelectorAsync("#outsider-done");
        var text = await done!.InnerTextAsync();
        text.ShouldContain("王*明");
        text.ShouldNotContain("王小明");

        // An impossible temperature registers no one and says which field is wrong.
        await page.FillAsync("#outsider-name", "李四");
        await page.FillAsync("#outsider-phone", "13900001111");
        await page.FillAsync("#outsider-temperature", "47");
        await page.ClickAsync("#outsider-submit");
        await page.WaitForSelectorAsync("#outsider-errors [data-field='temperature']");
        (await page.QuerySelectorAsync("#outsider-done")).ShouldBeNull();
        await page.GotoAsync(page.Url.Split('?')[0].Replace("/outsiders", "/log"));
        (await page.InnerTextAsync("#passage-log")).ShouldNotContain("李*");
    }

    /// <summary>Signs in as the demo community worker (on a phone-sized screen) and opens the console of their gate.</summary>
    private async Task<Microsoft.Playwright.IPage> OpenConsoleAsync()
    {
        var page = await browser.NewPageAsync();
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/login");
        await page.FillAsync("#username", "worker");
        await page.FillAsync("#password", Password);
        await page.ClickAsync("#login-submit");
        await page.WaitForSelectorAsync("#jurisdiction");

        // The worker's checkpoints: the demo gate of their community, opened as the console.
        await page.GotoAsync("/checkpoints");
        await page.ClickAsync("#checkpoints-summary .console-link");
        await page.WaitForSelectorAsync("#check-form");
        await page.WaitForFunctionAsync("() => document.getElementById('console-keys').textContent.length > 0");
        return page;
    }

    /// <summary>The demo resident's pass, as their phone shows it (its text is what a camera reads from the QR code).</summary>
    private async Task<string> PassOfDemoResidentAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(browser.Server.BaseUrl) };
        var token = await http.PostAsJsonAsync("/api/v1/auth/token", new { userName = "resident", password = Password });
        token.EnsureSuccessStatusCode();
        var accessToken = (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        http.DefaultRequestHeaders.Authorization = new("Bearer", accessToken);
        // The status of a fresh demo district is computed in the background at start-up: wait for it.
        for (var attempt = 0; ; attempt++)
        {
            var response = await http.GetAsync("/api/v1/me/pass");
            if (response.IsSuccessStatusCode) return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("qr").GetString()!;
            if (attempt > 60) throw new InvalidOperationException("The demo resident got no pass: " + await response.Content.ReadAsStringAsync());
            await Task.Delay(500);
        }
    }
}
