using System.Globalization;
using System.Security.Cryptography;
using Cordon.Features.Audit;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Csv;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cordon.Features.Testing;

/// <summary>
/// What a result file did. <see cref="AlreadyImported"/>: this lab sent exactly this file before, so nothing was
/// done. <see cref="Unchanged"/> rows named tubes that already had that very result.
/// </summary>
public sealed record ResultImportReport(
    int Rows, int Applied, int Unchanged, int Rejected, bool AlreadyImported,
    int Negative, int Positive, int Invalid, int PersonResults, int RetestOrders, int CaseCandidates,
    double Seconds, IReadOnlyList<ImportRowError> Errors);

/// <summary>
/// Bulk import of a lab's result file (CSV: <c>barcode,result,ct</c>). Every row is validated first; a file with a bad
/// row applies nothing unless the caller asks for the valid rows only. Idempotent twice over: a file this lab already
/// sent (same SHA-256) is recognised and changes nothing, and a row whose tube already has that result is unchanged.
/// Tubes are read 2,000 barcodes per query and results written set-based (<see cref="ResultWriter"/>), all in one
/// transaction, so 200,000 rows are a few hundred statements, not 200,000 round trips.
/// </summary>
public sealed class ResultImportService(IDbContextFactory<CordonDbContext> factory, CurrentUser user, CityTime time, IOptions<TestingOptions> options, ScreeningEvents events)
{
    public const int MaxRows = 200_000;
    public static readonly string[] Columns = ["barcode", "result", "ct"];

    private sealed record Row(int Number, string Barcode, TubeResult Result, double? Ct);

    private sealed record ParsedFile(int Count, List<Row> Rows, List<ImportRowError> Errors);

    private sealed record TubeState(long Id, string Barcode, int PoolSize, TubeStatus Status, TubeResult Result, double? CtValue, long? BoxId, bool IsRetest);

