using System.Security.Cryptography;

namespace Cordon.Features.Passes;

/// <summary>What checking a pass came to (ADR 008). Only <see cref="Valid"/> may show the pass's colour.</summary>
public enum PassOutcome
{
    Valid,
    Malformed,
    UnknownKey,
    BadSignature,
    NotYetValid,
    Expired,
}

/// <summary>The outcome of one verification, a reason a person can read, and the content only when valid.</summary>
public sealed record PassVerification(PassOutcome Outcome, string Reason, PassContent? Content)
{
    public bool IsValid => Outcome == PassOutcome.Valid;

    /// <summary>The outcome as the API and the ADR spell it: <c>valid</c>, <c>unknown-key</c>, <c>bad-signature</c>, …</summary>
    public string Code => OutcomeCode(Outcome);

    public static string OutcomeCode(PassOutcome outcome) => outcome switch
    {
        PassOutcome.Valid => "valid",
        PassOutcome.Malformed => "malformed",
        PassOutcome.UnknownKey => "unknown-key",
        PassOutcome.BadSignature => "bad-signature",
        PassOutcome.NotYetValid => "not-yet-valid",
        PassOutcome.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };
}

/// <summary>
/// A published verification key: the P-256 point (x, y: 32 bytes each, big-endian), when it starts signing and when
/// it is retired (every pass it signed has expired by then). Safe to use from many threads at once.
/// </summary>
public sealed class PassPublicKey
{
    private readonly EcdsaPool _keys;

    public PassPublicKey(string keyId, byte[] x, byte[] y, DateTime notBefore, DateTime retireAt)
    {
        if (x.Length != 32 || y.Length != 32) throw new ArgumentException("A P-256 coordinate has 32 bytes.");
        KeyId = keyId;
        X = x;
        Y = y;
        NotBefore = notBefore;
        RetireAt = retireAt;
        _keys = new EcdsaPool(() => ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } }));
    }

    public string KeyId { get; }
    public byte[] X { get; }
    public byte[] Y { get; }
    public DateTime NotBefore { get; }
    public DateTime RetireAt { get; }

    public static PassPublicKey From(string keyId, ECDsa key, DateTime notBefore, DateTime retireAt)
    {
        var point = key.ExportParameters(false).Q;
        return new PassPublicKey(keyId, point.X!, point.Y!, notBefore, retireAt);
    }

    public bool Verify(byte[] data, byte[] signature) =>
        _keys.Use(key => key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
}

/// <summary>
/// Checks a pass text: shape, key, signature, then time, in that order (ADR 008). Pure: the keys and the clock are
/// given, so a checkpoint's offline copy and the server decide the same way.
/// </summary>
public sealed class PassVerifier(Func<string, PassPublicKey?> findKey, TimeSpan clockSkew)
{
    public PassVerification Verify(string? text, DateTime now)
    {
        var parsed = PassFormat.Parse(text, out var reason);
        if (parsed is null) return new PassVerification(PassOutcome.Malformed, reason, null);
        var content = parsed.Content;
        var key = findKey(content.KeyId);
        if (key is null || now >= key.RetireAt)
            return new PassVerification(PassOutcome.UnknownKey, "the pass is signed with a key that is not (or no longer) published", null);
        if (!key.Verify(parsed.SigningInput, parsed.Signature))
            return new PassVerification(PassOutcome.BadSignature, "the signature does not match: the pass was altered or forged", null);
        if (now < content.IssuedAt - clockSkew)
            return new PassVerification(PassOutcome.NotYetValid, "the pass is issued in the future: check this device's clock", null);
        if (now >= content.ExpiresAt + clockSkew)
            return new PassVerification(PassOutcome.Expired, "the pass has expired: ask the person to refresh it", null);
        return new PassVerification(PassOutcome.Valid, "valid", content);
    }
}
