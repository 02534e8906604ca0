using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Cordon.Features.Health;
using Cordon.Features.Passes;

namespace Cordon.Tests.Passes;

/// <summary>
/// The signed pass (ADR 008): what a checkpoint sees when it scans a pass — the content of a genuine one, and a clear
/// reason (never a colour) for anything forged, altered, expired or unreadable.
/// </summary>
public sealed class PassFormatTests : IDisposable
{
    private static readonly DateTime Now = new(2026, 11, 30, 8, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(60);

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        _key.Dispose();
        _otherKey.Dispose();
    }

    private static PassContent Content(string kid = "k1", HealthColour colour = HealthColour.Green, PopupKind[]? popups = null,
        DateTime? sampled = null, string name = "张*三", int lifetimeSeconds = 300) =>
        new(kid, 1042, colour, popups ?? [], sampled, name, Now, Now.AddSeconds(lifetimeSeconds));

    private PassVerifier Verifier(ECDsa? key = null, string kid = "k1") =>
        new(k => k == kid ? PassPublicKey.From(kid, key ?? _key, Now.AddDays(-1), Now.AddDays(8)) : null, Skew);

    [Fact]
    public void A_signed_pass_round_trips_with_everything_it_carries()
    {
        var sampled = new DateTime(2026, 11, 29, 10, 30, 0, DateTimeKind.Utc);
        var text = PassFormat.Sign(Content(colour: HealthColour.Yellow, popups: [PopupKind.KeyGroupTest, PopupKind.ScreeningRound], sampled: sampled), _key);

        text.ShouldStartWith("CDP1.");
        text.Split('.').Length.ShouldBe(3);
        text.Split('.')[2].Length.ShouldBe(86);
        var result = Verifier().Verify(text, Now.AddMinutes(1));

        result.Outcome.ShouldBe(PassOutcome.Valid);
        var content = result.Content.ShouldNotBeNull();
        content.KeyId.ShouldBe("k1");
        content.ResidentId.ShouldBe(1042);
        content.Colour.ShouldBe(HealthColour.Yellow);
        content.Popups.ShouldBe([PopupKind.ScreeningRound, PopupKind.KeyGroupTest]);
        content.LastNegativeSampledAt.ShouldBe(sampled);
        content.MaskedName.ShouldBe("张*三");
        content.IssuedAt.ShouldBe(Now);
        content.ExpiresAt.ShouldBe(Now.AddMinutes(5));
        content.TestAgeHours(Now).ShouldBe(21.5);
    }

