using System.ComponentModel.DataAnnotations;

namespace Cordon.Infrastructure.Data;

public enum DatabaseProvider
{
    Sqlite = 1,
    Postgres = 2,
}

/// <summary>The <c>Database</c> configuration section.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>For PostgreSQL, required. For SQLite, defaults to <c>cordon.db</c> in the data directory.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Apply pending migrations when the host starts (the default set-up does; production may run <c>cordon migrate</c>).</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>Create the demo district on first start when the database has no areas.</summary>
    public bool SeedDemoOnStart { get; set; } = true;

    /// <summary>Residents the demo district gets on first start.</summary>
    [Range(0, 10_000_000)]
    public int DemoResidents { get; set; } = 50_000;
}
