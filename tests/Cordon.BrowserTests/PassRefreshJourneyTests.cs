using Microsoft.Playwright;

namespace Cordon.BrowserTests;

/// <summary>A server whose passes live 30 s (the shortest allowed), so the page's refresh comes within the test.</summary>
public sealed class ShortPassFixture : BrowserFixture
{
    public const int LifetimeSeconds = 30;

    protected override string[] ServerSettings => [$"--Passes:LifetimeSeconds={LifetimeSeconds}"];
}

/// <summary>The resident keeps my health code open: the pass is replaced by a fresh one before it expires, without a reload.</summary>
public sealed class PassRefreshJourneyTests(ShortPassFixture browser) : IClassFixture<ShortPassFixture>
{
    [SkippableFact]
    public async Task The_open_pass_is_replaced_by_a_fresh_one_before_it_expires_and_the_countdown_starts_again()
    {
        Skip.If(browser.SkipReason is not null, browser.SkipReason);
        var page = await browser.SignInAsync("resident", phone: true);
        await page.WaitForSelectorAsync("#me-health-code");
        await OpenPassAsync(page);

        // The pass is good for its lifetime and asks for a fresh one at four fifths of it.
        var validFor = int.Parse((await page.GetAttributeAsync("#health-pass", "data-valid-seconds"))!, System.Globalization.CultureInfo.InvariantCulture);
        validFor.ShouldBeInRange(ShortPassFixture.LifetimeSeconds - 2, ShortPassFixture.LifetimeSeconds);
        int.Parse((await page.GetAttributeAsync("#health-pass", "data-refresh-seconds"))!, System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBeLessThan(validFor);
        var firstQr = await page.InnerHTMLAsync("#health-pass .qr-code");
        await page.EvaluateAsync("() => { window.samePage = true; }");

        // Count down until the refresh, which swaps in a new pass: a different QR code and the full lifetime again.
        await page.WaitForFunctionAsync("() => Number(document.getElementById('health-countdown').textContent.split(':')[1]) < 20");
        await page.WaitForFunctionAsync("qr => document.querySelector('#health-pass .qr-code').innerHTML !== qr", firstQr,
            new PageWaitForFunctionOptions { Timeout = ShortPassFixture.LifetimeSeconds * 1000 });
        (await page.EvaluateAsync<bool>("() => window.samePage === true")).ShouldBeTrue(); // no reload
        Seconds(await page.InnerTextAsync("#health-countdown")).ShouldBeGreaterThan(20);
        (await page.GetAttributeAsync("#health-pass", "class"))!.ShouldNotContain("expired");
        (await page.GetAttributeAsync("#health-pass", "class"))!.ShouldNotContain("offline");

        // The fresh pass counts down and is refreshed again in its turn.
        var secondQr = await page.InnerHTMLAsync("#health-pass .qr-code");
        var shown = await page.InnerTextAsync("#health-countdown");
        await page.WaitForFunctionAsync("shown => document.getElementById('health-countdown').textContent !== shown", shown);
        await page.WaitForFunctionAsync("qr => document.querySelector('#health-pass .qr-code').innerHTML !== qr", secondQr,
            new PageWaitForFunctionOptions { Timeout = ShortPassFixture.LifetimeSeconds * 1000 });
        (await page.EvaluateAsync<bool>("() => window.samePage === true")).ShouldBeTrue();

        // Away and back with the browser's back button: the countdown runs again. (This Chromium reloads the page; a
        // browser that restores it from its back-forward cache restarts the script's timer on pageshow.)
        await page.ClickAsync("a[href='me']");
        await page.WaitForSelectorAsync("#me-health-code");
        await page.GoBackAsync();
        await page.WaitForSelectorAsync("#health-countdown");
        var back = await page.InnerTextAsync("#health-countdown");
        await page.WaitForFunctionAsync("back => document.getElementById('health-countdown').textContent !== back", back);
    }

    /// <summary>Opens my health code; the demo district's statuses are computed at start-up, so it may say "no status yet" at first.</summary>
    private static async Task OpenPassAsync(IPage page)
    {
        for (var attempt = 0; ; attempt++)
        {
            await page.GotoAsync("/me/health");
            if (await page.QuerySelectorAsync("#health-pass") is not null) return;
            if (attempt > 60) throw new InvalidOperationException("The demo resident got no pass.");
            await Task.Delay(500);
        }
    }

    private static int Seconds(string countdown)
    {
        var parts = countdown.Split(':');
        return int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) * 60 + int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
