using Cordon.Components.Shared;
using Cordon.Infrastructure.Csv;
using Cordon.Infrastructure.Web;
using Cordon.Resources;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;

namespace Cordon.Features.Scans.Pages;

/// <summary>
/// A terminal's CSV export uploaded for a venue: split into batches and sent through the batch ingest (ADR 015); every
/// row's result is shown, rejected rows first.
/// </summary>
public partial class ScanUploadPage
{
    public static readonly string[] Columns = ["clientId", "scannedAt", "idNumber", "pass"];
    public const int MaxRows = 20_000;
    private const int MaxShown = 1_000;

    private static readonly Dictionary<string, string> Messages = new(StringComparer.Ordinal)
    {
        ["must be a UUID"] = "ScanUpload_MsgUuid",
        ["appears more than once in this batch"] = "ScanUpload_MsgDuplicate",
        ["is in the future: check the terminal's clock"] = "ScanUpload_MsgFuture",
        ["an ID number or a pass is required"] = "ScanUpload_MsgNoPerson",
        ["no registered resident has this ID number"] = "ScanUpload_MsgUnknownId",
        ["belongs to another person than the ID number"] = "ScanUpload_MsgOtherPerson",
    };

    private sealed record UploadRow(int Row, ScanBatchItemResult Item);
    private sealed record Result(string VenueName, int Recorded, int AlreadyRecorded, int Rejected, List<UploadRow> Rows);

    private string? venueCode;
    private string? fileName;
    private string? error;
    private Result? result;

    [Inject] private ScanBatchService Batches { get; set; } = default!;
    [CascadingParameter] private HttpContext HttpContext { get; set; } = default!;

    private static string Template => "data:text/csv;charset=utf-8," + Uri.EscapeDataString(string.Join(",", Columns) + "\r\n");

    /// <summary>The item's message in the user's language: the upload's own wording here, the shared wording (ID number, required…) there.</summary>
    internal static string Message(IStringLocalizer<Strings> t, string message)
    {
        if (Messages.TryGetValue(message, out var key)) return t[key];
        var colon = message.IndexOf(": ", StringComparison.Ordinal);
        if (message.StartsWith("is older than the retention period", StringComparison.Ordinal)) return t["ScanUpload_MsgTooOld"];
        if (message.StartsWith("must be an ISO 8601 time", StringComparison.Ordinal)) return t["ScanUpload_MsgTime"];
        // A pass outcome: "bad-signature: the signature does not match…".
        if (colon > 0 && message[..colon].All(c => char.IsAsciiLetterLower(c) || c == '-')) return t["ScanUpload_MsgPass", message[..colon]];
        return ErrorText.Localize(t, message);
    }

    private async Task UploadAsync()
    {
        var form = await HttpContext.Request.ReadFormAsync(HttpContext.RequestAborted);
        venueCode = form["venueCode"].ToString();
        var file = form.Files.GetFile("file");
        fileName = file?.FileName;
        if (file is null || file.Length == 0) { error = T["ScanUpload_NoFile"]; return; }
        List<(int Row, ScanBatchItemInput Item)> rows;
        try
        {
            using var reader = new StreamReader(file.OpenReadStream());
            rows = ReadRows(reader);
        }
        catch (CsvFormatException e)
        {
            error = T["ScanUpload_NotCsv", e.Row];
            return;
        }
        catch (InvalidDataException e)
        {
            error = e.Message == "columns" ? T["ScanUpload_Columns", string.Join(",", Columns)] : T["ScanUpload_TooManyRows", MaxRows];
            return;
        }
        if (rows.Count == 0) { error = T["ScanUpload_NoRows"]; return; }

        var results = new List<UploadRow>(rows.Count);
        string? venueName = null;
        foreach (var chunk in rows.Chunk(ScanBatchService.MaxItems))
        {
            var outcome = await Batches.IngestAsync(new ScanBatchInput(venueCode, chunk.Select(r => r.Item).ToList()), HttpContext.RequestAborted);
            if (!outcome.IsOk)
            {
                error = outcome.Kind == OutcomeKind.NotFound ? T["ScanUpload_UnknownVenue"] : T["ScanUpload_VenueRequired"];
                if (results.Count == 0) return;
                break;
            }
            venueName = outcome.Value!.VenueName;
            results.AddRange(outcome.Value.Items.Select(i => new UploadRow(chunk[i.Index].Row, i)));
        }
        result = new Result(venueName!, results.Count(r => r.Item.Outcome == ScanItemOutcome.Recorded),
            results.Count(r => r.Item.Outcome == ScanItemOutcome.AlreadyRecorded), results.Count(r => r.Item.Outcome == ScanItemOutcome.Rejected),
            results.OrderBy(r => r.Item.Outcome == ScanItemOutcome.Rejected ? 0 : 1).ThenBy(r => r.Row).ToList());
    }

    /// <summary>The rows under a header naming the columns (in any order, any case); blank lines are skipped.</summary>
    private static List<(int Row, ScanBatchItemInput Item)> ReadRows(TextReader reader)
    {
        var rows = new List<(int, ScanBatchItemInput)>();
        int[]? at = null;
        foreach (var (row, fields) in Csv.Read(reader))
        {
            if (at is null)
            {
                var header = fields.Select(f => f.Trim().TrimStart('\uFEFF')).ToList();
                at = Columns.Select(c => header.FindIndex(h => h.Equals(c, StringComparison.OrdinalIgnoreCase))).ToArray();
                if (at[0] < 0 || at[1] < 0 || (at[2] < 0 && at[3] < 0)) throw new InvalidDataException("columns");
                continue;
            }
            if (fields.All(string.IsNullOrWhiteSpace)) continue;
            if (rows.Count == MaxRows) throw new InvalidDataException("rows");
            string? Field(int i) => at[i] >= 0 && at[i] < fields.Length && fields[at[i]].Trim() is { Length: > 0 } v ? v : null;
            rows.Add((row, new ScanBatchItemInput(Field(0), Field(1), Field(2), Field(3))));
        }
        return rows;
    }
}
