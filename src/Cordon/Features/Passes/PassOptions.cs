using System.ComponentModel.DataAnnotations;

namespace Cordon.Features.Passes;

/// <summary>The <c>Passes</c> configuration section: how long a pass lives and how often its signing key changes (ADR 008).</summary>
public sealed class PassOptions : IValidatableObject
{
    public const string Section = "Passes";

    /// <summary>Seconds from issue to expiry. Short, so a screenshot is useless minutes later.</summary>
    [Range(30, 3600)]
    public int LifetimeSeconds { get; set; } = 300;

    /// <summary>Clock difference tolerated between the issuing host and a checkpoint's phone.</summary>
    [Range(0, 600)]
    public int ClockSkewSeconds { get; set; } = 60;

    /// <summary>Days a signing key signs before the next one takes over.</summary>
    [Range(1, 365)]
    public int RotationDays { get; set; } = 7;

    /// <summary>Hours before its first pass that the next key is published, for checkpoints that verify offline.</summary>
    [Range(1, 720)]
    public int PublishAheadHours { get; set; } = 24;

    public TimeSpan Lifetime => TimeSpan.FromSeconds(LifetimeSeconds);
    public TimeSpan ClockSkew => TimeSpan.FromSeconds(ClockSkewSeconds);
    public TimeSpan Rotation => TimeSpan.FromDays(RotationDays);
    public TimeSpan PublishAhead => TimeSpan.FromHours(PublishAheadHours);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PublishAhead >= Rotation)
            yield return new ValidationResult("PublishAheadHours must be shorter than RotationDays.", [nameof(PublishAheadHours)]);
    }
}