    public async Task<Outcome<ResultImportReport>> ImportAsync(int? labId, Stream file, bool validOnly, CancellationToken ct = default)
    {
        var started = time.UtcNow;
        if (labId is null) return Outcome<ResultImportReport>.Invalid("labId", "is required");
        await using var db = await factory.CreateDbContextAsync(ct);
        var labArea = await db.Labs.Where(l => l.Id == labId).Select(l => l.AreaCode).FirstOrDefaultAsync(ct);
        if (labArea is null || !user.CanSee(labArea)) return Outcome<ResultImportReport>.Invalid("labId", "is not a lab in your jurisdiction");

        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        var hash = Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        var earlier = await db.ResultImports.AsNoTracking().Where(i => i.LabId == labId && i.FileHash == hash).Select(i => new { i.Rows }).FirstOrDefaultAsync(ct);
        if (earlier is not null) return Outcome<ResultImportReport>.Ok(AlreadyImported(earlier.Rows, started));

        buffer.Position = 0;
        var parsed = Parse(buffer);
        if (!parsed.IsOk) return Outcome<ResultImportReport>.Invalid(parsed.Errors!);
        var (total, rows, errors) = parsed.Value!;

        // Tubes by barcode, 2,000 per query; then the lab of each box they came in.
        var tubes = new Dictionary<string, TubeState>(rows.Count, StringComparer.Ordinal);
        foreach (var chunk in rows.Select(r => r.Barcode).Chunk(ResultWriter.ChunkSize))
        {
            var found = await db.Tubes.AsNoTracking().Where(t => chunk.Contains(t.Barcode))
                .Select(t => new TubeState(t.Id, t.Barcode, t.PoolSize, t.Status, t.Result, t.CtValue, t.BoxId, t.RetestOfTubeId != null))
                .ToListAsync(ct);
            foreach (var t in found) tubes[t.Barcode] = t;
        }
        var boxLabs = new Dictionary<long, int?>();
        foreach (var chunk in tubes.Values.Where(t => t.BoxId is not null).Select(t => t.BoxId!.Value).Distinct().Chunk(ResultWriter.ChunkSize))
        {
            foreach (var b in await db.TransportBoxes.AsNoTracking().Where(b => chunk.Contains(b.Id)).Select(b => new { b.Id, b.LabId }).ToListAsync(ct))
                boxLabs[b.Id] = b.LabId;
        }

        var toApply = new List<TubeResultToApply>(rows.Count);
        var unchanged = 0;
        foreach (var row in rows)
        {
            if (!tubes.TryGetValue(row.Barcode, out var tube)) { errors.Add(new ImportRowError(row.Number, "barcode", "is not a known tube")); continue; }
            var receivedHere = tube.BoxId is { } boxId && boxLabs.GetValueOrDefault(boxId) == labId
                && tube.Status is TubeStatus.Received or TubeStatus.Resulted;
            if (tube.Status == TubeStatus.Voided) { errors.Add(new ImportRowError(row.Number, "barcode", "is a voided tube")); continue; }
            if (!receivedHere) { errors.Add(new ImportRowError(row.Number, "barcode", "is a tube this lab has not received")); continue; }
            var ctValue = row.Result == TubeResult.Positive ? row.Ct : null;
            if (tube.Status == TubeStatus.Resulted)
            {
                if (tube.Result == row.Result && LabService.SameCt(tube.CtValue, ctValue)) unchanged++;
                else errors.Add(new ImportRowError(row.Number, "result", $"differs from the released result {LabService.Describe(tube.Result, tube.CtValue)}"));
                continue;
            }
            toApply.Add(new TubeResultToApply(tube.Id, tube.PoolSize, row.Result, ctValue, tube.IsRetest));
        }
        var rejected = errors.Select(e => e.Row).Distinct().Count();
        if (errors.Count > 0 && !validOnly) return Rejected(errors);

        var now = time.UtcNow;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var applied = await ResultWriter.ApplyAsync(db, toApply, now, now, TimeSpan.FromHours(options.Value.RetestDeadlineHours), ct);
        if (applied is null) return Outcome<ResultImportReport>.Conflict("Some tubes got a result from someone else while this file was being applied; nothing was changed. Send the file again.");
        if (errors.Count == 0)
        {
            // Only a file that applied completely is remembered: a partly applied one may be sent again once its bad rows
            // are fixed (the rows it applied are then unchanged). The interceptor audits this row for the whole batch.
            db.ResultImports.Add(new ResultImport { LabId = labId.Value, FileHash = hash, Rows = total, ImportedAt = now, ImportedBy = user.UserName });
        }
        else
        {
            db.AuditEntries.Add(new AuditEntry
            {
                At = now,
                UserId = user.Id,
                UserName = user.UserName,
                Action = AuditAction.Create,
                Entity = nameof(ResultImport),
                EntityKey = $"lab {labId}",
                Details = $"valid rows only: {applied.Tubes} applied, {unchanged} unchanged, {rejected} rejected",
            });
        }
        try
        {
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same file from the same lab was applied at the same moment by another request (unique lab + hash).
            return Outcome<ResultImportReport>.Ok(AlreadyImported(total, started));
        }
        events.RaiseResultsReleased(new ResultsReleased(toApply.Select(r => r.TubeId).ToList(), now));

        var counts = toApply.GroupBy(r => r.Result).ToDictionary(g => g.Key, g => g.Count());
        return Outcome<ResultImportReport>.Ok(new ResultImportReport(
            total, applied.Tubes, unchanged, rejected, false,
            counts.GetValueOrDefault(TubeResult.Negative), counts.GetValueOrDefault(TubeResult.Positive), counts.GetValueOrDefault(TubeResult.Invalid),
            applied.PersonResults, applied.RetestOrders, applied.CaseCandidates, (time.UtcNow - started).TotalSeconds,
            errors.OrderBy(e => e.Row).ToList()));
    }

    private ResultImportReport AlreadyImported(int rows, DateTime started) =>
        new(rows, 0, rows, 0, true, 0, 0, 0, 0, 0, 0, (time.UtcNow - started).TotalSeconds, []);

