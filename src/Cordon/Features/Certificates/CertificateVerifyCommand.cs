using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cordon.Features.Certificates;

/// <summary>
/// <c>cordon certificate verify</c>: one JSON object per line on the input — {"qr": "HC1:…", "trust": ["base64 DER", …],
/// "at": "ISO-8601"} — and one JSON verification per line on the output, in the same order. A broken line gets a
/// line with valid false, never a crash. The configured trust list (which needs the database) is read only when a
/// line comes without its own, and only once.
/// </summary>
public static class CertificateVerifyCommand
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static async Task<int> RunAsync(TextReader input, TextWriter output, Func<Task<DccTrustList>> configuredTrust, TimeProvider clock, CancellationToken ct = default)
    {
        Task<DccTrustList>? configured = null;
        var given = new GivenTrust();
        var number = 0;
        while (await input.ReadLineAsync(ct) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            DccVerification result;
            try
            {
                result = await VerifyLineAsync(line, number, () => configured ??= configuredTrust(), given, clock);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The configured trust list could not be read (no database here): say so on this line and go on.
                result = DccVerification.Fail(DccStage.Signature, $"line {number}: no trust list given and the configured one could not be read");
            }
            await output.WriteLineAsync(JsonSerializer.Serialize(result, Json));
            await output.FlushAsync(ct);
        }
        return 0;
    }

    /// <summary>The trust list of the previous line, parsed: a batch usually repeats the same one on every line.</summary>
    private sealed class GivenTrust
    {
        public string? Raw;
        public DccTrustList? Parsed;
        public string? Problem;
    }

    private static async Task<DccVerification> VerifyLineAsync(string line, int number, Func<Task<DccTrustList>> configuredTrust, GivenTrust given, TimeProvider clock)
    {
        JsonElement request;
        try
        {
            request = JsonDocument.Parse(line).RootElement;
        }
        catch (JsonException)
        {
            return DccVerification.Fail(DccStage.Prefix, $"line {number} is not a JSON object");
        }
        if (request.ValueKind != JsonValueKind.Object || !request.TryGetProperty("qr", out var qrElement) || qrElement.ValueKind != JsonValueKind.String)
            return DccVerification.Fail(DccStage.Prefix, $"line {number} has no \"qr\" text");

        // A broken trust list or instant is reported at the stage that needs it, after the stages before it have run.
        string? trustProblem = null;
        DccTrustList trust;
        if (request.TryGetProperty("trust", out var trustElement) && trustElement.ValueKind != JsonValueKind.Null)
        {
            var raw = trustElement.GetRawText();
            if (raw != given.Raw)
            {
                var texts = trustElement.ValueKind == JsonValueKind.Array && trustElement.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
                    ? trustElement.EnumerateArray().Select(e => e.GetString()!).ToList()
                    : null;
                var reason = "\"trust\" is not an array of base64 DER certificates";
                given.Parsed = texts is null ? null : DccTrustList.TryParse(texts, out reason);
                given.Problem = given.Parsed is null ? reason : null;
                given.Raw = raw;
            }
            trustProblem = given.Problem;
            trust = given.Parsed ?? new DccTrustList([]);
        }
        else trust = await configuredTrust();

        string? atProblem = null;
        var at = clock.GetUtcNow();
        if (request.TryGetProperty("at", out var atElement) && atElement.ValueKind != JsonValueKind.Null)
        {
            if (atElement.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParse(atElement.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at))
                atProblem = "\"at\" is not an ISO-8601 instant";
        }

        var result = DccVerifier.Verify(qrElement.GetString(), trust, at);
        if (trustProblem is not null && result.Stage == DccStage.Signature) return DccVerification.Fail(DccStage.Signature, trustProblem);
        if (atProblem is not null && result.Stage is DccStage.Expiry or DccStage.Ok) return DccVerification.Fail(DccStage.Expiry, atProblem, result.Content);
        return result;
    }
}
