using Cordon.Components;
using Cordon.Features.Audit;
using Cordon.Features.Demo;
using Cordon.Features.Identity;
using Cordon.Features.Registry;
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
app.MapCordonComponents();
app.PrintWelcomeOnStart();
await app.RunAsync();
return 0;

/// <summary>Exposed for WebApplicationFactory in the integration tests.</summary>
public partial class Program;
