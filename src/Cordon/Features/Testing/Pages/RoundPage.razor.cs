using System.Globalization;
using System.Text.Json;
using Cordon.Components.Shared;
using Cordon.Features.Identity;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Web;
using Microsoft.AspNetCore.Components;

namespace Cordon.Features.Testing.Pages;

public partial class RoundPage
{
    private const int PageSize = 50;

    private RoundDto? round;
    private Coverage? coverage;
    private Page<UntestedResident>? untested;
    private IReadOnlyList<AreaDto> path = [];
    private IReadOnlyDictionary<string, string> areaNames = new Dictionary<string, string>();
    private string? areaName;
    private FormErrors errors = FormErrors.None;
    private FormErrors untestedErrors = FormErrors.None;

    [CascadingParameter] private HttpContext HttpContext { get; set; } = default!;

    [Parameter] public int Id { get; set; }

    /// <summary>The area whose children the coverage table shows (none: the round's own areas).</summary>
    [SupplyParameterFromQuery(Name = "parent")] private string? Parent { get; set; }
    /// <summary>The community or building whose untested residents are listed.</summary>
    [SupplyParameterFromQuery(Name = "area")] private string? Area { get; set; }
    [SupplyParameterFromQuery(Name = "after")] private string? After { get; set; }
    [SupplyParameterFromQuery(Name = "opened")] private string? Opened { get; set; }
    [SupplyParameterFromQuery(Name = "closed")] private string? Closed { get; set; }

    private bool CanClose =>
        round is { Status: RoundStatus.Open } && User.IsInAnyRole([Roles.Commander, Roles.Admin]) && Rounds.CanManage(round);

    protected override async Task OnParametersSetAsync()
    {
        round = await Rounds.GetAsync(Id);
        if (round is null) return;
        areaNames = await Rounds.AreaNamesAsync(round.AreaCodes);
        var parent = string.IsNullOrWhiteSpace(Parent) ? null : Parent.Trim();
        var outcome = await Coverages.ForRoundAsync(Id, parent);
        if (!outcome.IsOk && parent is not null)
        {
            // A drill-down link outside the round (or the jurisdiction): show the round's own areas instead.
            errors = ScreeningMessages.Errors(T, outcome);
            outcome = await Coverages.ForRoundAsync(Id, null);
        }
        coverage = outcome.Value;
        // The breadcrumb starts at the round's own areas: above them there is nothing more to see.
        if (coverage?.Parent is { } shown)
        {
            path = (await Areas.PathAsync(shown))
                .Where(a => round.AreaCodes.Any(c => a.Code.StartsWith(AreaCode.PrefixOf(c), StringComparison.Ordinal))).ToList();
        }

        var area = string.IsNullOrWhiteSpace(Area) ? null : Area.Trim();
        if (area is null) return;
        var list = await Rounds.UntestedAsync(Id, area, After, PageSize);
        untestedErrors = ScreeningMessages.Errors(T, list);
        untested = list.Value;
        areaName = (await Rounds.AreaNamesAsync([area])).GetValueOrDefault(area);
    }

    private async Task CloseAsync()
    {
        var outcome = await Rounds.CloseAsync(Id, HttpContext.RequestAborted);
        if (outcome.IsOk)
        {
            Navigation.NavigateTo($"testing/rounds/{Id}?closed=1");
            return;
        }
        errors = ScreeningMessages.Errors(T, outcome);
        round = await Rounds.GetAsync(Id);
    }

    private string CsvLink => $"api/v1/rounds/{Id}/coverage.csv" + (coverage?.Parent is { } p ? "?parent=" + p : "");

    /// <summary>Rows for the chart: name, sampled, not yet sampled, and the drill-down link.</summary>
    private string ChartJson => JsonSerializer.Serialize(coverage!.Rows.Select(r => new
    {
        name = r.Name ?? r.AreaCode,
        sampled = r.Sampled,
        untested = Math.Max(0, r.Required - r.Sampled),
        percent = r.SampledPercent,
        href = r.AreaCode.Length < 15 && r.AreaCode != coverage.Parent ? ThisLink(r.AreaCode, null) : null,
    }));

    private string ThisLink(string? parent, string? area, string? after = null)
    {
        var query = new List<string>();
        if (parent is not null) query.Add("parent=" + Uri.EscapeDataString(parent));
        if (area is not null) query.Add("area=" + Uri.EscapeDataString(area));
        if (after is not null) query.Add("after=" + Uri.EscapeDataString(after));
        return $"testing/rounds/{Id}" + (query.Count > 0 ? "?" + string.Join("&", query) : "");
    }

    private string Local(DateTime utc) => Time.ToLocal(utc).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string Percent(double value) => value.ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Css(double percent) => Math.Clamp(percent, 0, 100).ToString("0.#", CultureInfo.InvariantCulture);

    private string AreaList(IEnumerable<string> codes) =>
        string.Join("、", codes.Select(c => areaNames.TryGetValue(c, out var name) ? name : c));

    private string GroupList(IReadOnlyList<KeyGroup> groups) =>
        groups.Count == 0 ? T["Round_Everyone"] : string.Join("、", groups.Select(g => T["KeyGroup_" + g].Value));
}
