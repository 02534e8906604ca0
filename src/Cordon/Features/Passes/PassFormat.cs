using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Cordon.Features.Health;

namespace Cordon.Features.Passes;

/// <summary>
/// What a pass says (ADR 008): the minimum a checkpoint needs. Instants are UTC, whole seconds.
/// <paramref name="LastNegativeSampledAt"/> is when the sample of the latest negative result was taken (null: none).
/// </summary>
public sealed record PassContent(
    string KeyId,
    long ResidentId,
    HealthColour Colour,
    IReadOnlyList<PopupKind> Popups,
    DateTime? LastNegativeSampledAt,
    string MaskedName,
    DateTime IssuedAt,
    DateTime ExpiresAt)
{
    /// <summary>Whole hours since the last negative sample at <paramref name="now"/>, or null without one.</summary>
    public double? TestAgeHours(DateTime now) =>
        LastNegativeSampledAt is { } sampled ? Math.Round(Math.Max(0, (now - sampled).TotalHours), 1) : null;
}

/// <summary>A pass text taken apart: its content, the bytes that were signed and the signature, not yet verified.</summary>
public sealed record ParsedPass(PassContent Content, byte[] SigningInput, byte[] Signature);

/// <summary>
/// The <c>CDP1.&lt;payload&gt;.&lt;signature&gt;</c> text of a pass (ADR 008): a compact JSON payload in base64url, signed
/// with ECDSA P-256 / SHA-256 in IEEE P1363 form (r||s), the form WebCrypto verifies.
/// </summary>
public static class PassFormat
{
    public const string Prefix = "CDP1.";
    public const int MaxTextLength = 1024;
    public const int MaxNameLength = 20;
    public const int MaxKeyIdLength = 32;
    public const int SignatureBytes = 64;
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(1);

