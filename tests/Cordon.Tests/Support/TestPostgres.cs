using Npgsql;

namespace Cordon.Tests.Support;

/// <summary>
/// The PostgreSQL server the tests may use: <c>CORDON_TEST_POSTGRES</c> names it (a connection string whose
/// role may create databases). Every user of it gets a fresh database of its own, dropped afterwards.
/// Without the variable, or when the server does not answer, PostgreSQL tests skip with the reason, unless
/// <c>CORDON_REQUIRE_ALL=1</c> (CI), where they fail instead.
/// </summary>
public static class TestPostgres
{
    public const string Variable = "CORDON_TEST_POSTGRES";

    public static bool RequireAll => Environment.GetEnvironmentVariable("CORDON_REQUIRE_ALL") == "1";

    private static readonly Lazy<Task<string?>> Unavailable = new(ProbeAsync);

    /// <summary>Why PostgreSQL cannot be used, or null when it can.</summary>
    public static Task<string?> UnavailableReasonAsync() => Unavailable.Value;

    /// <summary>Skips the calling test (or fails it under CORDON_REQUIRE_ALL=1) when PostgreSQL cannot be used.</summary>
    public static void SkipOrFailIfUnavailable(string? reason)
    {
        if (reason is null) return;
        if (RequireAll) throw new Xunit.Sdk.XunitException($"CORDON_REQUIRE_ALL=1 but PostgreSQL cannot be used: {reason}");
        Skip.If(true, reason);
    }

    private static async Task<string?> ProbeAsync()
    {
        var connectionString = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(connectionString))
            return $"PostgreSQL tests need {Variable}, e.g. Host=127.0.0.1;Port=5432;Username=cordon;Password=cordon;Database=cordon_test";
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 5, Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or ArgumentException or TimeoutException or InvalidOperationException)
        {
            return $"PostgreSQL from {Variable} is not reachable: {e.Message}";
        }
    }

    /// <summary>Creates an empty database <c>cordon_t_…</c> on the test server.</summary>
    public static async Task<PostgresDatabase> CreateDatabaseAsync()
    {
        var admin = Environment.GetEnvironmentVariable(Variable)!;
        var name = $"cordon_t_{Guid.NewGuid():N}";
        await ExecuteAsync(admin, $"CREATE DATABASE \"{name}\"");
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        return new PostgresDatabase(name, connectionString, admin);
    }

    internal static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

public sealed class PostgresDatabase(string name, string connectionString, string adminConnectionString) : IAsyncDisposable
{
    public string Name { get; } = name;
    public string ConnectionString { get; } = connectionString;

    public async ValueTask DisposeAsync()
    {
        await using (var connection = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(connection);
        await TestPostgres.ExecuteAsync(adminConnectionString, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }
}
