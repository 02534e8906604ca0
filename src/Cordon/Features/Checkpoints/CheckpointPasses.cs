using Cordon.Features.Health;

namespace Cordon.Features.Checkpoints;

/// <summary>
/// A scanned pass as the checkpoint needs it. <see cref="Problem"/> is null for a pass that verified (then the rest is
/// what it carries), or the checkpoint's reason code (<c>pass-invalid</c>, <c>pass-expired</c>) and nothing else.
/// </summary>
public sealed record CheckedPass(
    string? Problem, long? ResidentId = null, HealthColour? Colour = null, IReadOnlyList<PopupKind>? Popups = null,
    DateTime? SampledAt = null, string? MaskedName = null);

/// <summary>Verifies the text of a resident's pass at the instant it was scanned (the pass feature's verifier).</summary>
public interface ICheckpointPassReader
{
    Task<CheckedPass> ReadAsync(string text, DateTime at, CancellationToken ct = default);
}

/// <summary>The pass feature's verifier and published keys (ADR 008), at the instant of the passage.</summary>
internal sealed class CheckpointPassReader(Passes.PassKeyRing keys) : ICheckpointPassReader
{
    public async Task<CheckedPass> ReadAsync(string text, DateTime at, CancellationToken ct = default)
    {
        var verifier = await keys.VerifierAsync(text, at, ct);
        var result = verifier.Verify(text, at);
        if (!result.IsValid || result.Content is not { } content)
        {
            return new CheckedPass(result.Outcome is Passes.PassOutcome.Expired or Passes.PassOutcome.NotYetValid
                ? CheckpointRules.Reasons.PassExpired
                : CheckpointRules.Reasons.PassInvalid);
        }
        return new CheckedPass(null, content.ResidentId, content.Colour, content.Popups, content.LastNegativeSampledAt, content.MaskedName);
    }
}
