using System.Globalization;
using System.Text.RegularExpressions;
using Cordon.Components.Shared;
using Cordon.Features.Registry;
using Microsoft.AspNetCore.Components;

namespace Cordon.Features.Testing.Pages;

/// <summary>
/// The lab console: receive a box by scanning it, enter a tube's result, upload a result file. Receipt and single
/// entry redirect back with a notice (post-redirect-get); an upload shows its report on the page it answers.
/// </summary>
public partial class LabPage
{
    private const int MaxErrorsShown = 500;
    private static readonly string[] Notices = ["received", "released", "unchanged"];

    private IReadOnlyList<LabDesk> desks = [];
    private FormErrors errors = FormErrors.None;
    private UploadReport? report;

    /// <summary>What one upload came to: a report (something was applied or the file was known), or why nothing was.</summary>
    private sealed record UploadReport(string? FileName, ResultImportReport? Report, string? FileError, IReadOnlyList<ImportRowError> Errors, string ErrorField = "file");

    [CascadingParameter] private HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "done")] private string? Done { get; set; }
    [SupplyParameterFromQuery(Name = "what")] private string? DoneWhat { get; set; }
    [SupplyParameterFromQuery(Name = "n")] private int? DoneCount { get; set; }

    [SupplyParameterFromForm(FormName = "box-receive", Name = "code")] private string? ReceiveCode { get; set; }
    [SupplyParameterFromForm(FormName = "result-enter", Name = "barcode")] private string? ResultBarcode { get; set; }
    [SupplyParameterFromForm(FormName = "result-enter", Name = "result")] private string? ResultKind { get; set; }
    [SupplyParameterFromForm(FormName = "result-enter", Name = "ct")] private string? ResultCt { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        if (Done is not null && !Notices.Contains(Done)) Done = null;
        desks = await Lab.DesksAsync();
    }

    private async Task ReceiveAsync()
    {
        var outcome = await Boxes.ReceiveAsync(ReceiveCode ?? "");
        errors = FormErrors.From(outcome);
        if (outcome.IsOk) Navigation.NavigateTo($"testing/lab?done=received&what={Uri.EscapeDataString(outcome.Value!.Code)}&n={outcome.Value.Tubes}");
    }

    private async Task EnterAsync()
    {
        double? ct = null;
        if (!string.IsNullOrWhiteSpace(ResultCt))
        {
            if (!double.TryParse(ResultCt.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                errors = FormErrors.Field("ct", "must be a decimal number");
                return;
            }
            ct = value;
        }
        TubeResult? result = Enum.TryParse<TubeResult>(ResultKind, out var parsed) ? parsed : null;
        var outcome = await Lab.EnterResultAsync(ResultBarcode ?? "", new ResultInput(result, ct, null));
        errors = outcome.Kind == Infrastructure.Web.OutcomeKind.NotFound ? FormErrors.Field("barcode", "is a tube this lab has not received") : FormErrors.From(outcome);
        if (outcome.IsOk)
        {
            var entry = outcome.Value!;
            Navigation.NavigateTo($"testing/lab?done={(entry.Unchanged ? "unchanged" : "released")}&what={Uri.EscapeDataString(entry.Barcode)}&n={entry.People}");
        }
    }

    private async Task ImportAsync()
    {
        var form = await HttpContext.Request.ReadFormAsync(HttpContext.RequestAborted);
        var file = form.Files.GetFile("file");
        if (file is null || file.Length == 0)
        {
            report = new UploadReport(file?.FileName, null, "is required", []);
            return;
        }
        int? labId = int.TryParse(form["labId"], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
        await using var stream = file.OpenReadStream();
        var outcome = await Import.ImportAsync(labId, stream, form["validOnly"] == "true", HttpContext.RequestAborted);
        if (outcome.IsOk)
        {
            report = new UploadReport(file.FileName, outcome.Value, null, outcome.Value!.Errors);
            return;
        }
        var fields = outcome.Errors?.ToDictionary() ?? [];
        var (field, fileError) = fields.TryGetValue("labId", out var lab) ? ("labId", lab[0])
            : fields.TryGetValue("file", out var messages) ? ("file", messages[0])
            : ("file", outcome.Message);
        report = new UploadReport(file.FileName, null, fileError, RowErrors(fields), field);
    }

    /// <summary>An all-or-nothing rejection reports its rows as "rows[12].barcode"; the table wants row, field and message.</summary>
    private static List<ImportRowError> RowErrors(Dictionary<string, string[]> fields) =>
        fields.Select(f => (Match: RowKey().Match(f.Key), f.Value))
            .Where(f => f.Match.Success)
            .SelectMany(f => f.Value.Select(m => new ImportRowError(int.Parse(f.Match.Groups[1].Value, CultureInfo.InvariantCulture), f.Match.Groups[2].Value, m)))
            .OrderBy(e => e.Row)
            .ToList();

    private string Local(DateTime? utc) => utc is { } value ? Time.ToLocal(value).ToString("MM-dd HH:mm", CultureInfo.InvariantCulture) : "";

    [GeneratedRegex(@"^rows\[(\d+)\]\.(.+)$")]
    private static partial Regex RowKey();
}
