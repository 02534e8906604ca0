namespace Cordon.Features.Audit;

public enum AuditAction
{
    Create = 1,
    Update = 2,
    Delete = 3,
    /// <summary>Someone saw unmasked personal data.</summary>
    ReadPersonalData = 4,
    Login = 5,
    LoginFailed = 6,
}

/// <summary>Who did what to which record, when (and for reads of personal data, why). Append-only.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public string? UserId { get; set; }
    public string? UserName { get; set; }
    public AuditAction Action { get; set; }
    public required string Entity { get; set; }
    public required string EntityKey { get; set; }
    /// <summary>Names of the changed fields, or the fields read and the stated reason; never their values.</summary>
    public string? Details { get; set; }
}
