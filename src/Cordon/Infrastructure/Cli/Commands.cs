using Cordon.Features.Certificates;
using Cordon.Features.Demo;
using Cordon.Features.Identity;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Infrastructure.Cli;

/// <summary>The operations sub-commands, run against the same services as the web host.</summary>
public static class Commands
{
    public static async Task<int> RunAsync(CordonCommand command, WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        switch (command.Name)
        {
            case "migrate":
                var applied = await services.GetRequiredService<MigrationRunner>().MigrateAsync();
                Console.WriteLine(applied.Count == 0 ? "The database is up to date." : $"Applied: {string.Join(", ", applied)}");
                return 0;
            case "seed-demo":
                await services.GetRequiredService<MigrationRunner>().MigrateAsync();
                var created = await services.GetRequiredService<DemoDistrict>().SeedAsync(command.IntOption("residents", 50_000), Console.WriteLine);
                Console.WriteLine(created ? "Demo district created." : "The demo district already exists; nothing changed.");
                return 0;
            case "create-admin":
                return await CreateAdminAsync(command, services);
            case "generate":
                return await GenerateAsync(command, services);
            case "certificate verify":
                // Needs neither the web server nor, when every line brings its trust list, the database.
                return await CertificateVerifyCommand.RunAsync(Console.In, Console.Out,
                    () => services.GetRequiredService<CertificateSignerStore>().TrustListAsync(), TimeProvider.System);
            case "schema-script":
                await using (var db = await services.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync())
                {
                    Console.WriteLine(db.Database.GenerateCreateScript());
                }
                return 0;
            default:
                await Console.Error.WriteLineAsync($"Unknown command '{command.Name.Replace("unknown:", "", StringComparison.Ordinal)}'.\n\n{CordonCommand.Help}");
                return 2;
        }
    }

    private static async Task<int> CreateAdminAsync(CordonCommand command, IServiceProvider services)
    {
        var (user, password) = (command.Option("user"), command.Option("password"));
        if (user is null || password is null)
        {
            await Console.Error.WriteLineAsync("create-admin needs --user NAME and --password PASSWORD.");
            return 2;
        }
        await services.GetRequiredService<MigrationRunner>().MigrateAsync();
        await services.GetRequiredService<DemoDistrict>().EnsureRolesAsync();
        var outcome = await services.GetRequiredService<UserAdministration>().CreateAsync(
            new UserInput(user, "Administrator", password, Roles.Admin, command.Option("jurisdiction") ?? DemoDistrict.CityCode), allowAnyJurisdiction: true);
        if (!outcome.IsOk)
        {
            await Console.Error.WriteLineAsync($"Not created: {outcome.Errors?.ToString() ?? outcome.Message}");
            return 1;
        }
        Console.WriteLine($"Administrator '{user}' created with jurisdiction {outcome.Value!.JurisdictionCode}.");
        return 0;
    }

    private static async Task<int> GenerateAsync(CordonCommand command, IServiceProvider services)
    {
        var count = command.IntOption("residents", 100_000);
        await services.GetRequiredService<MigrationRunner>().MigrateAsync();
        var db = services.GetRequiredService<CordonDbContext>();
        var buildings = await db.Areas.Where(a => a.Level == AreaLevel.Building).OrderBy(a => a.Code).Select(a => a.Code).ToArrayAsync();
        if (buildings.Length == 0)
        {
            await Console.Error.WriteLineAsync("No buildings yet: run 'cordon seed-demo' first.");
            return 1;
        }
        var started = System.Diagnostics.Stopwatch.StartNew();
        // ID numbers are unique per birthplace code; a run's own code keeps it clear of the demo and of other runs.
        var seed = command.IntOption("seed", Environment.TickCount & int.MaxValue);
        var idArea = command.Option("id-area") ?? (110000 + seed % 880000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var rows = DemoDistrict.Residents(count, buildings, seed, idArea);
        var written = await services.GetRequiredService<ResidentBulkWriter>().WriteAsync(rows);
        var seconds = started.Elapsed.TotalSeconds;
        Console.WriteLine($"Generated {written} residents (ID birthplace {idArea}) in {seconds:F1} s ({written / seconds:F0} residents/s).");
        return 0;
    }
}
