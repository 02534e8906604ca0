using Cordon.Features.Demo;
using Cordon.Features.Identity;
using Cordon.Infrastructure.Security;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Cordon.Components;

public static class ComponentServices
{
    public static WebApplicationBuilder AddCordonComponents(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents();
        builder.Services.AddCascadingAuthenticationState();
        return builder;
    }

    /// <summary>Makes the request's user the scope's <see cref="CurrentUser"/> for API endpoints and static pages.</summary>
    public static WebApplication UseCurrentUser(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            context.RequestServices.GetRequiredService<CurrentUser>().Principal = context.User;
            return next(context);
        });
        return app;
    }

    public static WebApplication MapCordonComponents(this WebApplication app)
    {
        app.MapRazorComponents<App>();
        app.MapPost("/logout", async (SignInManager<CordonUser> signIn, [FromForm] string? returnUrl) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("/login");
        }).RequireAuthorization().ExcludeFromDescription();
        return app;
    }

    /// <summary>Prints where Cordon listens and, while demo data is present, how to sign in.</summary>
    public static WebApplication PrintWelcomeOnStart(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var demo = app.Services.GetRequiredService<IOptions<Infrastructure.Data.DatabaseOptions>>().Value.SeedDemoOnStart;
            Console.WriteLine();
            Console.WriteLine("Cordon is running. Open in a browser:");
            foreach (var address in addresses) Console.WriteLine($"  {address.Replace("0.0.0.0", "localhost", StringComparison.Ordinal).Replace("[::]", "localhost", StringComparison.Ordinal)}");
            if (demo)
            {
                Console.WriteLine($"Demo accounts (password {DemoDistrict.Password}):");
                foreach (var account in DemoDistrict.Accounts) Console.WriteLine($"  {account.UserName,-11} {account.Role,-18} {account.Description}");
            }
            Console.WriteLine("API: /openapi/v1.json   Health: /health/ready   Stop: Ctrl+C");
        });
        return app;
    }
}
