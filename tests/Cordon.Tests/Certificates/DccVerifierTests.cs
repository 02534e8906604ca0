using System.Formats.Cbor;
using System.Security.Cryptography;
using Cordon.Features.Certificates;
using static Cordon.Tests.Certificates.DccVectors;

namespace Cordon.Tests.Certificates;

/// <summary>The verifier on our own test vectors: what a checker at a venue or border would be told for each certificate.</summary>
public sealed class DccVerifierTests : IDisposable
{
    private readonly DccSigner _es256 = DccSigner.Ecdsa();
    private readonly DccSigner _ps256 = DccSigner.Rsa();

    public void Dispose()
    {
        _es256.Dispose();
        _ps256.Dispose();
    }

    private static void ShouldFailAt(DccVerification result, string stage, string reasonPart)
    {
        result.Valid.ShouldBeFalse();
        result.Stage.ShouldBe(stage);
        result.Reason.ShouldContain(reasonPart);
    }

    [Fact]
    public void A_valid_ES256_test_certificate_is_valid_and_reports_its_content_with_the_name_masked()
    {
        var result = DccVerifier.Verify(Qr(_es256), _es256.Trust, During);

        result.Valid.ShouldBeTrue(result.Reason);
        result.Stage.ShouldBe("ok");
        var content = result.Content.ShouldNotBeNull();
        content.Kind.ShouldBe("test");
        content.TestType.ShouldBe("NAAT");
        content.Result.ShouldBe("not detected");
        content.SampleTime.ShouldBe("2026-11-19T20:00:00Z");
        content.MaskedName.ShouldBe("张*丰");
        content.CertificateId.ShouldBe("URN:UVCI:01:CN:CORDONTEST0000000000000000001");
        content.IssuingCountry.ShouldBe("CN");
        content.ExpiresAt.ShouldBe(ExpiresAt);
    }

    [Fact]
    public void A_valid_PS256_certificate_of_another_issuer_is_valid()
    {
        var trust = new DccTrustList([_es256.Certificate, _ps256.Certificate]);

        var result = DccVerifier.Verify(Qr(_ps256), trust, During);

        result.Valid.ShouldBeTrue(result.Reason);
        result.Stage.ShouldBe("ok");
    }

    [Fact]
    public void A_tampered_payload_fails_the_signature_and_shows_no_content()
    {
        var forged = Test("李四") with { CertificateId = "URN:UVCI:01:CN:FORGED" };
        var qr = Rewrite(Qr(_es256), parts => parts[2] = Claims(forged));

        var result = DccVerifier.Verify(qr, _es256.Trust, During);

        ShouldFailAt(result, "signature", "does not match");
        result.Content.ShouldBeNull();
    }

    [Fact]
    public void A_tampered_signature_fails_the_signature()
    {
        var qr = Rewrite(Qr(_ps256), parts => ((byte[])parts[3]!)[10] ^= 0x01);

        ShouldFailAt(DccVerifier.Verify(qr, _ps256.Trust, During), "signature", "does not match");
    }

    [Fact]
    public void A_protected_header_changed_after_signing_fails_the_signature()
    {
        // The kid stays, but the algorithm's map is re-encoded with an extra header: the signed bytes differ.
        var qr = Rewrite(Qr(_es256), parts =>
        {
            var header = (Dictionary<object, object?>)CborTree.Read((byte[])parts[0]!)!;
            header[3L] = "application/cwt";
            parts[0] = CborTree.Encode(header);
        });

        ShouldFailAt(DccVerifier.Verify(qr, _es256.Trust, During), "signature", "does not match");
    }

    [Fact]
    public void An_expired_certificate_is_authentic_but_not_valid_and_still_shows_its_content()
    {
        var result = DccVerifier.Verify(Qr(_es256), _es256.Trust, ExpiresAt);

        ShouldFailAt(result, "expiry", "expired at 2026-11-23T02:00:00Z");
        result.Content.ShouldNotBeNull().Result.ShouldBe("not detected");
    }

    [Fact]
    public void A_certificate_is_not_valid_before_it_was_issued()
    {
        ShouldFailAt(DccVerifier.Verify(Qr(_es256), _es256.Trust, IssuedAt.AddSeconds(-1)), "expiry", "not valid before 2026-11-20T02:00:00Z");
        DccVerifier.Verify(Qr(_es256), _es256.Trust, IssuedAt).Valid.ShouldBeTrue();
        DccVerifier.Verify(Qr(_es256), _es256.Trust, ExpiresAt.AddSeconds(-1)).Valid.ShouldBeTrue();
    }

