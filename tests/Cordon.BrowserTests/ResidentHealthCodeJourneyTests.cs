using Microsoft.Playwright;

namespace Cordon.BrowserTests;

/// <summary>A resident opens their health code on a phone: colour, masked name, the signed QR and a running countdown.</summary>
public sealed class ResidentHealthCodeJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [SkippableFact]
    public async Task Resident_opens_my_health_code_from_home_and_sees_the_pass_counting_down()
    {
        Skip.If(browser.SkipReason is not null, browser.SkipReason);
        var page = await browser.SignInAsync("resident", phone: true);
        await page.WaitForSelectorAsync("#me-health-code");

        await page.ClickAsync("#me-health-code");
        await page.WaitForURLAsync("**/me/health");
        var pass = await page.WaitForSelectorAsync("#health-pass");
        (await pass!.GetAttributeAsync("data-colour")).ShouldNotBeNullOrEmpty();
        (await page.InnerTextAsync("#health-colour")).ShouldEndWith("码");
        (await page.InnerTextAsync("#health-name")).ShouldContain("*");
        (await page.Locator("#health-pass .qr-code svg").CountAsync()).ShouldBe(1);

        // The script counts down from the pass's validity.
        var first = await page.InnerTextAsync("#health-countdown");
        await page.WaitForFunctionAsync($"document.getElementById('health-countdown').textContent !== '{first}'");
        (await page.InnerTextAsync("#health-countdown")).ShouldMatch(@"^\d+:\d\d$");
        (await page.IsVisibleAsync("#health-validity .when-expired")).ShouldBeFalse();

        var screenshots = Environment.GetEnvironmentVariable("CORDON_SCREENSHOTS");
        if (!string.IsNullOrEmpty(screenshots))
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "resident-health-code.png"), FullPage = true });
    }
}