    [Fact]
    public void The_payload_is_compact_json_with_the_name_unescaped_and_no_test_when_there_is_none()
    {
        var text = PassFormat.Sign(Content(), _key);
        var json = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text.Split('.')[1]));

        json.ShouldBe($"{{\"k\":\"k1\",\"r\":1042,\"c\":1,\"p\":[],\"n\":\"张*三\",\"iat\":{PassFormat.UnixSeconds(Now)},\"exp\":{PassFormat.UnixSeconds(Now) + 300}}}");
        Verifier().Verify(text, Now).Content!.LastNegativeSampledAt.ShouldBeNull();
        text.Length.ShouldBeLessThan(260);
    }

    [Fact]
    public void A_browser_style_verification_accepts_the_signature_over_the_text_before_the_second_dot()
    {
        var text = PassFormat.Sign(Content(), _key);
        var lastDot = text.LastIndexOf('.');
        var signature = Base64Url.DecodeFromChars(text.AsSpan(lastDot + 1));

        _key.VerifyData(Encoding.ASCII.GetBytes(text[..lastDot]), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation).ShouldBeTrue();
    }

    [Fact]
    public void A_red_pass_turned_green_in_the_payload_fails_the_signature()
    {
        var text = PassFormat.Sign(Content(colour: HealthColour.Red), _key);
        var parts = text.Split('.');
        var json = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("\"c\":3", "\"c\":1");
        var forged = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json))}.{parts[2]}";

        var result = Verifier().Verify(forged, Now);

        result.Outcome.ShouldBe(PassOutcome.BadSignature);
        result.Content.ShouldBeNull();
    }

    [Fact]
    public void A_popup_removed_from_the_payload_fails_the_signature()
    {
        var text = PassFormat.Sign(Content(popups: [PopupKind.ScreeningRound]), _key);
        var parts = text.Split('.');
        var json = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("\"p\":[1]", "\"p\":[]");
        var forged = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json))}.{parts[2]}";

        Verifier().Verify(forged, Now).Outcome.ShouldBe(PassOutcome.BadSignature);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(63)]
    public void A_flipped_bit_in_the_signature_fails_it(int index)
    {
        var text = PassFormat.Sign(Content(), _key);
        var parts = text.Split('.');
        var signature = Base64Url.DecodeFromChars(parts[2]);
        signature[index] ^= 0x01;

        Verifier().Verify($"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(signature)}", Now).Outcome.ShouldBe(PassOutcome.BadSignature);
    }

    [Fact]
    public void A_pass_signed_by_another_key_under_a_published_key_id_fails_the_signature()
    {
        var forged = PassFormat.Sign(Content(), _otherKey);

        var result = Verifier().Verify(forged, Now);

        result.Outcome.ShouldBe(PassOutcome.BadSignature);
        result.Reason.ShouldContain("forged");
    }

    [Fact]
    public void A_pass_naming_a_key_that_is_not_published_is_an_unknown_key()
    {
        var text = PassFormat.Sign(Content(kid: "nope"), _otherKey);

        var result = Verifier().Verify(text, Now);

        result.Outcome.ShouldBe(PassOutcome.UnknownKey);
        result.Content.ShouldBeNull();
    }

    [Fact]
    public void A_pass_whose_key_was_retired_is_an_unknown_key()
    {
        var text = PassFormat.Sign(Content(), _key);
        var verifier = new PassVerifier(k => PassPublicKey.From(k, _key, Now.AddDays(-8), Now.AddSeconds(30)), Skew);

        verifier.Verify(text, Now).Outcome.ShouldBe(PassOutcome.Valid);
        verifier.Verify(text, Now.AddSeconds(30)).Outcome.ShouldBe(PassOutcome.UnknownKey);
    }

    [Theory]
    [InlineData(0, PassOutcome.Valid)]
    [InlineData(299, PassOutcome.Valid)]
    [InlineData(300, PassOutcome.Valid)] // expired, but within the clock skew a checkpoint's phone may have
    [InlineData(359, PassOutcome.Valid)]
    [InlineData(360, PassOutcome.Expired)]
    [InlineData(3600, PassOutcome.Expired)] // a screenshot replayed an hour later
    [InlineData(86_400 * 7, PassOutcome.Expired)] // a week later, while its key is still published
    [InlineData(-60, PassOutcome.Valid)]
    [InlineData(-61, PassOutcome.NotYetValid)]
    [InlineData(-3600, PassOutcome.NotYetValid)]
    public void Time_decides_last_with_a_minute_of_clock_skew(int secondsAfterIssue, PassOutcome expected)
    {
        var text = PassFormat.Sign(Content(), _key);

        var result = Verifier().Verify(text, Now.AddSeconds(secondsAfterIssue));

        result.Outcome.ShouldBe(expected);
        (result.Content is not null).ShouldBe(expected == PassOutcome.Valid);
    }

    [Fact]
    public void A_replayed_pass_is_accepted_again_until_expiry_and_never_after()
    {
        var text = PassFormat.Sign(Content(), _key);
        var verifier = Verifier();

        verifier.Verify(text, Now.AddSeconds(10)).IsValid.ShouldBeTrue();
        verifier.Verify(text, Now.AddSeconds(200)).IsValid.ShouldBeTrue();
        var replay = verifier.Verify(text, Now.AddMinutes(20));
        replay.Outcome.ShouldBe(PassOutcome.Expired);
        replay.Reason.ShouldContain("expired");
    }

    public static TheoryData<string?> MalformedTexts()
    {
        var data = new TheoryData<string?>
        {
            null,
            "",
            " ",
            "CDP1",
            "CDP1.",
            "CDP1..",
            "CDP1...",
            "cdp1.eyJrIjoiazEifQ.AAAA",
            "CDP2.eyJrIjoiazEifQ." + new string('A', 86),
            "HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N",
            "https://example.org/?pass=1",
            "CDP1.eyJrIjoiazEifQ",
            "CDP1.eyJrIjoiazEifQ." + new string('A', 86) + ".AAAA",
            "CDP1.eyJrIjoiazEifQ=." + new string('A', 86),
            "CDP1.eyJrIjoiazEifQ." + new string('A', 84) + "==",
            "CDP1.eyJr+IjoiazEifQ." + new string('A', 86),
            "CDP1.eyJr IjoiazEifQ." + new string('A', 86),
            "CDP1.eyJrIjoiazEifQ." + new string('A', 43),
            "CDP1.eyJrIjoiazEifQ." + new string('A', 87),
            "CDP1." + new string('A', 2000) + "." + new string('A', 86),
            "CDP1.AAAAA." + new string('A', 86),
            "\u00a0CDP1.eyJrIjoiazEifQ." + new string('A', 86),
        };
        foreach (var json in new[]
        {
            "not json",
            "[1,2,3]",
            "\"a string\"",
            "{}",
            "{\"k\":\"k1\"}",
            "{\"k\":\"k1\",\"r\":1,\"c\":4,\"p\":[],\"n\":\"x\",\"iat\":1764489600,\"exp\":1764489900}",
            "{\"k\":\"k1\",\"r\":1,\"c\":0,\"p\":[],\"n\":\"x\",\"iat\":1764489600,\"exp\":1764489900}",
            "{\"k\":\"k1\",\"r\":1,\"c\":1.5,\"p\":[],\"n\":\"x\",\"iat\":1764489600,\"exp\":1764489900}",
            "{\"k\":\"k1\",\"r\":1,\"c\":\"1\",\"p\":[],\"n\":\"x\",\"iat\":1764489600,\"exp\":1764489900}",
            "{\"k\":\"k1\",\"r\":0,\"c\":1,\"p\":[],\"n\":\"x\",\"iat\":1764489600,\"exp\":1764489900}",
            "{\"k\":\"k1\",\"r\":1,\"c\":1,\"p\":[4],\"n\":\"x\",\"iat\":1764489600,\"exp\":1764489900}",
            "{\"k\":\"k1\",\"r\":1,\"c\":1,\"p\":1,\"n\":\"x\",\"iat\":1764489600,\"exp\":1764489900}",
            "{\"k\":\"k1\",\"r\":1,\"c\":1,\"n\":\"x\",\"iat\":1764489600,\"exp\":1764489900}",
            "{\"k\":\"k1\",\"r\":1,\"c\":1,\"p\":[],\"iat\":1764489600,\"exp\":1764489900}",
            "{\"k\":\"k1\",\"r\":1,\"c\":1,\"p\":[],\"n\":\"a very long name that is not masked at all\",\"iat\":1764489600,\"exp\":1764489900}",
            "{\"k\":\"k1\",\"r\":1,\"c\":1,\"p\":[],\"n\":\"x\",\"iat\":1764489900,\"exp\":1764489600}",
            "{\"k\":\"k1\",\"r\":1,\"c\":1,\"p\":[],\"n\":\"x\",\"iat\":1764489600,\"exp\":1764489600}",
            "{\"k\":\"k1\",\"r\":1,\"c\":1,\"p\":[],\"n\":\"x\",\"iat\":1764489600,\"exp\":1764576000}",
            "{\"k\":\"k1\",\"r\":1,\"c\":1,\"p\":[],\"n\":\"x\",\"iat\":-5,\"exp\":1764489900}",
            "{\"k\":\"k1\",\"r\":1,\"c\":1,\"p\":[],\"n\":\"x\",\"iat\":1764489600}",
            "{\"k\":\"k1\",\"r\":1,\"c\":1,\"p\":[],\"s\":\"yesterday\",\"n\":\"x\",\"iat\":1764489600,\"exp\":1764489900}",
            "{\"k\":\"\",\"r\":1,\"c\":1,\"p\":[],\"n\":\"x\",\"iat\":1764489600,\"exp\":1764489900}",
            "{\"k\":\"k/1\",\"r\":1,\"c\":1,\"p\":[],\"n\":\"x\",\"iat\":1764489600,\"exp\":1764489900}",
            "{\"k\":7,\"r\":1,\"c\":1,\"p\":[],\"n\":\"x\",\"iat\":1764489600,\"exp\":1764489900}",
            "{\"k\":\"k1\",\"r\":1,\"c\":1,\"p\":[],\"n\":\"x\",\"iat\":1764489600,\"exp\":1764489900",
        })
        {
            data.Add("CDP1." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json)) + "." + new string('A', 86));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedTexts))]
    public void Malformed_text_is_rejected_with_a_reason_and_no_content(string? text)
    {
        var result = Verifier().Verify(text, Now);

        result.Outcome.ShouldBe(PassOutcome.Malformed);
        result.Reason.ShouldNotBeNullOrWhiteSpace();
        result.Content.ShouldBeNull();
    }

    [Fact]
    public void Unknown_payload_members_are_ignored_but_still_covered_by_the_signature()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            $"{{\"k\":\"k1\",\"r\":7,\"c\":2,\"p\":[],\"n\":\"x\",\"iat\":{PassFormat.UnixSeconds(Now)},\"exp\":{PassFormat.UnixSeconds(Now) + 60},\"future\":true}}"));
        var signature = key.SignData(Encoding.ASCII.GetBytes("CDP1." + payload), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        var result = Verifier(key).Verify($"CDP1.{payload}.{Base64Url.EncodeToString(signature)}", Now);

        result.Outcome.ShouldBe(PassOutcome.Valid);
        result.Content!.Colour.ShouldBe(HealthColour.Yellow);
    }

    [Fact]
    public void Outcome_codes_are_the_ones_the_api_documents()
    {
        Enum.GetValues<PassOutcome>().Select(PassVerification.OutcomeCode)
            .ShouldBe(["valid", "malformed", "unknown-key", "bad-signature", "not-yet-valid", "expired"]);
    }
}
