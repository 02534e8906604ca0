using System.Globalization;
using Cordon.Components.Shared;
using Cordon.Features.Identity;
using Cordon.Features.Registry;
using Microsoft.AspNetCore.Components;

namespace Cordon.Features.Testing.Pages;

public partial class SitePage
{
    private SiteDetail? site;
    private IReadOnlyList<AreaDto> areaPath = [];
    private IReadOnlyList<SlotDto> slots = [];
    private IReadOnlyList<SiteAppointmentDto> appointments = [];
    private IReadOnlyList<SiteStaffDto> candidates = [];
    private FormErrors dayErrors = FormErrors.None;
    private FormErrors staffErrors = FormErrors.None;
    private DateOnly today;
    private DateOnly day;

    [Parameter] public int Id { get; set; }
    [SupplyParameterFromQuery(Name = "day")] private string? Day { get; set; }
    [SupplyParameterFromQuery(Name = "saved")] private string? Saved { get; set; }
    [SupplyParameterFromQuery(Name = "done")] private string? Done { get; set; }

    [SupplyParameterFromForm(FormName = "assign")] private string? StaffUserName { get; set; }
    [SupplyParameterFromForm(FormName = "unassign")] private string? RemoveUserId { get; set; }

    private bool IsManager => User.IsInRole(Roles.Commander) || User.IsInRole(Roles.Admin);

    protected override async Task OnParametersSetAsync()
    {
        today = Time.Today;
        day = today;
        if (!string.IsNullOrEmpty(Day))
        {
            if (DateOnly.TryParseExact(Day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)) day = parsed;
            else dayErrors = FormErrors.Field("day", "must be a date");
        }
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        site = await Sites.GetAsync(Id);
        if (site is null) return;
        areaPath = await Areas.PathAsync(site.AreaCode);
        var slotOutcome = await Sites.SlotsAsync(Id, day, forResident: false);
        if (!slotOutcome.IsOk)
        {
            dayErrors = FormErrors.From(slotOutcome);
            day = today;
            slotOutcome = await Sites.SlotsAsync(Id, day, forResident: false);
        }
        slots = slotOutcome.Value ?? [];
        appointments = (await Appointments.ForSiteAsync(Id, day)).Value ?? [];
        if (IsManager) candidates = await Sites.AssignableStaffAsync(Id);
    }

    private async Task AssignAsync()
    {
        var outcome = await Sites.AssignAsync(Id, new SiteStaffInput(StaffUserName));
        if (outcome.IsOk)
        {
            Navigation.NavigateTo($"testing/sites/{Id}?done=assigned#site-staff");
            return;
        }
        staffErrors = FormErrors.From(outcome);
        (Done, Saved) = (null, null); // the form posted back to a URL that may still say "assigned"
        await LoadAsync();
    }

    private async Task UnassignAsync()
    {
        var outcome = await Sites.UnassignAsync(Id, RemoveUserId ?? "");
        if (outcome.IsOk)
        {
            Navigation.NavigateTo($"testing/sites/{Id}?done=unassigned#site-staff");
            return;
        }
        staffErrors = FormErrors.From(outcome);
        (Done, Saved) = (null, null); // the form posted back to a URL that may still say "assigned"
        await LoadAsync();
    }

    private string Local(DateTime utc) => SiteMessages.Time(TimeOnly.FromDateTime(Time.ToLocal(utc)));

    private static int Percent(SlotDto slot) => slot.Capacity == 0 ? 0 : Math.Min(100, slot.Booked * 100 / slot.Capacity);

    private static string StatusCss(AppointmentStatus status) => status switch
    {
        AppointmentStatus.Booked => "text-bg-primary",
        AppointmentStatus.Sampled => "text-bg-success",
        AppointmentStatus.Cancelled => "text-bg-secondary",
        _ => "text-bg-light",
    };
}
