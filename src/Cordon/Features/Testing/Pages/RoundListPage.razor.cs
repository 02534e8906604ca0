using System.Globalization;
using Cordon.Components.Shared;
using Cordon.Features.Identity;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Web;
using Microsoft.AspNetCore.Components;

namespace Cordon.Features.Testing.Pages;

public partial class RoundListPage
{
    private const int PageSize = 20;
    private static readonly (string? Value, string Label)[] Filters = [(null, "All"), ("Open", "RoundStatus_Open"), ("Closed", "RoundStatus_Closed")];

    private Page<RoundDto>? page;
    private IReadOnlyDictionary<string, string> areaNames = new Dictionary<string, string>();
    private FormErrors listErrors = FormErrors.None;
    private FormErrors errors = FormErrors.None;
    private OpenForm form = new();

    [CascadingParameter] private HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "status")] private string? Status { get; set; }
    [SupplyParameterFromQuery(Name = "after")] private string? After { get; set; }

    private bool CanOpen => User.IsInAnyRole([Roles.Commander, Roles.Admin]);

    protected override async Task OnParametersSetAsync()
    {
        if (HttpMethods.IsGet(HttpContext.Request.Method))
        {
            // Start now (to the minute), end a day later: the 24-hour target of an area screening round.
            var now = Time.LocalNow;
            var start = new DateTime(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0);
            form = new OpenForm { StartsAt = Input(start), EndsAt = Input(start.AddDays(1)) };
        }
        RoundStatus? status = Enum.TryParse<RoundStatus>(Status, out var s) ? s : null;
        var outcome = await Rounds.ListAsync(status, After, PageSize);
        listErrors = FormErrors.From(outcome);
        page = outcome.Value;
        if (page is not null) areaNames = await Rounds.AreaNamesAsync(page.Items.SelectMany(r => r.AreaCodes));
    }

    private async Task OpenAsync()
    {
        var posted = await HttpContext.Request.ReadFormAsync(HttpContext.RequestAborted);
        form = new OpenForm
        {
            Name = posted["name"],
            AreaCodes = posted["areaCodes"],
            StartsAt = posted["startsAt"],
            EndsAt = posted["endsAt"],
            KeyGroupsOnly = posted["who"] == "keyGroups",
            KeyGroups = posted["keyGroups"].Select(v => Enum.TryParse<KeyGroup>(v, out var g) ? g : KeyGroup.None).Where(g => g != KeyGroup.None).ToHashSet(),
        };
        var startsAt = ParseLocal(form.StartsAt);
        var endsAt = ParseLocal(form.EndsAt);
        var codes = (form.AreaCodes ?? "").Split([',', '，', ' ', ';', '、', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // "Only key groups" with none ticked goes to the service as a wrong group, so that every problem is reported at once.
        List<KeyGroup>? groups = !form.KeyGroupsOnly ? null : form.KeyGroups.Count > 0 ? form.KeyGroups.ToList() : [KeyGroup.None];
        var outcome = await Rounds.OpenAsync(new RoundInput(form.Name, codes, startsAt, endsAt, groups), HttpContext.RequestAborted);
        if (outcome.IsOk)
        {
            Navigation.NavigateTo($"testing/rounds/{outcome.Value!.Id}?opened=1");
            return;
        }
        var fields = ScreeningMessages.Errors(T, outcome).Fields.ToDictionary(f => f.Key, f => f.Value);
        if (startsAt is null && !string.IsNullOrWhiteSpace(form.StartsAt)) fields["startsAt"] = [T["Msg_DateTime"]];
        if (endsAt is null && !string.IsNullOrWhiteSpace(form.EndsAt)) fields["endsAt"] = [T["Msg_DateTime"]];
        if (form.KeyGroupsOnly && form.KeyGroups.Count == 0) fields["keyGroups"] = [T["Msg_ChooseKeyGroup"]];
        errors = new FormErrors(fields, outcome.Kind == OutcomeKind.Conflict ? outcome.Message : null);
    }

    /// <summary>A datetime-local value ("2022-05-01T08:00") in the city's time, as an instant.</summary>
    private DateTimeOffset? ParseLocal(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (!DateTime.TryParseExact(value, ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return null;
        return new DateTimeOffset(Time.ToUtc(local), TimeSpan.Zero);
    }

    private static string Input(DateTime local) => local.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);

    private string Local(DateTime utc) => Time.ToLocal(utc).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private string AreaList(IEnumerable<string> codes) =>
        string.Join("、", codes.Select(c => areaNames.TryGetValue(c, out var name) ? name : c));

    private string GroupList(IReadOnlyList<KeyGroup> groups) =>
        groups.Count == 0 ? T["Round_Everyone"] : string.Join("、", groups.Select(g => T["KeyGroup_" + g].Value));

    private static string Link(string? status, string? after)
    {
        var query = new List<string>();
        if (status is not null) query.Add("status=" + status);
        if (after is not null) query.Add("after=" + Uri.EscapeDataString(after));
        return "testing/rounds" + (query.Count > 0 ? "?" + string.Join("&", query) : "");
    }

    private sealed class OpenForm
    {
        public string? Name { get; set; }
        public string? AreaCodes { get; set; }
        public string? StartsAt { get; set; }
        public string? EndsAt { get; set; }
        public bool KeyGroupsOnly { get; set; }
        public HashSet<KeyGroup> KeyGroups { get; set; } = [];
    }
}
