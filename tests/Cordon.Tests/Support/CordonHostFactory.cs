using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Cordon.Tests.Support;

/// <summary>Program.cs hosted in memory with the given configuration, in the Production environment an operator runs.</summary>
public sealed class CordonHostFactory(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // What an operator runs, not the developer set-up: no detailed errors, production error handling.
        builder.UseEnvironment("Production");
        // Production skips these checks; the tests do not, so a singleton holding a scoped service fails here, not at a user's start.
        builder.UseDefaultServiceProvider(o =>
        {
            o.ValidateScopes = true;
            o.ValidateOnBuild = true;
        });
        // UseSetting reaches the host before Program.cs reads its configuration (the provider is chosen eagerly).
        foreach (var (key, value) in settings)
        {
            if (value is not null) builder.UseSetting(key, value);
        }
    }
}
