using System.Text;
using Microsoft.Playwright;

namespace Cordon.BrowserTests;

/// <summary>
/// Issue 3 end to end in a real browser, on the real screens only: a resident books a slot and shows their personal code,
/// the sampler types it into a pooled tube, closes the tube, boxes it and hands the box over to a lab, the lab technician
/// receives the box and imports a result file, and the resident sees the negative result on their phone.
/// </summary>
public sealed class TestingJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Password = "Cordon-Demo-2026";

    [SkippableFact]
    public async Task Resident_books_is_sampled_in_a_pool_the_lab_imports_the_result_and_the_resident_sees_it_negative()
    {
        Skip.If(browser.SkipReason is not null, browser.SkipReason);
        var unique = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var tubeBarcode = $"JT-{unique}";
        var boxCode = $"JB-{unique}";

        // The resident books the first free slot at the site of their street where the demo sampler works.
        var resident = await SignInAsync("resident");
        await resident.GotoAsync("/me/book");
        var site = resident.Locator(".booking-site", new() { HasText = "东城便民核酸采样点" }).First;
        await site.ClickAsync();
        await resident.WaitForSelectorAsync("#booking-site");
        var slot = resident.Locator(".booking-slot:not([disabled])").First;
        if (await slot.CountAsync() == 0)
        {
            // Late in the evening today has no free slot left: the next bookable day has.
            await resident.Locator(".booking-days .nav-link:not(.disabled-look)").Nth(1).ClickAsync();
            await resident.WaitForSelectorAsync("#booking-form");
        }
        await resident.Locator(".booking-slot:not([disabled])").First.ClickAsync();
        await resident.WaitForSelectorAsync("#appointment-booked");

        // Their personal sampling code, as the phone shows it (in groups of four).
        await resident.GotoAsync("/me/code");
        var code = (await resident.InnerTextAsync("#code-text")).Trim();
        code.ShouldContain(" ");

        // The sampler opens a 10-in-1 tube by typing its barcode and types the resident's code as shown (no camera).
        var sampler = await SignInAsync("sampler");
        await sampler.GotoAsync("/testing/sampling");
        await sampler.FillAsync("#tube-barcode", tubeBarcode);
        await sampler.SelectOptionAsync("#tube-pool-size", "10");
        await sampler.ClickAsync("#tube-open");
        await sampler.WaitForSelectorAsync("#tube-current");
        (await sampler.InnerTextAsync("#tube-current-barcode")).Trim().ShouldBe(tubeBarcode);
        await sampler.FillAsync("#person-code", code);
        await sampler.ClickAsync("#person-add");
        await sampler.WaitForSelectorAsync("#tube-members");
        (await sampler.InnerTextAsync("#tube-count")).Trim().ShouldBe("1/10");
        (await sampler.InnerTextAsync("#tube-members")).ShouldContain("*");

        // Nobody else comes: the tube is closed early, put into a new box and the box handed to a courier for the lab.
        await sampler.ClickAsync("#tube-close");
        await sampler.WaitForSelectorAsync("#tube-last");
        await sampler.FillAsync("#box-new-code", boxCode);
        await sampler.ClickAsync("#box-create");
        await sampler.WaitForSelectorAsync("#box-current");
        await sampler.Locator(".closed-tube", new() { HasText = tubeBarcode }).ClickAsync();
        await sampler.WaitForSelectorAsync($"#box-current .box-barcodes:has-text('{tubeBarcode}')");
        var lab = await sampler.Locator("#box-lab option").First.InnerTextAsync();
        await sampler.FillAsync("#box-courier", "张师傅");
        await sampler.ClickAsync("#box-dispatch");
        (await (await sampler.WaitForSelectorAsync("#box-handover"))!.InnerTextAsync()).ShouldContain("张师傅");

        // The lab receives the box by its code and imports a result file with the tube's negative result.
        var technician = await SignInAsync("lab");
        await technician.GotoAsync("/testing/lab");
        await technician.FillAsync("#box-code", boxCode);
        await technician.ClickAsync("#box-receive");
        await technician.WaitForSelectorAsync("#lab-done");
        await technician.SelectOptionAsync("#result-lab", new SelectOptionValue { Label = lab.Trim() });
        await technician.SetInputFilesAsync("#result-file", new FilePayload
        {
            Name = "results.csv",
            MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes($"barcode,result,ct\n{tubeBarcode},阴性,\n"),
        });
        await technician.ClickAsync("#result-import");
        await technician.WaitForSelectorAsync("#import-report");
        (await technician.InnerTextAsync("#import-applied")).Trim().ShouldBe("1");
        (await technician.InnerTextAsync("#import-rejected")).Trim().ShouldBe("0");

        // The resident sees the released negative result at once.
        await resident.GotoAsync("/me/results");
        var result = resident.Locator("#me-results .result-card").First;
        (await result.GetAttributeAsync("data-kind")).ShouldBe("Negative");
        (await result.Locator(".result-kind").InnerTextAsync()).ShouldContain("阴性");
    }

    private async Task<IPage> SignInAsync(string userName)
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync("/login");
        await page.FillAsync("#username", userName);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("#login-submit");
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));
        return page;
    }
}
