using System.Data.Common;
using System.Globalization;
using System.Text;
using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Cordon.Features.Health;

/// <summary>A status to store: <paramref name="Version"/> is the new version (the stored one plus one; 1 for a new row).</summary>
internal sealed record StatusRow(
    long ResidentId, string AreaCode, HealthColour Colour, string Reason, string Popups, DateTime? LastNegativeSampledAt,
    DateTime Since, long Version, DateTime? NextCheckAt, HealthColour? FromColour, bool Changed);

/// <summary>
/// Writes computed statuses without the change tracker: an upsert that only replaces a row still at the version it was
/// computed from (optimistic; a row someone else changed meanwhile is returned as skipped and recomputed by the caller),
/// then the history of the rows whose colour, reason or popups changed. On PostgreSQL the whole batch is one statement
/// over eleven array parameters (<c>unnest</c>), the upsert and the history in data-modifying CTEs (ADR 014); on SQLite
/// a multi-row upsert per chunk of <see cref="ChunkSize"/> rows in one transaction (INSERT … ON CONFLICT … DO UPDATE …
/// WHERE … RETURNING).
/// </summary>
internal static class HealthStatusWriter
{
    /// <summary>Rows per SQLite statement: 10 parameters each, far below its limit.</summary>
    public const int ChunkSize = 500;

    private const string Columns = "\"ResidentId\", \"AreaCode\", \"Colour\", \"Reason\", \"Popups\", \"LastNegativeSampledAt\", \"Since\", \"Version\", \"UpdatedAt\", \"NextCheckAt\"";