    [Fact]
    public void A_signer_missing_from_the_trust_list_is_refused_by_its_kid()
    {
        using var other = DccSigner.Ecdsa("Unknown DSC");

        var result = DccVerifier.Verify(Qr(other), _es256.Trust, During);

        ShouldFailAt(result, "signature", $"signer {Convert.ToBase64String(other.KeyId)} is not in the trust list");
        DccVerifier.Verify(Qr(_es256), new DccTrustList([]), During).Stage.ShouldBe("signature");
    }

    [Fact]
    public void A_wrong_key_claiming_a_trusted_kid_fails_the_signature()
    {
        using var impostor = DccSigner.Ecdsa("Impostor");
        var qr = Hcert.Pack(CoseSign1Message.Sign(Claims(), impostor.Key, _es256.KeyId));

        ShouldFailAt(DccVerifier.Verify(qr, _es256.Trust, During), "signature", "does not match");
    }

    [Fact]
    public void An_RSA_signature_under_an_ECDSA_signer_certificate_is_refused()
    {
        var qr = Hcert.Pack(CoseSign1Message.Sign(Claims(), _ps256.Key, _es256.KeyId));

        ShouldFailAt(DccVerifier.Verify(qr, _es256.Trust, During), "signature", "does not match");
    }

    [Fact]
    public void Broken_CBOR_fails_at_the_COSE_stage()
    {
        var truncated = CoseSign1Message.Sign(Claims(), _es256.Key, _es256.KeyId)[..40];
        ShouldFailAt(DccVerifier.Verify(Hcert.Pack(truncated), _es256.Trust, During), "cose", "not well-formed CBOR");
        ShouldFailAt(DccVerifier.Verify(Hcert.Pack([0xD2, 0x83, 0x40, 0xA0, 0x40]), _es256.Trust, During), "cose", "not a COSE_Sign1 array");
        ShouldFailAt(DccVerifier.Verify(Hcert.Pack([0xD1, 0x84, 0x40, 0xA0, 0x40, 0x40]), _es256.Trust, During), "cose", "tag 17");
    }

    [Fact]
    public void A_signed_payload_that_is_not_CBOR_fails_at_the_claims_stage()
    {
        var qr = Qr(_es256, claims: [0xA3, 0x01, 0x62, 0x43]);

        ShouldFailAt(DccVerifier.Verify(qr, _es256.Trust, During), "claims", "not well-formed CBOR");
    }

    [Fact]
    public void Claims_without_the_hcert_payload_or_with_an_impossible_validity_fail_at_the_claims_stage()
    {
        var noHcert = CborTree.Encode(new Dictionary<object, object?> { [1L] = "CN", [6L] = IssuedAt.ToUnixTimeSeconds(), [4L] = ExpiresAt.ToUnixTimeSeconds() });
        ShouldFailAt(DccVerifier.Verify(Qr(_es256, noHcert), _es256.Trust, During), "claims", "-260");

        var noIssuer = CborTree.Encode(new Dictionary<object, object?> { [6L] = IssuedAt.ToUnixTimeSeconds(), [4L] = ExpiresAt.ToUnixTimeSeconds() });
        ShouldFailAt(DccVerifier.Verify(Qr(_es256, noIssuer), _es256.Trust, During), "claims", "iss");

        ShouldFailAt(DccVerifier.Verify(Qr(_es256, Claims(expiresAt: IssuedAt)), _es256.Trust, During), "claims", "before it was issued");

        var twoEntries = Test().Payload();
        twoEntries["v"] = new List<object?> { new Dictionary<object, object?> { ["dn"] = 2L, ["sd"] = 2L } };
        ShouldFailAt(DccVerifier.Verify(Qr(_es256, Hcert.Claims("CN", IssuedAt, ExpiresAt, twoEntries)), _es256.Trust, During), "claims", "exactly one");
    }

    [Fact]
    public void Broken_Base45_fails_at_the_base45_stage()
    {
        ShouldFailAt(DccVerifier.Verify("HC1:NCFOXN%TS3DH0", _es256.Trust, During), "base45", "Base45");
        ShouldFailAt(DccVerifier.Verify("HC1:abc", _es256.Trust, During), "base45", "Base45");
        ShouldFailAt(DccVerifier.Verify("HC1:GGW", _es256.Trust, During), "base45", "Base45");
    }

