using Cordon.Infrastructure.Web;

namespace Cordon.Components.Shared;

/// <summary>
/// What a page shows after a service said no: field errors keyed by the field's JSON name (as in ProblemDetails)
/// and, for a conflict or a missing record, one message for the whole form.
/// </summary>
public sealed class FormErrors
{
    public static readonly FormErrors None = new(new Dictionary<string, string[]>(), null);

    public FormErrors(IReadOnlyDictionary<string, string[]> fields, string? message)
    {
        Fields = fields;
        Message = message;
    }

    public IReadOnlyDictionary<string, string[]> Fields { get; }

    /// <summary>A message for the whole form (conflict), in English as the service wrote it.</summary>
    public string? Message { get; }

    public bool Any => Fields.Count > 0 || Message is not null;

    public bool Has(string field) => Fields.ContainsKey(field);

    /// <summary>Bootstrap's class for an input whose value was rejected.</summary>
    public string Css(string field) => Has(field) ? "is-invalid" : "";

    public static FormErrors From<T>(Outcome<T> outcome) => outcome.Kind switch
    {
        OutcomeKind.Ok => None,
        OutcomeKind.Invalid => new FormErrors(outcome.Errors!.ToDictionary(), null),
        OutcomeKind.Conflict => new FormErrors(new Dictionary<string, string[]>(), outcome.Message),
        OutcomeKind.NotFound => new FormErrors(new Dictionary<string, string[]>(), "not found"),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };

    public static FormErrors Field(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] }, null);
}