    /// <summary>Stores the rows; returns the ids skipped because their row changed under us.</summary>
    public static async Task<IReadOnlyList<long>> WriteAsync(CordonDbContext db, IReadOnlyList<StatusRow> rows, string source, DateTime now, CancellationToken ct)
    {
        if (rows.Count == 0) return [];
        if (db.IsPostgres) return await WriteArraysAsync(db, rows, source, now, ct);
        var skipped = new List<long>();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var connection = db.Database.GetDbConnection();
            await using var transaction = await connection.BeginTransactionAsync(ct);
            foreach (var chunk in rows.Chunk(ChunkSize))
            {
                var written = await UpsertAsync(connection, transaction, chunk, now, ct);
                skipped.AddRange(chunk.Where(r => !written.Contains(r.ResidentId)).Select(r => r.ResidentId));
                var changes = chunk.Where(r => r.Changed && written.Contains(r.ResidentId)).ToList();
                if (changes.Count > 0) await AppendHistoryAsync(connection, transaction, changes, source, now, ct);
            }
            await transaction.CommitAsync(ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        return skipped;
    }

    /// <summary>One statement, one round trip, eleven parameters whatever the number of rows.</summary>
    private static async Task<IReadOnlyList<long>> WriteArraysAsync(CordonDbContext db, IReadOnlyList<StatusRow> rows, string source, DateTime now, CancellationToken ct)
    {
        const string Sql = """
            WITH input AS (
                SELECT * FROM unnest(@id, @area, @colour, @reason, @popups, @negative, @since, @version, @next, @from, @changed)
                    AS t("ResidentId", "AreaCode", "Colour", "Reason", "Popups", "LastNegativeSampledAt", "Since", "Version", "NextCheckAt", "FromColour", "Changed")
            ), written AS (
                INSERT INTO "HealthStatuses" ("ResidentId", "AreaCode", "Colour", "Reason", "Popups", "LastNegativeSampledAt", "Since", "Version", "UpdatedAt", "NextCheckAt", "OverrideClearsPopups")
                SELECT "ResidentId", "AreaCode", "Colour", "Reason", "Popups", "LastNegativeSampledAt", "Since", "Version", @now, "NextCheckAt", FALSE FROM input
                ON CONFLICT ("ResidentId") DO UPDATE SET "AreaCode" = excluded."AreaCode", "Colour" = excluded."Colour", "Reason" = excluded."Reason",
                    "Popups" = excluded."Popups", "LastNegativeSampledAt" = excluded."LastNegativeSampledAt", "Since" = excluded."Since",
                    "Version" = excluded."Version", "UpdatedAt" = excluded."UpdatedAt", "NextCheckAt" = excluded."NextCheckAt"
                WHERE "HealthStatuses"."Version" = excluded."Version" - 1
                RETURNING "ResidentId"
            ), history AS (
                INSERT INTO "HealthStatusChanges" ("ResidentId", "FromColour", "ToColour", "Reason", "Popups", "Source", "At")
                SELECT i."ResidentId", i."FromColour", i."Colour", i."Reason", i."Popups", @source, @now
                FROM input i JOIN written w ON w."ResidentId" = i."ResidentId" WHERE i."Changed"
            )
            SELECT "ResidentId" FROM written
            """;
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = (NpgsqlCommand)db.Database.GetDbConnection().CreateCommand();
            command.CommandText = Sql;
            var p = command.Parameters;
            p.Add(new NpgsqlParameter("id", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = rows.Select(r => r.ResidentId).ToArray() });
            p.Add(new NpgsqlParameter("area", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.AreaCode).ToArray() });
            p.Add(new NpgsqlParameter("colour", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = rows.Select(r => (int)r.Colour).ToArray() });
            p.Add(new NpgsqlParameter("reason", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Reason).ToArray() });
            p.Add(new NpgsqlParameter("popups", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Popups).ToArray() });
            p.Add(new NpgsqlParameter("negative", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = rows.Select(r => Utc(r.LastNegativeSampledAt)).ToArray() });
            p.Add(new NpgsqlParameter("since", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = rows.Select(r => Utc(r.Since)).ToArray() });
            p.Add(new NpgsqlParameter("version", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = rows.Select(r => r.Version).ToArray() });
            p.Add(new NpgsqlParameter("next", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = rows.Select(r => Utc(r.NextCheckAt)).ToArray() });
            p.Add(new NpgsqlParameter("from", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = rows.Select(r => (int?)r.FromColour).ToArray() });
            p.Add(new NpgsqlParameter("changed", NpgsqlDbType.Array | NpgsqlDbType.Boolean) { Value = rows.Select(r => r.Changed).ToArray() });
            p.Add(new NpgsqlParameter("source", NpgsqlDbType.Text) { Value = source });
            p.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = DateTime.SpecifyKind(now, DateTimeKind.Utc) });
            var written = new HashSet<long>(rows.Count);
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct)) written.Add(reader.GetInt64(0));
            }
            return rows.Where(r => !written.Contains(r.ResidentId)).Select(r => r.ResidentId).ToList();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static DateTime? Utc(DateTime? value) => value is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null;

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);

    private static async Task<HashSet<long>> UpsertAsync(DbConnection connection, DbTransaction transaction, StatusRow[] rows, DateTime now, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var sql = new StringBuilder($"INSERT INTO \"HealthStatuses\" ({Columns}, \"OverrideClearsPopups\") VALUES ");
        for (var i = 0; i < rows.Length; i++)
        {
            var r = rows[i];
            if (i > 0) sql.Append(", ");
            sql.Append('(');
            Values(command, sql, i, r.ResidentId, r.AreaCode, (int)r.Colour, r.Reason, r.Popups, r.LastNegativeSampledAt, r.Since, r.Version, now, r.NextCheckAt);
            sql.Append(", FALSE)");
        }
        sql.Append("""
             ON CONFLICT ("ResidentId") DO UPDATE SET "AreaCode" = excluded."AreaCode", "Colour" = excluded."Colour", "Reason" = excluded."Reason",
             "Popups" = excluded."Popups", "LastNegativeSampledAt" = excluded."LastNegativeSampledAt", "Since" = excluded."Since",
             "Version" = excluded."Version", "UpdatedAt" = excluded."UpdatedAt", "NextCheckAt" = excluded."NextCheckAt"
             WHERE "HealthStatuses"."Version" = excluded."Version" - 1
             RETURNING "ResidentId"
            """);
        command.CommandText = sql.ToString();
        var written = new HashSet<long>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) written.Add(reader.GetInt64(0));
        return written;
    }

    private static async Task AppendHistoryAsync(DbConnection connection, DbTransaction transaction, List<StatusRow> rows, string source, DateTime now, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var sql = new StringBuilder("INSERT INTO \"HealthStatusChanges\" (\"ResidentId\", \"FromColour\", \"ToColour\", \"Reason\", \"Popups\", \"Source\", \"At\") VALUES ");
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            if (i > 0) sql.Append(", ");
            sql.Append('(');
            Values(command, sql, i, r.ResidentId, r.FromColour is { } from ? (int)from : null, (int)r.Colour, r.Reason, r.Popups, source, now);
            sql.Append(')');
        }
        command.CommandText = sql.ToString();
        await command.ExecuteNonQueryAsync(ct);
    }

    private static void Values(DbCommand command, StringBuilder sql, int row, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"@p{row}_{i}");
            if (i > 0) sql.Append(", ");
            sql.Append(name);
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = values[i] ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
    }
}