    [Fact]
    public void Broken_zlib_fails_at_the_zlib_stage()
    {
        var compressed = Hcert.Compress(CoseSign1Message.Sign(Claims(), _es256.Key, _es256.KeyId));
        compressed[10] ^= 0xFF;
        compressed[11] ^= 0xFF;
        ShouldFailAt(DccVerifier.Verify("HC1:" + Base45.Encode(compressed), _es256.Trust, During), "zlib", "");
        ShouldFailAt(DccVerifier.Verify("HC1:" + Base45.Encode([0x01, 0x02, 0x03]), _es256.Trust, During), "zlib", "neither zlib");
    }

    [Fact]
    public void A_zlib_bomb_is_refused_before_it_fills_memory()
    {
        var qr = "HC1:" + Base45.Encode(Hcert.Compress(new byte[2 * 1024 * 1024]));

        ShouldFailAt(DccVerifier.Verify(qr, _es256.Trust, During), "zlib", "larger than");
    }

    [Fact]
    public void An_uncompressed_certificate_is_accepted_as_the_DCC_specification_allows()
    {
        var result = DccVerifier.Verify(Qr(_es256, compress: false), _es256.Trust, During);

        result.Valid.ShouldBeTrue(result.Reason);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("NCFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N IOP-IA%NFQGRJPC%OQHIZC4.OI1RM8ZA.A5:S9MKN4NN3F85QNCY0O%0VZ001HOC9JU0D0HT0HB2PL/IB*09B9LW4T*8+DCMH0LDK2%K:XFE70*LP$V25$0Q:J:4MO1P0%0L0HD+9E/HY+4J6TH48S%4K.GJ2PT3QY:GQ3TE2I+-CPHN6D7LLK*Y0ZTW.")]
    [InlineData("HC2:NCFOXN")]
    [InlineData("hc1:NCFOXN")]
    public void Text_without_the_HC1_prefix_fails_at_the_prefix_stage(string? qr)
    {
        DccVerifier.Verify(qr, _es256.Trust, During).Stage.ShouldBe("prefix");
    }

    [Fact]
    public void An_untagged_COSE_Sign1_message_is_accepted()
    {
        var result = DccVerifier.Verify(Qr(_es256, tagged: false), _es256.Trust, During);

        result.Valid.ShouldBeTrue(result.Reason);
        Unpack(Qr(_es256, tagged: false))[0].ShouldBe((byte)0x84);
        Unpack(Qr(_es256))[0].ShouldBe((byte)0xD2);
    }

    [Fact]
    public void A_kid_in_the_unprotected_header_finds_its_signer()
    {
        // Some issuers put the kid in the unprotected header: sign with only the algorithm protected.
        var header = new CborWriter();
        header.WriteStartMap(1);
        header.WriteInt64(1);
        header.WriteInt64(CoseAlgorithm.ES256);
        header.WriteEndMap();
        var protectedBytes = header.Encode();
        var claims = Claims();
        var signature = ((ECDsa)_es256.Key).SignData(CoseSign1Message.SigStructure(protectedBytes, claims), HashAlgorithmName.SHA256);
        var cose = CborTree.Encode(new List<object?> { protectedBytes, new Dictionary<object, object?> { [4L] = _es256.KeyId }, claims, signature });

        var result = DccVerifier.Verify(Hcert.Pack(cose), _es256.Trust, During);

        result.Valid.ShouldBeTrue(result.Reason);
    }

    [Fact]
    public void An_unsupported_algorithm_or_a_missing_kid_fails_at_the_COSE_stage()
    {
        var qr = Rewrite(Qr(_es256), parts => parts[0] = CborTree.Encode(new Dictionary<object, object?> { [1L] = -35L, [4L] = _es256.KeyId }));
        ShouldFailAt(DccVerifier.Verify(qr, _es256.Trust, During), "cose", "unsupported algorithm -35");

        var noKid = Rewrite(Qr(_es256), parts => parts[0] = CborTree.Encode(new Dictionary<object, object?> { [1L] = CoseAlgorithm.ES256 }));
        ShouldFailAt(DccVerifier.Verify(noKid, _es256.Trust, During), "cose", "kid");
    }