    // Chinese names stay readable (and short) in the payload instead of becoming \uXXXX escapes.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    /// <summary>Writes and signs a pass. The content's instants are cut to whole seconds.</summary>
    public static string Sign(PassContent content, ECDsa key)
    {
        var payload = Base64Url.EncodeToString(Payload(content));
        var signingInput = Encoding.ASCII.GetBytes(Prefix + payload);
        var signature = key.SignData(signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return Prefix + payload + "." + Base64Url.EncodeToString(signature);
    }

    private static byte[] Payload(PassContent content)
    {
        using var buffer = new MemoryStream(160);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("k", content.KeyId);
            json.WriteNumber("r", content.ResidentId);
            json.WriteNumber("c", (int)content.Colour);
            json.WriteStartArray("p");
            foreach (var kind in content.Popups.Distinct().Order()) json.WriteNumberValue((int)kind);
            json.WriteEndArray();
            if (content.LastNegativeSampledAt is { } sampled) json.WriteNumber("s", UnixSeconds(sampled));
            json.WriteString("n", content.MaskedName);
            json.WriteNumber("iat", UnixSeconds(content.IssuedAt));
            json.WriteNumber("exp", UnixSeconds(content.ExpiresAt));
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Takes a pass text apart, checking its shape only (not the signature, not the time). Null with a reason when the
    /// text is malformed; the reason names what is wrong, never the content.
    /// </summary>
    public static ParsedPass? Parse(string? text, out string reason)
    {
        reason = "";
        if (string.IsNullOrEmpty(text)) return Fail("the pass text is empty", out reason);
        if (text.Length > MaxTextLength) return Fail($"the pass text is longer than {MaxTextLength} characters", out reason);
        if (!text.StartsWith(Prefix, StringComparison.Ordinal)) return Fail("the pass text does not start with CDP1.", out reason);
        var parts = text.Split('.');
        if (parts.Length != 3) return Fail("the pass text must have exactly three parts separated by dots", out reason);
        if (!IsBase64Url(parts[1])) return Fail("the payload is not base64url", out reason);
        if (!IsBase64Url(parts[2])) return Fail("the signature is not base64url", out reason);
        var signature = Base64Url.DecodeFromChars(parts[2]);
        if (signature.Length != SignatureBytes) return Fail($"the signature must be {SignatureBytes} bytes", out reason);
        var content = ReadPayload(Base64Url.DecodeFromChars(parts[1]), out reason);
        if (content is null) return null;
        var signingInput = Encoding.ASCII.GetBytes(text.AsSpan(0, Prefix.Length + parts[1].Length).ToString());
        return new ParsedPass(content, signingInput, signature);
    }

    private static ParsedPass? Fail(string message, out string reason)
    {
        reason = message;
        return null;
    }

    private static bool IsBase64Url(string part) => part.Length % 4 != 1 && IsBase64UrlAlphabet(part);

    /// <summary>A key id: 1 to 32 characters of the base64url alphabet.</summary>
    public static bool IsKeyId(string kid) => kid.Length <= MaxKeyIdLength && IsBase64UrlAlphabet(kid);

    private static bool IsBase64UrlAlphabet(string text)
    {
        if (text.Length == 0) return false;
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_')) return false;
        }
        return true;
    }

    private static PassContent? ReadPayload(byte[] payload, out string reason)
    {
        reason = "";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException)
        {
            reason = "the payload is not JSON";
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Missing("the payload is not a JSON object", out reason);
            if (!TryString(root, "k", out var kid) || !IsKeyId(kid))
                return Missing("k (key id) is missing or not a key id", out reason);
            if (!TryLong(root, "r", out var resident) || resident < 1) return Missing("r (resident) is missing or not a positive integer", out reason);
            if (!TryLong(root, "c", out var colour) || colour is < 1 or > 3) return Missing("c (colour) must be 1, 2 or 3", out reason);
            if (!root.TryGetProperty("p", out var popupArray) || popupArray.ValueKind != JsonValueKind.Array || popupArray.GetArrayLength() > 8)
                return Missing("p (popups) must be an array", out reason);
            var popups = new List<PopupKind>();
            foreach (var item in popupArray.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var kind) || kind is < 1 or > 3)
                    return Missing("p (popups) may hold only 1, 2 or 3", out reason);
                popups.Add((PopupKind)kind);
            }
            DateTime? sampled = null;
            if (root.TryGetProperty("s", out _))
            {
                if (!TryLong(root, "s", out var s) || !TryInstant(s, out var at)) return Missing("s (last negative sample) is not a time", out reason);
                sampled = at;
            }
            if (!TryString(root, "n", out var name) || name.Length > MaxNameLength) return Missing($"n (masked name) must be a string of at most {MaxNameLength} characters", out reason);
            if (!TryLong(root, "iat", out var iat) || !TryInstant(iat, out var issuedAt)) return Missing("iat (issued at) is missing or not a time", out reason);
            if (!TryLong(root, "exp", out var exp) || !TryInstant(exp, out var expiresAt)) return Missing("exp (expires at) is missing or not a time", out reason);
            if (exp <= iat) return Missing("exp must come after iat", out reason);
            if (exp - iat > (long)MaxLifetime.TotalSeconds) return Missing("the pass lives longer than an hour", out reason);
            return new PassContent(kid, resident, (HealthColour)colour, popups.Distinct().Order().ToList(), sampled, name, issuedAt, expiresAt);
        }
    }

    private static PassContent? Missing(string message, out string reason)
    {
        reason = message;
        return null;
    }

    private static bool TryString(JsonElement root, string name, out string value)
    {
        value = "";
        if (!root.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.String) return false;
        value = element.GetString()!;
        return true;
    }

    private static bool TryLong(JsonElement root, string name, out long value)
    {
        value = 0;
        return root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out value);
    }

    // 2000-01-01 to 2200-01-01: anything else is not a pass of this system.
    private static bool TryInstant(long seconds, out DateTime at)
    {
        at = default;
        if (seconds is < 946_684_800 or > 7_258_118_400) return false;
        at = DateTime.UnixEpoch.AddSeconds(seconds);
        return true;
    }

    public static long UnixSeconds(DateTime utc) => (long)Math.Floor((DateTime.SpecifyKind(utc, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalSeconds);

    /// <summary>An instant cut to whole seconds, as a pass carries it.</summary>
    public static DateTime WholeSeconds(DateTime utc) => DateTime.UnixEpoch.AddSeconds(UnixSeconds(utc));
}
