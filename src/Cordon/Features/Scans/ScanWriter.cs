using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Cordon.Infrastructure.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Cordon.Features.Scans;

/// <summary>
/// Writes check-ins in batches (group commit). A request hands its check-in to a bounded channel and waits until the
/// batch holding it is committed: one insert of up to <see cref="ScansOptions.FlushRows"/> rows — what is waiting, and,
/// while another insert runs, what arrives within <see cref="ScansOptions.FlushMilliseconds"/> of the first — instead
/// of one insert per check-in. So the resident's
/// answer means "stored" (durable), while the database sees few, large statements. A resent check-in (same resident
/// and client id) is skipped by the database, and its caller is told it was already stored.
/// </summary>
public sealed partial class ScanWriter(IServiceScopeFactory scopes, IOptions<ScansOptions> options, ILogger<ScanWriter> log)
    : BackgroundService
{
    private sealed record Pending(Scan Scan, TaskCompletionSource<bool> Stored);

    private readonly ScansOptions _options = options.Value;
    /// <summary>Inserts running now (0 to <see cref="ScansOptions.Writers"/>).</summary>
    private int _inserting;
    private readonly Channel<Pending> _channel = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(options.Value.BufferCapacity) { SingleWriter = false, SingleReader = false, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Stores a check-in with the next batch; true when it was new, false when it had been stored before.</summary>
    public async Task<bool> WriteAsync(Scan scan, CancellationToken ct = default)
    {
        var pending = new Pending(scan, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _channel.Writer.WriteAsync(pending, ct);
        // The batch is written whatever this caller does; it only stops waiting for the answer.
        return await pending.Stored.Task.WaitAsync(ct);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, _options.Writers).Select(_ => Task.Run(() => WriteLoopAsync(stoppingToken), CancellationToken.None)));

    private async Task WriteLoopAsync(CancellationToken stoppingToken)
    {
        var reader = _channel.Reader;
        var batch = new List<Pending>(_options.FlushRows);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < _options.FlushRows && reader.TryRead(out var item)) batch.Add(item);
                if (batch.Count == 0) continue;
                // Waiting for more only pays while another insert is running (the database is busy anyway): an idle
                // writer writes at once, so a check-in at a quiet moment is not held for the whole window.
                if (batch.Count < _options.FlushRows && _options.FlushMilliseconds > 0 && Volatile.Read(ref _inserting) > 0)
                    await GatherAsync(reader, batch, stoppingToken);
                Interlocked.Increment(ref _inserting);
                try
                {
                    await FlushAsync(batch);
                }
                finally
                {
                    Interlocked.Decrement(ref _inserting);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still buffered is written below, so no acknowledged caller is left waiting.
        }
        batch.Clear();
        while (reader.TryRead(out var item))
        {
            batch.Add(item);
            if (batch.Count == _options.FlushRows) { await FlushAsync(batch); batch.Clear(); }
        }
        if (batch.Count > 0) await FlushAsync(batch);
    }

    /// <summary>More check-ins for the batch until it is full or the flush interval has passed since the first.</summary>
    private async Task GatherAsync(ChannelReader<Pending> reader, List<Pending> batch, CancellationToken stoppingToken)
    {
        using var window = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        window.CancelAfter(_options.FlushMilliseconds);
        try
        {
            while (batch.Count < _options.FlushRows && await reader.WaitToReadAsync(window.Token))
            {
                while (batch.Count < _options.FlushRows && reader.TryRead(out var item)) batch.Add(item);
            }
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The window closed: write what there is.
        }
    }

    private async Task FlushAsync(List<Pending> batch)
    {
        try
        {
            var stored = await InsertAsync(batch.Select(p => p.Scan).ToList());
            foreach (var p in batch) p.Stored.TrySetResult(stored.Contains((p.Scan.ResidentId, p.Scan.ClientId)));
        }
        catch (Exception e)
        {
            LogFlushFailed(log, batch.Count, e.GetType().Name);
            foreach (var p in batch) p.Stored.TrySetException(new ScanNotStoredException(e));
        }
    }

    /// <summary>Inserts the rows, skipping those already stored; returns the keys of the rows it inserted.</summary>
    internal async Task<HashSet<(long, Guid)>> InsertAsync(IReadOnlyList<Scan> scans, CancellationToken ct = default)
    {
        // The context factory is scoped (it carries the audit interceptor): a singleton opens a scope per use.
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync(ct);
        await db.Database.OpenConnectionAsync(ct);
        return db.Database.GetDbConnection() switch
        {
            NpgsqlConnection pg => await InsertPostgresAsync(pg, scans, ct),
            SqliteConnection sqlite => await InsertSqliteAsync(sqlite, scans, ct),
            var other => throw new NotSupportedException($"No batch insert for {other.GetType().Name}."),
        };
    }

    private const string Columns = """("ResidentId", "ClientId", "ScannedAt", "VenueId", "AreaCode", "Decision", "Reason")""";

    /// <summary>One statement for the whole batch: the columns as arrays, unnested into rows.</summary>
    private static async Task<HashSet<(long, Guid)>> InsertPostgresAsync(NpgsqlConnection connection, IReadOnlyList<Scan> scans, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            INSERT INTO "Scans" {Columns}
            SELECT * FROM unnest($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT DO NOTHING
            RETURNING "ResidentId", "ClientId"
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = scans.Select(s => s.ResidentId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = scans.Select(s => s.ClientId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = scans.Select(s => s.ScannedAt).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = scans.Select(s => s.VenueId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter { Value = scans.Select(s => s.AreaCode).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        command.Parameters.Add(new NpgsqlParameter { Value = scans.Select(s => (int)s.Decision).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter { Value = scans.Select(s => (int)s.Reason).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        var stored = new HashSet<(long, Guid)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) stored.Add((reader.GetInt64(0), reader.GetGuid(1)));
        return stored;
    }

    /// <summary>Multi-row INSERTs of 500 rows in one transaction (SQLite allows 32,766 parameters a statement).</summary>
    private static async Task<HashSet<(long, Guid)>> InsertSqliteAsync(SqliteConnection connection, IReadOnlyList<Scan> scans, CancellationToken ct)
    {
        var stored = new HashSet<(long, Guid)>();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        foreach (var chunk in scans.Chunk(500))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var sql = new StringBuilder($"INSERT INTO \"Scans\" {Columns} VALUES ");
            for (var i = 0; i < chunk.Length; i++)
            {
                var s = chunk[i];
                if (i > 0) sql.Append(',');
                // Numbers are inlined; the id, time and area code are parameters, in the text form EF Core reads back.
                sql.Append(CultureInfo.InvariantCulture, $"({s.ResidentId}, $c{i}, $t{i}, {s.VenueId}, $a{i}, {(int)s.Decision}, {(int)s.Reason})");
                command.Parameters.AddWithValue($"$c{i}", s.ClientId.ToString().ToUpperInvariant());
                command.Parameters.AddWithValue($"$t{i}", s.ScannedAt.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));
                command.Parameters.AddWithValue($"$a{i}", s.AreaCode);
            }
            sql.Append(" ON CONFLICT DO NOTHING RETURNING \"ResidentId\", \"ClientId\"");
            command.CommandText = sql.ToString();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) stored.Add((reader.GetInt64(0), Guid.Parse(reader.GetString(1))));
        }
        await transaction.CommitAsync(ct);
        return stored;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of {Count} check-ins could not be stored ({Error}); their requests answer 503")]
    private static partial void LogFlushFailed(ILogger logger, int count, string error);
}

/// <summary>The batch holding a check-in could not be written; the client may send it again (same client id).</summary>
public sealed class ScanNotStoredException(Exception inner) : Exception("The check-in could not be stored.", inner);
