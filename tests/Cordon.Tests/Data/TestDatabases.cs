using Cordon.Infrastructure.Data;
using Cordon.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cordon.Tests.Data;

/// <summary>
/// Fresh, empty databases of one provider for tests of the data layer itself, removed afterwards, and contexts on
/// them configured by the app's own services: the EF model depends on them (Identity reads its schema version from
/// the app's options), so a context built by hand would not have the model the app really has. The host is built
/// with migration and seeding off and never serves a request.
/// </summary>
public abstract class TestDatabases : IAsyncLifetime
{
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("cordon-db-tests-").FullName;
    private CordonHostFactory? _host;
    private IServiceScope? _scope;

    public abstract DatabaseProvider Provider { get; }

    /// <summary>Why these databases cannot be had here (PostgreSQL missing), or null.</summary>
    public string? UnavailableReason { get; private set; }

    protected string Directory => _directory;

    public async Task InitializeAsync()
    {
        UnavailableReason = await UnavailableAsync();
        if (UnavailableReason is not null) return;
        _host = new CordonHostFactory(new Dictionary<string, string?>
        {
            ["Database:Provider"] = Provider.ToString(),
            ["Database:ConnectionString"] = await CreateAsync(),
            ["Database:MigrateOnStart"] = "false",
            ["Database:SeedDemoOnStart"] = "false",
            ["Cordon:DataDirectory"] = _directory,
            ["Cordon:PersonalDataKey"] = CordonApp.PersonalDataKey,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        _scope = _host.Services.CreateScope();
    }

    protected virtual Task<string?> UnavailableAsync() => Task.FromResult<string?>(null);

    /// <summary>The connection string of a new empty database.</summary>
    public abstract Task<string> CreateAsync();

    /// <summary>A context as the app creates it (model, provider options, interceptors), on the given database.</summary>
    public CordonDbContext Context(string connectionString)
    {
        var db = _scope!.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContext();
        db.Database.SetConnectionString(connectionString);
        return db;
    }

    public static MigrationRunner Runner(CordonDbContext db) => new(db, NullLogger<MigrationRunner>.Instance);

    public async Task DisposeAsync()
    {
        _scope?.Dispose();
        if (_host is not null) await _host.DisposeAsync();
        await DropAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is left to the temp directory's cleaner.
        }
    }

    protected virtual Task DropAsync() => Task.CompletedTask;
}

public sealed class SqliteDatabases : TestDatabases
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override Task<string> CreateAsync() =>
        Task.FromResult($"Data Source={Path.Combine(Directory, $"{Guid.NewGuid():N}.db")};Pooling=False;Default Timeout=30");
}

public sealed class PostgresDatabases : TestDatabases
{
    private readonly List<PostgresDatabase> _databases = [];

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    protected override Task<string?> UnavailableAsync() => TestPostgres.UnavailableReasonAsync();

    public override async Task<string> CreateAsync()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        lock (_databases) _databases.Add(database);
        return database.ConnectionString;
    }

    protected override async Task DropAsync()
    {
        foreach (var database in _databases) await database.DisposeAsync();
    }
}
