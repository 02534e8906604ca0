namespace Cordon.BrowserTests;

/// <summary>The two certificate screens in a real browser: a resident asks for a certificate; a worker checks a QR text.</summary>
public sealed class CertificateJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Password = "Cordon-Demo-2026";

    private async Task<Microsoft.Playwright.IPage> SignInAsync(string userName)
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync("/login");
        await page.FillAsync("#username", userName);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("#login-submit");
        await page.WaitForLoadStateAsync();
        return page;
    }

    [SkippableFact]
    public async Task A_resident_opens_the_certificate_from_the_phone_home_and_is_told_what_they_get()
    {
        Skip.If(browser.SkipReason is not null, browser.SkipReason);
        var page = await SignInAsync("resident");
        await page.GotoAsync("/me");

        await page.ClickAsync("#me-certificate");
        await page.ClickAsync("#me-certificate-issue");

        // The demo resident has a certificate (QR and expiry) or, without a negative result yet, the reason there is none.
        var shown = page.Locator("#me-certificate-expiry, #me-certificate-refusal").First;
        await shown.WaitForAsync();
        (await shown.InnerTextAsync()).ShouldNotBeNullOrWhiteSpace();
        if (await page.Locator("#me-certificate").CountAsync() > 0) (await page.Locator("#me-certificate .qr-code svg").CountAsync()).ShouldBe(1);
    }

    [SkippableFact]
    public async Task A_worker_pastes_a_broken_certificate_and_sees_the_stage_that_failed()
    {
        Skip.If(browser.SkipReason is not null, browser.SkipReason);
        var page = await SignInAsync("worker");
        await page.GotoAsync("/certificates/verify");

        await page.FillAsync("#certificate-qr", "HC1:ABCD");
        await page.ClickAsync("#certificate-verify");

        var result = page.Locator("#certificate-result");
        await result.WaitForAsync();
        (await result.GetAttributeAsync("data-valid")).ShouldBe("false");
        (await page.InnerTextAsync("#certificate-stage")).ShouldBe("base45");
        (await page.InnerTextAsync("#certificate-reason")).ShouldContain("Base45");
        (await page.Locator("#certificate-content").CountAsync()).ShouldBe(0);
    }
}
