using Cordon.Components.Shared;
using Microsoft.AspNetCore.Components;

namespace Cordon.Features.Testing.Pages;

/// <summary>
/// The sampling console on a phone: the state lives in the address (?site=&amp;tube=&amp;box=), every action is a POST
/// that redirects back (post-redirect-get), so a reload never repeats a scan and a hardware scanner (types + Enter)
/// or the camera script can drive the forms.
/// </summary>
public partial class SamplingPage
{
    private static readonly string[] Notices = ["opened", "added", "full", "closed", "voided", "box-created", "boxed", "dispatched"];

    private IReadOnlyList<SamplerSite> sites = [];
    private SamplerSite? site;
    private TubeDto? tube;
    private BoxDto? box;
    private IReadOnlyList<BoxDto> openBoxes = [];
    private IReadOnlyList<TubeSummary> closedTubes = [];
    private IReadOnlyList<LabDto> labs = [];
    private FormErrors errors = FormErrors.None;

    [SupplyParameterFromQuery(Name = "site")] private int? SiteId { get; set; }
    [SupplyParameterFromQuery(Name = "tube")] private string? TubeBarcode { get; set; }
    [SupplyParameterFromQuery(Name = "box")] private string? BoxCode { get; set; }
    [SupplyParameterFromQuery(Name = "done")] private string? Done { get; set; }
    [SupplyParameterFromQuery(Name = "what")] private string? DoneWhat { get; set; }
    /// <summary>The pool size of the last tube opened here, offered again for the next one.</summary>
    [SupplyParameterFromQuery(Name = "pool")] private int? LastPoolSize { get; set; }

    [SupplyParameterFromForm(FormName = "tube-open", Name = "barcode")] private string? OpenBarcode { get; set; }
    [SupplyParameterFromForm(FormName = "tube-open", Name = "poolSize")] private int? OpenPoolSize { get; set; }
    [SupplyParameterFromForm(FormName = "person-add", Name = "code")] private string? PersonCode { get; set; }
    [SupplyParameterFromForm(FormName = "tube-void", Name = "reason")] private string? VoidReason { get; set; }
    [SupplyParameterFromForm(FormName = "box-create", Name = "code")] private string? NewBoxCode { get; set; }
    [SupplyParameterFromForm(FormName = "box-tube", Name = "barcode")] private string? BoxTubeBarcode { get; set; }
    [SupplyParameterFromForm(FormName = "box-dispatch", Name = "labId")] private int? DispatchLabId { get; set; }
    [SupplyParameterFromForm(FormName = "box-dispatch", Name = "courier")] private string? Courier { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        if (Done is not null && !Notices.Contains(Done)) Done = null;
        sites = await Sampling.MySitesAsync();
        // One site is the usual case: no need to choose it.
        site = sites.FirstOrDefault(s => s.Id == SiteId) ?? (sites.Count == 1 ? sites[0] : null);
        if (site is null) return;
        if (!string.IsNullOrWhiteSpace(TubeBarcode))
        {
            tube = await Sampling.GetTubeAsync(TubeBarcode);
            if (tube?.SiteId != site.Id) tube = null;
        }
        var open = await Boxes.SiteBoxesAsync(site.Id, BoxStatus.Open);
        openBoxes = open.Value ?? [];
        if (!string.IsNullOrWhiteSpace(BoxCode))
        {
            box = await Boxes.GetAsync(BoxCode);
            if (box?.SiteId != site.Id) box = null;
        }
        if (box is { Status: BoxStatus.Open })
        {
            closedTubes = (await Sampling.SiteTubesAsync(site.Id, TubeStatus.Closed)).Value ?? [];
            labs = await Boxes.LabsAsync();
        }
    }

    private async Task OpenTubeAsync()
    {
        if (site is null) return;
        var outcome = await Sampling.OpenTubeAsync(new OpenTubeInput(OpenBarcode, OpenPoolSize, site.Id));
        errors = FormErrors.From(outcome);
        if (outcome.IsOk) Navigation.NavigateTo(Url(tube: outcome.Value!.Barcode, done: "opened", pool: outcome.Value.PoolSize));
    }

