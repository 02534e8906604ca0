using Cordon.Infrastructure.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cordon.Infrastructure.Data;

public static class DataServices
{
    /// <summary>EF Core on SQLite (default) or PostgreSQL, the audit interceptor, migrations and the personal-data key.</summary>
    public static WebApplicationBuilder AddCordonData(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var dataDirectory = DataDirectory(builder);
        var connectionString = ConnectionString(options, dataDirectory);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<CurrentUser>();
        builder.Services.AddScoped<AuditInterceptor>();
        // Blazor circuits live long; components create a short-lived context per operation from this factory.
        builder.Services.AddDbContextFactory<CordonDbContext>((services, db) =>
        {
            if (options.Provider == DatabaseProvider.Postgres) db.UseNpgsql(connectionString);
            else db.UseSqlite(connectionString);
            db.AddInterceptors(services.GetRequiredService<AuditInterceptor>());
        }, ServiceLifetime.Scoped);
        builder.Services.AddScoped<MigrationRunner>();
        builder.Services.AddSingleton(new PersonalDataProtector(PersonalDataKey(builder.Configuration, dataDirectory)));
        // Sign-in cookies must survive a restart; the keys live beside the database file.
        builder.Services.AddDataProtection().SetApplicationName("cordon")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "keys")));
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }

    public static string DataDirectory(WebApplicationBuilder builder)
    {
        var configured = builder.Configuration["Cordon:DataDirectory"];
        var path = string.IsNullOrWhiteSpace(configured) ? Path.Combine(builder.Environment.ContentRootPath, "data") : configured;
        Directory.CreateDirectory(path);
        return path;
    }

    private static string ConnectionString(DatabaseOptions options, string dataDirectory) => options.Provider switch
    {
        DatabaseProvider.Postgres => string.IsNullOrWhiteSpace(options.ConnectionString)
            ? throw new OptionsValidationException(DatabaseOptions.Section, typeof(DatabaseOptions),
                ["Database:ConnectionString is required when Database:Provider is Postgres."])
            : options.ConnectionString,
        DatabaseProvider.Sqlite => string.IsNullOrWhiteSpace(options.ConnectionString)
            ? $"Data Source={Path.Combine(dataDirectory, "cordon.db")};Cache=Shared;Pooling=True;Default Timeout=30"
            : options.ConnectionString,
        _ => throw new OptionsValidationException(DatabaseOptions.Section, typeof(DatabaseOptions), [$"Unknown provider {options.Provider}."]),
    };

    /// <summary>
    /// The master key for ID-number hashing and encryption: <c>Cordon:PersonalDataKey</c> (base64, 32 bytes) in
    /// production; on a development machine a random key is created once in the data directory.
    /// </summary>
    private static byte[] PersonalDataKey(IConfiguration configuration, string dataDirectory)
    {
        if (configuration["Cordon:PersonalDataKey"] is { Length: > 0 } configured) return Convert.FromBase64String(configured);
        var file = Path.Combine(dataDirectory, "personal-data.key");
        if (!File.Exists(file))
        {
            File.WriteAllText(file, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return Convert.FromBase64String(File.ReadAllText(file).Trim());
    }
}
