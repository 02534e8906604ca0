using System.Diagnostics;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cordon.Features.Certificates;

/// <summary>The COSE algorithms a certificate may be signed with (RFC 9053, RFC 8230).</summary>
public static class CoseAlgorithm
{
    public const long ES256 = -7;
    public const long PS256 = -37;
}

/// <summary>A decoded COSE_Sign1 message (RFC 9052 §4.2): headers, payload and signature, not yet verified.</summary>
public sealed record CoseSign1Message(byte[] ProtectedBytes, long Algorithm, byte[]? KeyId, byte[] Payload, byte[] Signature)
{
    public const int Tag = 18;
    private const long AlgorithmLabel = 1;
    private const long KeyIdLabel = 4;

    /// <summary>The kid of an X.509 signer certificate in the EU DCC trust lists: the first 8 bytes of SHA-256 of its DER.</summary>
    public static byte[] KeyIdOf(X509Certificate2 certificate) => SHA256.HashData(certificate.RawData)[..8];

    /// <summary>Signs <paramref name="payload"/> with ES256 (an ECDSA P-256 key) or PS256 (an RSA key), kid in the protected header.</summary>
    public static byte[] Sign(byte[] payload, AsymmetricAlgorithm key, byte[] keyId, bool tagged = true)
    {
        var algorithm = key switch
        {
            ECDsa => CoseAlgorithm.ES256,
            RSA => CoseAlgorithm.PS256,
            _ => throw new ArgumentException("ES256 needs an ECDSA key and PS256 an RSA key.", nameof(key)),
        };
        var headers = new CborWriter(CborConformanceMode.Canonical);
        headers.WriteStartMap(2);
        headers.WriteInt64(AlgorithmLabel);
        headers.WriteInt64(algorithm);
        headers.WriteInt64(KeyIdLabel);
        headers.WriteByteString(keyId);
        headers.WriteEndMap();
        var protectedBytes = headers.Encode();
        var toBeSigned = SigStructure(protectedBytes, payload);
        var signature = key switch
        {
            ECDsa ec => ec.SignData(toBeSigned, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            RSA rsa => rsa.SignData(toBeSigned, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            _ => throw new UnreachableException(),
        };
        var message = new CborWriter(CborConformanceMode.Lax);
        if (tagged) message.WriteTag((CborTag)Tag);
        message.WriteStartArray(4);
        message.WriteByteString(protectedBytes);
        message.WriteStartMap(0);
        message.WriteEndMap();
        message.WriteByteString(payload);
        message.WriteByteString(signature);
        message.WriteEndArray();
        return message.Encode();
    }

    /// <summary>The Sig_structure ["Signature1", body_protected, external_aad (empty), payload] the signature covers.</summary>
    public static byte[] SigStructure(byte[] protectedBytes, byte[] payload)
    {
        var writer = new CborWriter(CborConformanceMode.Lax);
        writer.WriteStartArray(4);
        writer.WriteTextString("Signature1");
        writer.WriteByteString(protectedBytes);
        writer.WriteByteString([]);
        writer.WriteByteString(payload);
        writer.WriteEndArray();
        return writer.Encode();
    }

    /// <summary>Decodes a COSE_Sign1 structure, tagged (18) or untagged; the reason when it is not one.</summary>
    public static CoseSign1Message? TryDecode(byte[] data, out string reason)
    {
        object? item;
        try
        {
            var reader = new CborReader(data, CborConformanceMode.Lax);
            if (reader.PeekState() == CborReaderState.Tag)
            {
                var tag = (long)reader.ReadTag();
                if (tag != Tag)
                {
                    reason = $"CBOR tag {tag} is not COSE_Sign1 (18)";
                    return null;
                }
            }
            item = CborTree.ReadItem(reader, 0);
            if (reader.BytesRemaining != 0)
            {
                reason = "trailing bytes after the COSE_Sign1 structure";
                return null;
            }
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or OverflowException)
        {
            reason = "not well-formed CBOR";
            return null;
        }
        if (item is not List<object?> { Count: 4 } parts || parts[0] is not byte[] protectedBytes || parts[1] is not Dictionary<object, object?> unprotectedHeader
            || parts[3] is not byte[] signature)
        {
            reason = "not a COSE_Sign1 array [protected, unprotected, payload, signature]";
            return null;
        }
        if (parts[2] is not byte[] payload)
        {
            reason = "the payload is missing (detached payloads are not accepted)";
            return null;
        }
        Dictionary<object, object?> protectedHeader;
        try
        {
            protectedHeader = protectedBytes.Length == 0 ? [] : CborTree.Read(protectedBytes) as Dictionary<object, object?> ?? throw new CborContentException("not a map");
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or OverflowException)
        {
            reason = "the protected header is not a CBOR map";
            return null;
        }
        if (protectedHeader.GetValueOrDefault(AlgorithmLabel) is not long algorithm)
        {
            reason = "no algorithm in the protected header";
            return null;
        }
        if (algorithm is not (CoseAlgorithm.ES256 or CoseAlgorithm.PS256))
        {
            reason = $"unsupported algorithm {algorithm} (ES256 and PS256 are accepted)";
            return null;
        }
        // The kid belongs in the protected header; the DCC specification still lets it stand in the unprotected one.
        var keyId = protectedHeader.GetValueOrDefault(KeyIdLabel) as byte[] ?? unprotectedHeader.GetValueOrDefault(KeyIdLabel) as byte[];
        reason = "";
        return new CoseSign1Message(protectedBytes, algorithm, keyId, payload, signature);
    }

    /// <summary>Whether the signature is that of <paramref name="certificate"/>'s key under the message's algorithm.</summary>
    public bool VerifyWith(X509Certificate2 certificate)
    {
        var toBeSigned = SigStructure(ProtectedBytes, Payload);
        if (Algorithm == CoseAlgorithm.ES256)
        {
            using var ec = certificate.GetECDsaPublicKey();
            return ec is not null && ec.KeySize == 256 && Signature.Length == 64
                && ec.VerifyData(toBeSigned, Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        using var rsa = certificate.GetRSAPublicKey();
        return rsa is not null && rsa.VerifyData(toBeSigned, Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
    }
}