    private static Outcome<ResultImportReport> Rejected(List<ImportRowError> errors)
    {
        var fieldErrors = new FieldErrors();
        foreach (var e in errors.OrderBy(e => e.Row).Take(1000)) fieldErrors.Add($"rows[{e.Row}].{e.Field}", e.Message);
        return Outcome<ResultImportReport>.Invalid(fieldErrors);
    }

    /// <summary>"negative", "positive", "invalid" (any case), or the words on a Chinese lab report.</summary>
    internal static TubeResult? ParseResult(string? word) => word?.Trim().ToLowerInvariant() switch
    {
        "negative" or "neg" or "阴性" => TubeResult.Negative,
        "positive" or "pos" or "阳性" => TubeResult.Positive,
        "invalid" or "无效" => TubeResult.Invalid,
        _ => null,
    };

    /// <summary>The well-formed rows and the row errors of the file; a file that is not CSV, or lacks columns, is refused whole.</summary>
    private static Outcome<ParsedFile> Parse(Stream csv)
    {
        using var reader = new StreamReader(csv, detectEncodingFromByteOrderMarks: true);
        var rows = new List<Row>();
        var errors = new List<ImportRowError>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var count = 0;
        try
        {
            using var records = Csv.Read(reader).GetEnumerator();
            if (!records.MoveNext()) return Outcome<ParsedFile>.Invalid("file", "is empty: the first line must name the columns");
            var header = records.Current.Fields.Select(h => h.Trim().TrimStart('\uFEFF')).ToArray();
            var missing = Columns.Take(2).Where(c => !header.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
            if (missing.Count > 0)
                return Outcome<ParsedFile>.Invalid("file", $"lacks the column(s) {string.Join(", ", missing)}; expected header: {string.Join(",", Columns)}");
            var (barcodeAt, resultAt, ctAt) = (Index(header, "barcode"), Index(header, "result"), Index(header, "ct"));
            while (records.MoveNext())
            {
                var (number, fields) = records.Current;
                if (fields.All(string.IsNullOrWhiteSpace)) continue;
                if (++count > MaxRows) return Outcome<ParsedFile>.Invalid("file", $"has more than {MaxRows} rows; split it");
                if (fields.Length > header.Length)
                    return Outcome<ParsedFile>.Invalid("file", $"row {number} has {fields.Length} fields but the header names {header.Length}");
                string Field(int at) => at >= 0 && at < fields.Length ? fields[at].Trim() : "";

                var rowErrors = errors.Count;
                var barcode = TubeCode.Normalize(Field(barcodeAt));
                if (barcode.Length == 0) errors.Add(new ImportRowError(number, "barcode", "is required"));
                else if (!TubeCode.IsWellFormed(barcode)) errors.Add(new ImportRowError(number, "barcode", TubeCode.Rule));
                else if (seen.TryGetValue(barcode, out var first)) errors.Add(new ImportRowError(number, "barcode", $"repeats the tube of row {first}"));
                var result = ParseResult(Field(resultAt));
                if (result is null) errors.Add(new ImportRowError(number, "result", "must be negative, positive or invalid"));
                double? ctValue = null;
                var ctText = Field(ctAt);
                if (ctText.Length > 0)
                {
                    if (!double.TryParse(ctText, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)) errors.Add(new ImportRowError(number, "ct", "must be a decimal number"));
                    else if (!PoolRules.IsPlausibleCt(parsed)) errors.Add(new ImportRowError(number, "ct", "must be a Ct value above 0 and at most 50"));
                    else ctValue = parsed;
                }
                if (errors.Count > rowErrors) continue;
                seen[barcode] = number;
                rows.Add(new Row(number, barcode, result!.Value, ctValue));
            }
            if (count == 0) return Outcome<ParsedFile>.Invalid("file", "has a header but no rows");
        }
        catch (CsvFormatException e)
        {
            return Outcome<ParsedFile>.Invalid("file", $"is not valid CSV: {e.Message}");
        }
        return Outcome<ParsedFile>.Ok(new ParsedFile(count, rows, errors));
    }

    private static int Index(string[] header, string column) => Array.FindIndex(header, h => h.Equals(column, StringComparison.OrdinalIgnoreCase));
}
