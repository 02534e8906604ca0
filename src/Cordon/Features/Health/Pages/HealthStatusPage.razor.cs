using System.Globalization;
using Cordon.Components.Shared;
using Cordon.Features.Registry;
using Cordon.Features.Testing;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.AspNetCore.Components;

namespace Cordon.Features.Health.Pages;

/// <summary>
/// Staff status screen: find a resident with the registry search, see their status, popups and history, override or
/// remove an override (HealthCorrection roles), and the appeals queue of the jurisdiction. Every action is a POST that
/// redirects back (post-redirect-get).
/// </summary>
public partial class HealthStatusPage
{
    private IReadOnlyList<ResidentSummary>? found;
    private HealthDto? status;
    private IReadOnlyList<HealthChangeDto> history = [];
    private Page<AppealDto>? appeals;
    private FormErrors errors = FormErrors.None;
    private FormErrors searchErrors = FormErrors.None;

    [Inject] private ResidentService Residents { get; set; } = default!;
    [Inject] private HealthService Health { get; set; } = default!;
    [Inject] private CurrentUser User { get; set; } = default!;
    [Inject] private CityTime Time { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private TimeProvider Clock { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "q")] private string? Q { get; set; }
    [SupplyParameterFromQuery(Name = "id")] private long? Id { get; set; }
    [SupplyParameterFromQuery(Name = "done")] private string? Done { get; set; }
    [SupplyParameterFromQuery(Name = "appealsAfter")] private string? AppealsAfter { get; set; }

    [SupplyParameterFromForm(FormName = "health-override", Name = "colour")] private HealthColour? OverrideColour { get; set; }
    [SupplyParameterFromForm(FormName = "health-override", Name = "hours")] private int? OverrideHours { get; set; }
    [SupplyParameterFromForm(FormName = "health-override", Name = "reason")] private string? OverrideReason { get; set; }
    [SupplyParameterFromForm(FormName = "health-override", Name = "clearsPopups")] private bool OverrideClears { get; set; }
    [SupplyParameterFromForm(FormName = "health-appeal-dismiss", Name = "appealId")] private long? DismissId { get; set; }
    [SupplyParameterFromForm(FormName = "health-appeal-dismiss", Name = "answer")] private string? DismissAnswer { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        if (!string.IsNullOrWhiteSpace(Q))
        {
            var search = await Residents.SearchAsync(Q.Trim(), null, null, 10);
            searchErrors = FormErrors.From(search);
            found = search.Value?.Items;
        }
        if (Id is { } id)
        {
            status = (await Health.ForResidentAsync(id)).Value;
            history = (await Health.HistoryAsync(id, null, 20)).Value?.Items ?? [];
        }
        if (User.IsInAnyRole(HealthRoles.Correction)) appeals = (await Health.AppealsAsync(AppealStatus.Open, AppealsAfter, 20)).Value;
    }

    private async Task OverrideAsync()
    {
        if (Id is not { } id) return;
        DateTimeOffset? until = OverrideHours is { } hours and >= 1 and <= 720 ? Clock.GetUtcNow().AddHours(hours) : null;
        var outcome = await Health.OverrideAsync(id, new OverrideInput(OverrideColour, OverrideReason, until, OverrideClears, status?.OpenAppeal?.Id));
        if (outcome.IsOk) Navigation.NavigateTo(Link(id, "override"));
        else errors = FormErrors.From(outcome);
    }

    private async Task RemoveOverrideAsync()
    {
        if (Id is not { } id) return;
        var outcome = await Health.RemoveOverrideAsync(id);
        if (outcome.IsOk) Navigation.NavigateTo(Link(id, "removed"));
        else errors = FormErrors.From(outcome);
    }

    private async Task DismissAsync()
    {
        if (DismissId is not { } appealId) return;
        var outcome = await Health.DecideAppealAsync(appealId, new AppealDecisionInput(AppealStatus.Dismissed, DismissAnswer));
        if (outcome.IsOk) Navigation.NavigateTo(Link(Id, "dismissed"));
        else errors = FormErrors.From(outcome);
    }

    private string Link(long? id, string done) =>
        "health/status?" + (id is { } i ? "id=" + i.ToString(CultureInfo.InvariantCulture) + "&" : "") + "done=" + done;

    private string Local(DateTime utc) => Time.ToLocal(utc).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
