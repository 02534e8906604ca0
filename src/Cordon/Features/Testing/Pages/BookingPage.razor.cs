using System.Globalization;
using Cordon.Components.Shared;
using Cordon.Infrastructure.Web;
using Microsoft.AspNetCore.Components;

namespace Cordon.Features.Testing.Pages;

/// <summary>
/// Booking for residents, on a phone: choose a site (with its next free slots and live queue), then a day and a slot.
/// With <c>?reschedule=</c> the same steps move an existing appointment instead.
/// </summary>
public partial class BookingPage
{
    private const int PageSize = 20;
    private Page<SiteSummary>? sites;
    private SiteDetail? site;
    private IReadOnlyList<SlotDto> slots = [];
    private MyAppointmentDto? replacing;
    /// <summary>The resident's active appointment on the chosen day, if any: one a day, so they may want to move it instead.</summary>
    private MyAppointmentDto? existing;
    private FormErrors errors = FormErrors.None;
    private DateOnly today;
    private DateOnly day;
    private string? street;

    [SupplyParameterFromQuery(Name = "site")] private int? SiteId { get; set; }
    [SupplyParameterFromQuery(Name = "day")] private string? Day { get; set; }
    [SupplyParameterFromQuery(Name = "scope")] private string? Scope { get; set; }
    [SupplyParameterFromQuery(Name = "after")] private string? After { get; set; }
    [SupplyParameterFromQuery(Name = "reschedule")] private long? Reschedule { get; set; }

    [SupplyParameterFromForm(FormName = "book")] private string? Slot { get; set; }

    /// <summary>Where to look: the resident's street, their district, or the whole city.</summary>
    private IEnumerable<(string Scope, string Label)> Scopes =>
    [
        ("street", T["Booking_ScopeStreet"]),
        ("district", T["Booking_ScopeDistrict"]),
        ("city", T["Booking_ScopeCity"]),
    ];

    private string BackToList => ListLink(Scope);

    protected override async Task OnParametersSetAsync()
    {
        today = Time.Today;
        Scope = Scope is "district" or "city" ? Scope : "street";
        if (Reschedule is { } id)
        {
            var outcome = await Appointments.GetMineAsync(id);
            if (outcome.IsOk && outcome.Value!.CanChange) replacing = outcome.Value;
            else errors = outcome.IsOk ? new FormErrors(new Dictionary<string, string[]>(), "The appointment is in the past.") : FormErrors.From(outcome);
        }
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        if (SiteId is not { } siteId)
        {
            street ??= await Sites.HomeStreetAsync();
            var area = street is null ? null : Scope switch
            {
                "city" => street[..4] + "00",
                "district" => street[..6],
                _ => street,
            };
            var outcome = await Sites.BookableAsync(area, After, PageSize);
            if (!outcome.IsOk) errors = FormErrors.From(outcome);
            sites = outcome.Value;
            return;
        }
        site = await Sites.GetBookableAsync(siteId);
        if (site is null)
        {
            errors = FormErrors.Field("siteId", AppointmentService.UnknownSite);
            return;
        }
        day = site.Days.FirstOrDefault(d => d.Free > 0)?.Day ?? today;
        if (!string.IsNullOrEmpty(Day) && DateOnly.TryParseExact(Day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var chosen)) day = chosen;
        var slotOutcome = await Sites.SlotsAsync(siteId, day, forResident: true);
        if (!slotOutcome.IsOk) errors = FormErrors.From(slotOutcome);
        slots = slotOutcome.Value ?? [];
        existing = (await Appointments.MineAsync()).Value?.FirstOrDefault(a => a.Day == day && a.CanChange);
    }

    private async Task BookAsync()
    {
        if (site is null) return;
        if (!DateTime.TryParseExact(Slot, "yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var startsAt))
        {
            errors = FormErrors.Field("slotStartsAt", "is required");
            return;
        }
        var input = new BookingInput(site.Id, startsAt);
        var outcome = replacing is not null ? await Appointments.RescheduleAsync(replacing.Id, input) : await Appointments.BookAsync(input);
        if (outcome.IsOk)
        {
            Navigation.NavigateTo($"me/appointments?{(replacing is null ? "booked" : "moved")}={outcome.Value!.Id}");
            return;
        }
        errors = FormErrors.From(outcome);
        // Show the slots as they are now (the one chosen may just have filled up).
        await LoadAsync();
    }

    private string ListLink(string? scope, string? after = null)
    {
        var query = new List<string>();
        if (scope is not null and not "street") query.Add("scope=" + scope);
        if (after is not null) query.Add("after=" + Uri.EscapeDataString(after));
        if (Reschedule is { } id) query.Add("reschedule=" + id.ToString(CultureInfo.InvariantCulture));
        return "me/book" + (query.Count > 0 ? "?" + string.Join("&", query) : "");
    }

    private string SiteLink(int siteId, DateOnly? onDay)
    {
        var query = new List<string> { "site=" + siteId.ToString(CultureInfo.InvariantCulture) };
        if (onDay is { } d) query.Add("day=" + d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (Scope is not null and not "street") query.Add("scope=" + Scope);
        if (Reschedule is { } id) query.Add("reschedule=" + id.ToString(CultureInfo.InvariantCulture));
        return "me/book?" + string.Join("&", query);
    }
}
