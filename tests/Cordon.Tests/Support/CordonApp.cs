using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Cordon.Features.Demo;
using Cordon.Features.Identity;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Web;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace Cordon.Tests.Support;

/// <summary>
/// The whole Cordon host in memory (WebApplicationFactory) on its own fresh database with a small demo district,
/// started the way a user starts it: Program.cs migrates and seeds before the host serves. One instance is shared
/// by the tests of a class; tests create their own data and never depend on each other's.
/// </summary>
public abstract class CordonApp : IAsyncLifetime
{
    public const int DemoResidents = 2000;
    /// <summary>A fixed personal-data key (base64 of 32 bytes), so ID-number hashes are stable within a run.</summary>
    public const string PersonalDataKey = "Q29yZG9uLXRlc3RzLXBlcnNvbmFsLWRhdGEta2V5ISE=";

    public const string CommunityA = "990102001001";
    public const string CommunityB = "990102001002";
    public const string BuildingA = "990102001001001";
    public const string BuildingB = "990102001002001";

    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _tokens = new();
    // Password hashing is deliberately slow: a test that signs in hundreds of users at once would starve the host
    // (and its database connections) of CPU. A few sign-ins at a time is as fast and keeps the host healthy.
    private readonly SemaphoreSlim _signIns = new(4);
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("cordon-tests-").FullName;
    private CordonHostFactory? _factory;

    public abstract DatabaseProvider Provider { get; }

    /// <summary>Why this app cannot run here (PostgreSQL missing), or null.</summary>
    public string? UnavailableReason { get; private set; }

    /// <summary>The running host's services, for tests that inspect the app itself (endpoints), not its data.</summary>
    public IServiceProvider Services => Started.Services;

    private CordonHostFactory Started => _factory ?? throw new InvalidOperationException(UnavailableReason ?? "The app is not started.");

    public async Task InitializeAsync()
    {
        UnavailableReason = await UnavailableAsync();
        if (UnavailableReason is not null) return;
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = Provider.ToString(),
            ["Database:ConnectionString"] = await ConnectionStringAsync(_dataDirectory),
            ["Database:SeedDemoOnStart"] = "true",
            ["Database:DemoResidents"] = DemoResidents.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Cordon:DataDirectory"] = _dataDirectory,
            ["Cordon:PersonalDataKey"] = PersonalDataKey,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        _factory = new CordonHostFactory(settings);
        // Starting the server runs Program.cs up to app.RunAsync(): migrations and the demo seed included.
        _ = _factory.Server;
    }

    protected abstract Task<string?> UnavailableAsync();

    /// <summary>The connection string of a fresh, empty database; null for the default (the data directory's cordon.db).</summary>
    protected abstract Task<string?> ConnectionStringAsync(string dataDirectory);

    protected abstract Task DropDatabaseAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
        _signIns.Dispose();
        await DropDatabaseAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is left to the temp directory's cleaner.
        }
    }

    /// <summary>A client that has not signed in.</summary>
    public HttpClient Anonymous() => Started.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>A client signed in (bearer token) as a demo user or any user created with the demo password.</summary>
    public async Task<HttpClient> ClientFor(string userName, string password = DemoDistrict.Password)
    {
        // One sign-in per user, shared by concurrent callers; a failed one is forgotten so that it can be retried.
        var signIn = _tokens.GetOrAdd(userName, _ => new Lazy<Task<string>>(() => SignInAsync(userName, password)));
        string token;
        try
        {
            token = await signIn.Value;
        }
        catch
        {
            _tokens.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(userName, signIn));
            throw;
        }
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<string> SignInAsync(string userName, string password)
    {
        await _signIns.WaitAsync();
        try
        {
            using var client = Anonymous();
            var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { userName, password });
            await response.ShouldHaveStatus(System.Net.HttpStatusCode.OK);
            var body = await response.ReadJson();
            return body.GetProperty("accessToken").GetString()!;
        }
        finally
        {
            _signIns.Release();
        }
    }

    /// <summary>Registers a resident through the API as <paramref name="userName"/> and returns it (masked, as the API answers).</summary>
    public async Task<ResidentDetail> CreateResident(string userName, ResidentInput input)
    {
        using var client = await ClientFor(userName);
        var response = await client.PostAsJsonAsync("/api/v1/residents", input, Json.Options);
        await response.ShouldHaveStatus(System.Net.HttpStatusCode.Created);
        return await response.ReadAs<ResidentDetail>();
    }

    public async Task<VenueDto> CreateVenue(string userName, VenueInput input)
    {
        using var client = await ClientFor(userName);
        var response = await client.PostAsJsonAsync("/api/v1/venues", input, Json.Options);
        await response.ShouldHaveStatus(System.Net.HttpStatusCode.Created);
        return await response.ReadAs<VenueDto>();
    }

    /// <summary>Creates a staff account as admin; its password is the demo password.</summary>
    public async Task<UserDto> CreateUser(string role, string jurisdictionCode, string? userName = null)
    {
        using var admin = await ClientFor("admin");
        var input = new UserInput(userName ?? TestData.UniqueUserName(), "Test user", DemoDistrict.Password, role, jurisdictionCode);
        var response = await admin.PostAsJsonAsync("/api/v1/users", input, Json.Options);
        await response.ShouldHaveStatus(System.Net.HttpStatusCode.Created);
        return await response.ReadAs<UserDto>();
    }

    /// <summary>All residents a user finds for a search, following every page.</summary>
    public async Task<List<ResidentSummary>> SearchAll(string userName, string query)
    {
        using var client = await ClientFor(userName);
        var found = new List<ResidentSummary>();
        string? after = null;
        do
        {
            var page = await client.GetFromJsonAsync<Page<ResidentSummary>>(
                $"/api/v1/residents?q={Uri.EscapeDataString(query)}&limit=100{(after is null ? "" : "&after=" + after)}", Json.Options);
            found.AddRange(page!.Items);
            after = page.NextCursor;
        }
        while (after is not null);
        return found;
    }
}

/// <summary>Cordon on SQLite, the zero set-up default: a real database file in a temporary data directory.</summary>
public sealed class SqliteApp : CordonApp
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override Task<string?> UnavailableAsync() => Task.FromResult<string?>(null);

    // The default connection string (<data directory>/cordon.db, shared cache, pooling) is the one users get.
    protected override Task<string?> ConnectionStringAsync(string dataDirectory) => Task.FromResult<string?>(null);

    protected override Task DropDatabaseAsync()
    {
        SqliteConnection.ClearAllPools();
        return Task.CompletedTask;
    }
}

/// <summary>Cordon on PostgreSQL: a fresh database on the server named by CORDON_TEST_POSTGRES.</summary>
public sealed class PostgresApp : CordonApp
{
    private PostgresDatabase? _database;

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    protected override Task<string?> UnavailableAsync() => TestPostgres.UnavailableReasonAsync();

    protected override async Task<string?> ConnectionStringAsync(string dataDirectory)
    {
        _database = await TestPostgres.CreateDatabaseAsync();
        return _database.ConnectionString;
    }

    protected override async Task DropDatabaseAsync()
    {
        if (_database is not null) await _database.DisposeAsync();
    }
}
