using Cordon.Components;
using Cordon.Features.Audit;
using Cordon.Features.Certificates;
using Cordon.Features.Checkpoints;
using Cordon.Features.Demo;
using Cordon.Features.Health;
using Cordon.Features.Identity;
using Cordon.Features.Passes;
using Cordon.Features.Registry;
using Cordon.Features.Scans;
using Cordon.Features.Testing;
using Cordon.Infrastructure.Cli;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Web;

var command = CordonCommand.Parse(args);
if (command.Name == "help")
{
    Console.WriteLine(CordonCommand.Help);
    return 0;
}

var builder = WebApplication.CreateBuilder(command.HostArgs);
builder.AddCordonWeb();
builder.AddCordonData();
builder.AddCordonIdentity();
builder.AddCordonComponents();
builder.AddAudit();
builder.AddRegistry();
builder.AddTesting();
builder.AddHealth();
builder.AddPasses();
builder.AddCertificates();
builder.AddScans();
builder.AddCheckpoints();
builder.AddDemo();

var app = builder.Build();
if (command.Name != "serve") return await Commands.RunAsync(command, app);

await app.PrepareDatabaseAsync();
app.UseCordonWeb();
app.UseAuthentication();
app.UseCurrentUser();
app.UseAuthorization();
app.UseAntiforgery();
app.MapStaticAssets();
app.MapCordonInfrastructure();
app.MapIdentityApi();
app.MapAuditApi();
app.MapRegistryApi();
app.MapTestingApi();
app.MapHealthApi();
app.MapPassesApi();
app.MapCertificatesApi();
app.MapScansApi();
app.MapCheckpointsApi();
app.MapCordonComponents();
app.PrintWelcomeOnStart();
await app.RunAsync();
return 0;

/// <summary>Exposed for WebApplicationFactory in the integration tests.</summary>
public partial class Program;