    private async Task AddPersonAsync()
    {
        if (site is null || tube is null) return;
        // The resident's page shows the code in groups of four ("ABCD EFGH"); typed as shown, the spaces are not part of it.
        var code = PersonCode is null ? null : string.Concat(PersonCode.Where(c => !char.IsWhiteSpace(c)));
        var outcome = await Sampling.AddPersonAsync(tube.Barcode, new AddPersonInput(code));
        errors = FormErrors.From(outcome);
        if (!outcome.IsOk) return;
        var added = outcome.Value!;
        Navigation.NavigateTo(added.Status == TubeStatus.Open
            ? Url(tube: added.Barcode, done: "added")
            : Url(tube: added.Barcode, done: "full", what: added.Barcode, pool: added.PoolSize));
    }

    private async Task CloseTubeAsync()
    {
        if (site is null || tube is null) return;
        var outcome = await Sampling.CloseTubeAsync(tube.Barcode);
        errors = FormErrors.From(outcome);
        if (outcome.IsOk) Navigation.NavigateTo(Url(tube: tube.Barcode, done: "closed", what: tube.Barcode, pool: tube.PoolSize));
    }

    private async Task VoidTubeAsync()
    {
        if (site is null || tube is null) return;
        var outcome = await Sampling.VoidTubeAsync(tube.Barcode, new VoidTubeInput(VoidReason));
        errors = FormErrors.From(outcome);
        if (outcome.IsOk) Navigation.NavigateTo(Url(done: "voided", what: tube.Barcode, pool: tube.PoolSize));
    }

    private async Task CreateBoxAsync()
    {
        if (site is null) return;
        var outcome = await Boxes.CreateAsync(new CreateBoxInput(NewBoxCode, site.Id));
        errors = Scoped(FormErrors.From(outcome));
        if (outcome.IsOk) Navigation.NavigateTo(Url(box: outcome.Value!.Code, done: "box-created", what: outcome.Value.Code));
    }

    private Task BoxTubeAsync() => BoxTubeAsync(BoxTubeBarcode);

    private async Task BoxTubeAsync(string? barcode)
    {
        if (site is null || box is null) return;
        var outcome = await Boxes.AddTubeAsync(box.Code, new BoxTubeInput(barcode));
        errors = FormErrors.From(outcome);
        if (outcome.IsOk) Navigation.NavigateTo(Url(box: box.Code, done: "boxed", what: TubeCode.Normalize(barcode)));
    }

    private async Task DispatchAsync()
    {
        if (site is null || box is null) return;
        var outcome = await Boxes.DispatchAsync(box.Code, new DispatchInput(DispatchLabId, Courier));
        errors = FormErrors.From(outcome);
        if (outcome.IsOk) Navigation.NavigateTo(Url(box: box.Code, done: "dispatched", what: box.Code));
    }

    /// <summary>A box's "code" is not a person's code: name it as a box code in the messages.</summary>
    private static FormErrors Scoped(FormErrors e) =>
        e.Fields.ContainsKey("code") ? new FormErrors(e.Fields.ToDictionary(f => f.Key == "code" ? "boxCode" : f.Key, f => f.Value), e.Message) : e;

    /// <summary>This page for the current site, keeping the open tube and box unless told otherwise.</summary>
    private string Url(string? tube = null, string? box = null, string? done = null, string? what = null, int? pool = null)
    {
        var query = new List<string> { $"site={site?.Id}" };
        var tubeCode = tube ?? (this.tube is { Status: TubeStatus.Open } ? this.tube.Barcode : null);
        if (tubeCode is not null && done != "voided") query.Add("tube=" + Uri.EscapeDataString(tubeCode));
        var boxCode = box ?? this.box?.Code;
        if (boxCode is not null) query.Add("box=" + Uri.EscapeDataString(boxCode));
        if (done is not null) query.Add("done=" + done);
        if (what is not null) query.Add("what=" + Uri.EscapeDataString(what));
        if ((pool ?? LastPoolSize) is { } p) query.Add("pool=" + p);
        return "testing/sampling?" + string.Join("&", query);
    }

    private string Local(DateTime? utc) => utc is { } value ? Time.ToLocal(value).ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) : "";
}
