using Microsoft.Playwright;

namespace Cordon.BrowserTests;

/// <summary>
/// One Cordon server and one headless Chromium for the journeys of a test class. Without Chromium the journeys
/// skip and say why, unless CORDON_REQUIRE_ALL is set (CI), where a missing browser is a failure.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    public static string ChromiumPath => Environment.GetEnvironmentVariable("CORDON_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static bool Required => Environment.GetEnvironmentVariable("CORDON_REQUIRE_ALL") == "1";

    public string? SkipReason { get; private set; }
    public CordonServer Server { get; private set; } = default!;
    public IBrowser Browser { get; private set; } = default!;
    private IPlaywright? _playwright;

    /// <summary>Configuration of the server that a fixture for some journeys changes (command-line settings).</summary>
    protected virtual string[] ServerSettings => [];

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            var reason = $"Chromium not found at {ChromiumPath} (install the Debian package 'chromium' or set CORDON_CHROMIUM).";
            if (Required) throw new InvalidOperationException(reason + " CORDON_REQUIRE_ALL=1 makes this a failure.");
            SkipReason = reason;
            return;
        }
        Server = await CordonServer.StartAsync(settings: ServerSettings);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        });
    }

    public const string DemoPassword = "Cordon-Demo-2026";

    /// <summary>A new page signed in as a demo user, on a phone-sized screen when asked, where the sign-in landed.</summary>
    public async Task<IPage> SignInAsync(string userName, bool phone = false)
    {
        var page = await NewPageAsync();
        if (phone) await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/login");
        await page.FillAsync("#username", userName);
        await page.FillAsync("#password", DemoPassword);
        await page.ClickAsync("#login-submit");
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));
        return page;
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Server.BaseUrl, Locale = "zh-CN" });
        // Generous: in CI the browser servers start while the other test assembly keeps both cores busy, and a first
        // page right after start-up (the status fill still running) once took more than 15 s there.
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
    }
}