    [Fact]
    public void A_signer_whose_key_usage_is_vaccinations_only_may_not_sign_a_test_certificate()
    {
        using var vaccinations = DccSigner.Ecdsa("Vaccination DSC", usage: "1.3.6.1.4.1.1847.2021.1.2");
        using var tests = DccSigner.Ecdsa("Test DSC", usage: "1.3.6.1.4.1.1847.2021.1.1");

        ShouldFailAt(DccVerifier.Verify(Qr(vaccinations), vaccinations.Trust, During), "signature", "may not sign test certificates");
        DccVerifier.Verify(Qr(tests), tests.Trust, During).Valid.ShouldBeTrue();
    }

    [Fact]
    public void A_certificate_issued_outside_its_signer_certificate_validity_is_refused()
    {
        using var lapsed = DccSigner.Ecdsa("Lapsed DSC", notBefore: IssuedAt.AddYears(-2), notAfter: IssuedAt.AddDays(-1));

        ShouldFailAt(DccVerifier.Verify(Qr(lapsed), lapsed.Trust, During), "signature", "not valid when the certificate was issued");
    }

    [Fact]
    public void Vaccination_and_recovery_certificates_are_reported_by_kind()
    {
        var vaccination = new Dictionary<object, object?>
        {
            ["ver"] = "1.3.0",
            ["dob"] = "1964-08-12",
            ["nam"] = new Dictionary<object, object?> { ["fn"] = "Mustermann", ["fnt"] = "MUSTERMANN", ["gn"] = "Erika", ["gnt"] = "ERIKA" },
            ["v"] = new List<object?> { new Dictionary<object, object?> { ["tg"] = "840539006", ["dn"] = 2L, ["sd"] = 2L, ["dt"] = "2021-05-29", ["co"] = "DE", ["is"] = "RKI", ["ci"] = "URN:UVCI:01:DE:X" } },
        };
        var result = DccVerifier.Verify(Qr(_es256, Hcert.Claims("DE", IssuedAt, ExpiresAt, vaccination)), _es256.Trust, During);

        result.Valid.ShouldBeTrue(result.Reason);
        result.Content!.Kind.ShouldBe("vaccination");
        result.Content.Dose.ShouldBe("2/2");
        result.Content.MaskedName.ShouldBe("E***a M********n");
        result.Content.Result.ShouldBeNull();

        vaccination.Remove("v");
        vaccination["r"] = new List<object?> { new Dictionary<object, object?> { ["fr"] = "2021-01-10", ["df"] = "2021-01-20", ["du"] = "2021-07-10" } };
        var recovery = DccVerifier.Verify(Qr(_es256, Hcert.Claims("DE", IssuedAt, ExpiresAt, vaccination)), _es256.Trust, During);
        recovery.Content!.Kind.ShouldBe("recovery");
        recovery.Content.ValidUntil.ShouldBe("2021-07-10");
    }

    [Fact]
    public void The_test_entry_carries_the_DCC_1_3_fields()
    {
        var payload = (Dictionary<object, object?>)((Dictionary<object, object?>)((Dictionary<object, object?>)CborTree.Read(Claims())!)[-260L]!)[1L]!;

        payload["ver"].ShouldBe("1.3.0");
        payload["dob"].ShouldBe("1990-03-07");
        var name = (Dictionary<object, object?>)payload["nam"]!;
        (name["fn"], name["fnt"], name["gn"], name["gnt"]).ShouldBe(("张", "ZHANG", "三丰", "SANFENG"));
        var test = (Dictionary<object, object?>)((List<object?>)payload["t"]!).ShouldHaveSingleItem()!;
        test["tg"].ShouldBe("840539006");
        test["tt"].ShouldBe("LP6464-4");
        test["tr"].ShouldBe("260415000");
        test["sc"].ShouldBe("2026-11-19T20:00:00Z");
        test["co"].ShouldBe("CN");
        test.Keys.ShouldBe(["tg", "tt", "nm", "sc", "tr", "tc", "co", "is", "ci"], ignoreOrder: true);
    }

    [Fact]
    public void Every_signature_is_in_IEEE_P1363_form()
    {
        var parts = (List<object?>)CborTree.Read(Unpack(Qr(_es256)))!;

        ((byte[])parts[3]!).Length.ShouldBe(64);
        var header = (Dictionary<object, object?>)CborTree.Read((byte[])parts[0]!)!;
        header[1L].ShouldBe(-7L);
        ((byte[])header[4L]!).ShouldBe(SHA256.HashData(_es256.Certificate.RawData)[..8]);
    }
}
