namespace Cordon.Infrastructure.Web;

/// <summary>Field errors of a rejected input, keyed by the field's JSON name (as ProblemDetails reports them).</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public FieldErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    public void Require(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value)) Add(field, "is required");
        else if (value.Length > maxLength) Add(field, $"must be at most {maxLength} characters");
    }

    public void Optional(string field, string? value, int maxLength)
    {
        if (value is not null && value.Length > maxLength) Add(field, $"must be at most {maxLength} characters");
    }

    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public override string ToString() => string.Join("; ", _errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));
}

public enum OutcomeKind
{
    Ok,
    Invalid,
    NotFound,
    Conflict,
}

/// <summary>
/// What a service operation came to. Expected failures are values, not exceptions, so endpoints map them
/// to ProblemDetails and Blazor pages show them next to the field.
/// </summary>
public sealed record Outcome<T>(OutcomeKind Kind, T? Value, FieldErrors? Errors, string? Message)
{
    public static Outcome<T> Ok(T value) => new(OutcomeKind.Ok, value, null, null);
    public static Outcome<T> Invalid(FieldErrors errors) => new(OutcomeKind.Invalid, default, errors, null);
    public static Outcome<T> Invalid(string field, string message) => Invalid(new FieldErrors().Add(field, message));
    public static Outcome<T> NotFound() => new(OutcomeKind.NotFound, default, null, null);
    public static Outcome<T> Conflict(string message) => new(OutcomeKind.Conflict, default, null, message);

    public bool IsOk => Kind == OutcomeKind.Ok;
}
