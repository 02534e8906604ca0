using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Cordon.Features.Registry;

/// <summary>A resident to load in bulk: the plain ID number is hashed and encrypted on the way in.</summary>
public sealed record ResidentRow(
    string Name, string IdNumber, string Phone, string AreaCode, string? Household, string? Unit, string? Room, KeyGroup KeyGroup);

/// <summary>
/// Loads many residents without the ORM: binary COPY on PostgreSQL, one prepared statement in one transaction
/// on SQLite. Used by the demo seed and the synthetic-city generator; callers validate rows first.
/// </summary>
public sealed class ResidentBulkWriter(CordonDbContext db, PersonalDataProtector protector, TimeProvider clock, RegistryEvents events)
{
    /// <summary>Writes the rows and raises <see cref="RegistryEvents.ResidentsAdded"/> without ids (a bulk load is not read back).</summary>
    public async Task<int> WriteAsync(IEnumerable<ResidentRow> rows, CancellationToken ct = default)
    {
        await db.Database.OpenConnectionAsync(ct);
        int written;
        try
        {
            written = db.Database.GetDbConnection() switch
            {
                NpgsqlConnection pg => await CopyAsync(pg, rows, ct),
                SqliteConnection sqlite => await InsertAsync(sqlite, rows, ct),
                var other => throw new NotSupportedException($"No bulk path for {other.GetType().Name}."),
            };
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        events.RaiseResidentsAdded(new ResidentsAdded(null, written));
        return written;
    }

    private async Task<int> CopyAsync(NpgsqlConnection connection, IEnumerable<ResidentRow> rows, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var count = 0;
        await using var writer = await connection.BeginBinaryImportAsync(
            """COPY "Residents" ("Name", "IdNumberHash", "IdNumberCipher", "Phone", "BirthDate", "Sex", "Household", "AreaCode", "Unit", "Room", "KeyGroup", "CreatedAt", "UpdatedAt") FROM STDIN (FORMAT BINARY)""", ct);
        foreach (var row in rows)
        {
            var id = ResidentIdNumber.Normalize(row.IdNumber);
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(row.Name, NpgsqlDbType.Varchar, ct);
            await writer.WriteAsync(protector.Hash(id), NpgsqlDbType.Varchar, ct);
            await writer.WriteAsync(protector.Encrypt(id), NpgsqlDbType.Varchar, ct);
            await writer.WriteAsync(row.Phone, NpgsqlDbType.Varchar, ct);
            await writer.WriteAsync(ResidentIdNumber.BirthDateOf(id)!.Value, NpgsqlDbType.Date, ct);
            await writer.WriteAsync((int)ResidentIdNumber.SexOf(id), NpgsqlDbType.Integer, ct);
            await WriteNullableAsync(writer, row.Household, ct);
            await writer.WriteAsync(row.AreaCode, NpgsqlDbType.Varchar, ct);
            await WriteNullableAsync(writer, row.Unit, ct);
            await WriteNullableAsync(writer, row.Room, ct);
            await writer.WriteAsync((int)row.KeyGroup, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
            await writer.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
            count++;
        }
        await writer.CompleteAsync(ct);
        return count;
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter writer, string? value, CancellationToken ct)
    {
        if (value is null) await writer.WriteNullAsync(ct);
        else await writer.WriteAsync(value, NpgsqlDbType.Varchar, ct);
    }

    private async Task<int> InsertAsync(SqliteConnection connection, IEnumerable<ResidentRow> rows, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var count = 0;
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO "Residents" ("Name", "IdNumberHash", "IdNumberCipher", "Phone", "BirthDate", "Sex", "Household", "AreaCode", "Unit", "Room", "KeyGroup", "CreatedAt", "UpdatedAt")
            VALUES ($name, $hash, $cipher, $phone, $birth, $sex, $household, $area, $unit, $room, $group, $now, $now)
            """;
        var p = new[] { "$name", "$hash", "$cipher", "$phone", "$birth", "$sex", "$household", "$area", "$unit", "$room", "$group", "$now" }
            .ToDictionary(n => n, n => command.Parameters.Add(new SqliteParameter { ParameterName = n }));
        // The same text EF Core's SQLite provider writes, so EF reads these rows back as UTC instants.
        p["$now"].Value = now.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture);
        command.Prepare();
        foreach (var row in rows)
        {
            var id = ResidentIdNumber.Normalize(row.IdNumber);
            p["$name"].Value = row.Name;
            p["$hash"].Value = protector.Hash(id);
            p["$cipher"].Value = protector.Encrypt(id);
            p["$phone"].Value = row.Phone;
            p["$birth"].Value = ResidentIdNumber.BirthDateOf(id)!.Value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            p["$sex"].Value = (int)ResidentIdNumber.SexOf(id);
            p["$household"].Value = (object?)row.Household ?? DBNull.Value;
            p["$area"].Value = row.AreaCode;
            p["$unit"].Value = (object?)row.Unit ?? DBNull.Value;
            p["$room"].Value = (object?)row.Room ?? DBNull.Value;
            p["$group"].Value = (int)row.KeyGroup;
            await command.ExecuteNonQueryAsync(ct);
            count++;
        }
        await transaction.CommitAsync(ct);
        return count;
    }
}
