using System.Globalization;
using System.Text.RegularExpressions;
using Cordon.Infrastructure.Web;
using Microsoft.AspNetCore.Components;

namespace Cordon.Features.Registry.Pages;

public partial class ImportPage
{
    private const int MaxErrorsShown = 500;
    private ImportResult? result;

    [CascadingParameter] private HttpContext HttpContext { get; set; } = default!;

    /// <summary>What one upload came to: a report (something was imported), or the reasons nothing was.</summary>
    private sealed record ImportResult(string Kind, string? FileName, ImportReport? Report, string? FileError, IReadOnlyList<ImportRowError> Errors);

    private Task ImportResidentsAsync() => RunAsync("residents", Import.ImportResidentsAsync);

    private Task ImportVenuesAsync() => RunAsync("venues", Import.ImportVenuesAsync);

    private async Task RunAsync(string kind, Func<Stream, bool, CancellationToken, Task<Outcome<ImportReport>>> import)
    {
        var form = await HttpContext.Request.ReadFormAsync(HttpContext.RequestAborted);
        var file = form.Files.GetFile("file");
        if (file is null || file.Length == 0)
        {
            result = new ImportResult(kind, file?.FileName, null, "is required", []);
            return;
        }
        var validOnly = form["validOnly"] == "true";
        await using var stream = file.OpenReadStream();
        var outcome = await import(stream, validOnly, HttpContext.RequestAborted);
        if (outcome.IsOk)
        {
            result = new ImportResult(kind, file.FileName, outcome.Value, null, outcome.Value!.Errors);
            return;
        }
        var fields = outcome.Errors?.ToDictionary() ?? [];
        var fileError = fields.TryGetValue("file", out var messages) ? messages[0] : outcome.Message;
        result = new ImportResult(kind, file.FileName, null, fileError, RowErrors(fields));
    }

    /// <summary>An all-or-nothing rejection reports its rows as "rows[12].idNumber"; the table wants row, field and message.</summary>
    private static List<ImportRowError> RowErrors(Dictionary<string, string[]> fields) =>
        fields.Select(f => (Match: RowKeyPattern.Match(f.Key), f.Value))
            .Where(f => f.Match.Success)
            .SelectMany(f => f.Value.Select(m => new ImportRowError(int.Parse(f.Match.Groups[1].Value, CultureInfo.InvariantCulture), f.Match.Groups[2].Value, m)))
            .OrderBy(e => e.Row)
            .ToList();

    private static string Template(string[] columns) =>
        "data:text/csv;charset=utf-8," + Uri.EscapeDataString(string.Join(",", columns) + "\r\n");

    private static readonly Regex RowKeyPattern = new(@"^rows\[(\d+)\]\.(.+)$", RegexOptions.Compiled);
}
