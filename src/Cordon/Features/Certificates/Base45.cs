namespace Cordon.Features.Certificates;

/// <summary>Base45 (RFC 9285): the QR-code alphanumeric alphabet, three characters for every two bytes.</summary>
public static class Base45
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var output = new char[data.Length / 2 * 3 + data.Length % 2 * 2];
        var o = 0;
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            var n = data[i] * 256 + data[i + 1];
            output[o++] = Alphabet[n % 45];
            output[o++] = Alphabet[n / 45 % 45];
            output[o++] = Alphabet[n / 2025];
        }
        if (data.Length % 2 == 1)
        {
            var n = (int)data[^1];
            output[o++] = Alphabet[n % 45];
            output[o] = Alphabet[n / 45];
        }
        return new string(output);
    }

    /// <summary>The bytes of a Base45 text, or null when it is not Base45 (a foreign character, a dangling character, a group out of range).</summary>
    public static byte[]? TryDecode(ReadOnlySpan<char> text)
    {
        if (text.Length % 3 == 1) return null;
        var output = new byte[text.Length / 3 * 2 + (text.Length % 3 == 2 ? 1 : 0)];
        var o = 0;
        for (var i = 0; i < text.Length; i += 3)
        {
            var c = Alphabet.IndexOf(text[i]);
            var d = Alphabet.IndexOf(text[i + 1]);
            if (c < 0 || d < 0) return null;
            if (i + 2 < text.Length)
            {
                var e = Alphabet.IndexOf(text[i + 2]);
                if (e < 0) return null;
                var n = c + d * 45 + e * 2025;
                if (n > 0xFFFF) return null;
                output[o++] = (byte)(n >> 8);
                output[o++] = (byte)n;
            }
            else
            {
                var n = c + d * 45;
                if (n > 0xFF) return null;
                output[o++] = (byte)n;
            }
        }
        return output;
    }
}
