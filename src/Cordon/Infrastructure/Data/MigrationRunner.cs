using System.Data.Common;
using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Infrastructure.Data;

/// <summary>
/// Applies the versioned SQL scripts embedded under <c>Migrations/{Sqlite|Postgres}/NNNN_name.sql</c>, forward
/// only, recording each in <c>cordon_schema_migrations</c>. Two hosts starting at once are serialised: by an
/// advisory lock on PostgreSQL, by an immediate (write-locking) transaction on SQLite.
/// </summary>
public sealed partial class MigrationRunner(CordonDbContext db, ILogger<MigrationRunner> log)
{
    public const string HistoryTable = "cordon_schema_migrations";
    private const long AdvisoryLockKey = 0x636F72646F6E; // "cordon"

    public sealed record Migration(int Version, string Name, string Sql);

    public static IReadOnlyList<Migration> All(DatabaseProvider provider)
    {
        var assembly = typeof(MigrationRunner).Assembly;
        var folder = $"migrations/{provider}/";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(folder, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => Load(assembly, n, n[folder.Length..^4]))
            .OrderBy(m => m.Version)
            .ToList();
    }

    private static Migration Load(Assembly assembly, string resource, string fileName)
    {
        using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
        var version = int.Parse(fileName.AsSpan(0, fileName.IndexOf('_')), System.Globalization.CultureInfo.InvariantCulture);
        return new Migration(version, fileName, reader.ReadToEnd());
    }

    /// <summary>Applies what is pending; returns the names of the migrations it applied.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var provider = db.IsPostgres ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            return provider == DatabaseProvider.Postgres
                ? await MigratePostgresAsync(connection, cancellationToken)
                : await MigrateSqliteAsync(connection, cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task<IReadOnlyList<string>> MigratePostgresAsync(DbConnection connection, CancellationToken ct)
    {
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({AdvisoryLockKey})", ct);
        try
        {
            await ExecuteAsync(connection, null,
                $"CREATE TABLE IF NOT EXISTS {HistoryTable} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamp with time zone NOT NULL DEFAULT now())", ct);
            var applied = new List<string>();
            foreach (var migration in await PendingAsync(connection, DatabaseProvider.Postgres, ct))
            {
                await using var transaction = await connection.BeginTransactionAsync(ct);
                await ApplyAsync(connection, transaction, migration, ct);
                await transaction.CommitAsync(ct);
                applied.Add(migration.Name);
            }
            return applied;
        }
        finally
        {
            await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    private async Task<IReadOnlyList<string>> MigrateSqliteAsync(DbConnection connection, CancellationToken ct)
    {
        // WAL lets readers go on while a writer works; it is a property of the file, so setting it once is enough.
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL", ct);
        await ExecuteAsync(connection, null, "PRAGMA busy_timeout=30000", ct);
        await ExecuteAsync(connection, null, "BEGIN IMMEDIATE", ct);
        try
        {
            await ExecuteAsync(connection, null,
                $"CREATE TABLE IF NOT EXISTS {HistoryTable} (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)", ct);
            var applied = new List<string>();
            foreach (var migration in await PendingAsync(connection, DatabaseProvider.Sqlite, ct))
            {
                await ApplyAsync(connection, null, migration, ct);
                applied.Add(migration.Name);
            }
            await ExecuteAsync(connection, null, "COMMIT", ct);
            return applied;
        }
        catch
        {
            await ExecuteAsync(connection, null, "ROLLBACK", CancellationToken.None);
            throw;
        }
    }

    private static async Task<List<Migration>> PendingAsync(DbConnection connection, DatabaseProvider provider, CancellationToken ct)
    {
        var done = new HashSet<int>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT version FROM {HistoryTable}";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) done.Add(reader.GetInt32(0));
        }
        return All(provider).Where(m => !done.Contains(m.Version)).ToList();
    }

    private async Task ApplyAsync(DbConnection connection, DbTransaction? transaction, Migration migration, CancellationToken ct)
    {
        LogApplying(log, migration.Name);
        await ExecuteAsync(connection, transaction, migration.Sql, ct);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO {HistoryTable} (version, name) VALUES (@version, @name)";
        AddParameter(command, "@version", migration.Version);
        AddParameter(command, "@name", migration.Name);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying migration {Name}")]
    private static partial void LogApplying(ILogger logger, string name);
}
