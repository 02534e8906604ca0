using System.Security.Cryptography;
using System.Text;

namespace Cordon.Infrastructure.Security;

/// <summary>
/// Keeps ID numbers out of reach of a database dump: a keyed hash (HMAC-SHA256) answers "who has this
/// ID number?" and an AES-GCM ciphertext gives the number back to an authorised, audited reader.
/// Both keys are derived from one master key held outside the database.
/// </summary>
public sealed class PersonalDataProtector
{
    private readonly byte[] _hashKey;
    private readonly byte[] _encryptionKey;

    public PersonalDataProtector(byte[] masterKey)
    {
        if (masterKey.Length < 32) throw new ArgumentException("The personal-data key needs at least 32 bytes.", nameof(masterKey));
        _hashKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, 32, info: "cordon id-hash"u8.ToArray());
        _encryptionKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, 32, info: "cordon id-encrypt"u8.ToArray());
    }

    public string Hash(string value) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_hashKey, Encoding.UTF8.GetBytes(value)));

    public string Encrypt(string value)
    {
        var plain = Encoding.UTF8.GetBytes(value);
        var output = new byte[12 + 16 + plain.Length];
        var nonce = output.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_encryptionKey, 16);
        aes.Encrypt(nonce, plain, output.AsSpan(28), output.AsSpan(12, 16));
        return Convert.ToBase64String(output);
    }

    public string Decrypt(string cipher)
    {
        var input = Convert.FromBase64String(cipher);
        var plain = new byte[input.Length - 28];
        using var aes = new AesGcm(_encryptionKey, 16);
        aes.Decrypt(input.AsSpan(0, 12), input.AsSpan(28), input.AsSpan(12, 16), plain);
        return Encoding.UTF8.GetString(plain);
    }
}
