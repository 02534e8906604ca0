using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Microsoft.Extensions.Options;

namespace Cordon.Features.Demo;

public static class DemoServices
{
    public static WebApplicationBuilder AddDemo(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<DemoDistrict>();
        builder.Services.AddScoped<ResidentBulkWriter>();
        return builder;
    }

    /// <summary>
    /// The default set-up's first start: migrate, then create the demo district when the database is empty.
    /// Runs before the host listens, so the first page a user opens already has data.
    /// </summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        await using var scope = app.Services.CreateAsyncScope();
        if (options.MigrateOnStart) await scope.ServiceProvider.GetRequiredService<MigrationRunner>().MigrateAsync();
        if (options.SeedDemoOnStart)
        {
            var demo = scope.ServiceProvider.GetRequiredService<DemoDistrict>();
            if (!await demo.IsPresentAsync()) Console.WriteLine("First start: creating the demo district 示范区 ...");
            await demo.SeedAsync(options.DemoResidents, line => Console.WriteLine("  " + line));
        }
    }
}
