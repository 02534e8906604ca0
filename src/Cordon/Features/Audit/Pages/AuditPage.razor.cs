using System.Globalization;
using Cordon.Components.Shared;
using Cordon.Infrastructure.Web;
using Microsoft.AspNetCore.Components;

namespace Cordon.Features.Audit.Pages;

public partial class AuditPage
{
    private const int PageSize = 50;
    private static readonly string[] KnownEntities = ["Resident", "Venue", "Area", "CordonUser"];
    private Page<AuditEntryDto>? page;
    private FormErrors errors = FormErrors.None;
    private AuditAction? action;

    [SupplyParameterFromQuery(Name = "user")] private string? UserName { get; set; }
    [SupplyParameterFromQuery(Name = "action")] private string? Action { get; set; }
    [SupplyParameterFromQuery(Name = "entity")] private string? Entity { get; set; }
    [SupplyParameterFromQuery(Name = "key")] private string? Key { get; set; }
    [SupplyParameterFromQuery(Name = "from")] private string? From { get; set; }
    [SupplyParameterFromQuery(Name = "to")] private string? To { get; set; }
    [SupplyParameterFromQuery(Name = "before")] private string? Before { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        var problems = new Dictionary<string, string[]>();
        action = null;
        if (!string.IsNullOrEmpty(Action))
        {
            if (Enum.TryParse<AuditAction>(Action, out var a) && Enum.IsDefined(a)) action = a;
            else problems["action"] = ["is not a known action"];
        }
        var from = ParseTime(From, "from", problems);
        var to = ParseTime(To, "to", problems);
        if (problems.Count > 0)
        {
            errors = new FormErrors(problems, null);
            return;
        }
        var outcome = await Log.SearchAsync(new AuditFilter(UserName, action, Entity, Key, from, to), Before, PageSize);
        errors = FormErrors.From(outcome);
        page = outcome.Value;
    }

    /// <summary>The browser sends local time ("2026-05-01T08:30"); the log stores UTC.</summary>
    private static DateTime? ParseTime(string? text, string field, Dictionary<string, string[]> problems)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var time)) return time;
        problems[field] = ["must be a date and time"];
        return null;
    }

    private static string Local(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToLocalTime().ToString("g");

    /// <summary>"Resident" → 居民; generic Identity types ("IdentityUserRole`1") without their arity.</summary>
    private string EntityText(string entity) => T["Entity_" + entity.Split('`')[0]] is { ResourceNotFound: false } s ? s.Value : entity;

    private string Link(string? before)
    {
        var query = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value)) query.Add(name + "=" + Uri.EscapeDataString(value));
        }
        Add("user", UserName);
        Add("action", action?.ToString());
        Add("entity", Entity);
        Add("key", Key);
        Add("from", From);
        Add("to", To);
        Add("before", before);
        return "admin/audit" + (query.Count > 0 ? "?" + string.Join("&", query) : "");
    }
}
