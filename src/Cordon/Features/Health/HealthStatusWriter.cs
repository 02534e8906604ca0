using System.Data.Common;
using System.Globalization;
using System.Text;
using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Health;

/// <summary>A status to store: <paramref name="Version"/> is the new version (the stored one plus one; 1 for a new row).</summary>
internal sealed record StatusRow(
    long ResidentId, string AreaCode, HealthColour Colour, string Reason, string Popups, DateTime? LastNegativeSampledAt,
    DateTime Since, long Version, DateTime? NextCheckAt, HealthColour? FromColour, bool Changed);

/// <summary>
/// Writes computed statuses without the change tracker: a multi-row upsert per chunk that only replaces a row still at
/// the version it was computed from (optimistic; a row someone else changed meanwhile is returned as skipped and
/// recomputed by the caller), then the history of the rows whose colour, reason or popups changed. The SQL is plain
/// (INSERT … ON CONFLICT … DO UPDATE … WHERE … RETURNING), the same text on SQLite and PostgreSQL.
/// </summary>
internal static class HealthStatusWriter
{
    /// <summary>Rows per statement: 10 parameters each, far below either provider's limit.</summary>
    public const int ChunkSize = 500;

    private const string Columns = "\"ResidentId\", \"AreaCode\", \"Colour\", \"Reason\", \"Popups\", \"LastNegativeSampledAt\", \"Since\", \"Version\", \"UpdatedAt\", \"NextCheckAt\"";

    /// <summary>Stores the rows; returns the ids skipped because their row changed under us.</summary>
    public static async Task<IReadOnlyList<long>> WriteAsync(CordonDbContext db, IReadOnlyList<StatusRow> rows, string source, DateTime now, CancellationToken ct)
    {
        if (rows.Count == 0) return [];
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
