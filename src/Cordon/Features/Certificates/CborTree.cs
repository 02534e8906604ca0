using System.Formats.Cbor;

namespace Cordon.Features.Certificates;

/// <summary>
/// Reads a CBOR item into plain .NET values (long, string, byte[], bool, double, null, List, Dictionary) so that
/// certificates from other issuers, with their own encodings, can be inspected without a schema. Tags are dropped.
/// </summary>
public static class CborTree
{
    private const int MaxDepth = 16;

    /// <summary>The single item in <paramref name="data"/>; throws <see cref="CborContentException"/> when it is not exactly one well-formed item.</summary>
    public static object? Read(ReadOnlyMemory<byte> data)
    {
        var reader = new CborReader(data, CborConformanceMode.Lax);
        var value = ReadItem(reader, 0);
        if (reader.BytesRemaining != 0) throw new CborContentException("Trailing bytes after the CBOR item.");
        return value;
    }

    public static object? ReadItem(CborReader reader, int depth)
    {
        if (depth > MaxDepth) throw new CborContentException("CBOR nested too deeply.");
        switch (reader.PeekState())
        {
            case CborReaderState.Tag:
                reader.ReadTag();
                return ReadItem(reader, depth + 1);
            case CborReaderState.UnsignedInteger:
            case CborReaderState.NegativeInteger:
                return reader.ReadInt64();
            case CborReaderState.ByteString:
                return reader.ReadByteString();
            case CborReaderState.TextString:
                return reader.ReadTextString();
            case CborReaderState.StartArray:
                {
                    var count = reader.ReadStartArray();
                    var list = new List<object?>(Math.Min(count ?? 4, 64));
                    while (reader.PeekState() != CborReaderState.EndArray) list.Add(ReadItem(reader, depth + 1));
                    reader.ReadEndArray();
                    return list;
                }
            case CborReaderState.StartMap:
                {
                    reader.ReadStartMap();
                    var map = new Dictionary<object, object?>();
                    while (reader.PeekState() != CborReaderState.EndMap)
                    {
                        var key = ReadItem(reader, depth + 1) ?? throw new CborContentException("A null map key.");
                        if (key is not (long or string)) throw new CborContentException("A map key that is neither an integer nor a text.");
                        map[key] = ReadItem(reader, depth + 1);
                    }
                    reader.ReadEndMap();
                    return map;
                }
            case CborReaderState.Boolean:
                return reader.ReadBoolean();
            case CborReaderState.Null:
                reader.ReadNull();
                return null;
            case CborReaderState.SinglePrecisionFloat:
            case CborReaderState.DoublePrecisionFloat:
            case CborReaderState.HalfPrecisionFloat:
                return reader.ReadDouble();
            default:
                throw new CborContentException($"Unexpected CBOR item {reader.PeekState()}.");
        }
    }

    /// <summary>Writes plain .NET values (as <see cref="Read"/> returns them) as CBOR.</summary>
    public static void Write(CborWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNull(); break;
            case string s: writer.WriteTextString(s); break;
            case long l: writer.WriteInt64(l); break;
            case int i: writer.WriteInt32(i); break;
            case bool b: writer.WriteBoolean(b); break;
            case double d: writer.WriteDouble(d); break;
            case byte[] bytes: writer.WriteByteString(bytes); break;
            case IDictionary<object, object?> map:
                writer.WriteStartMap(map.Count);
                foreach (var (k, v) in map)
                {
                    Write(writer, k);
                    Write(writer, v);
                }
                writer.WriteEndMap();
                break;
            case IEnumerable<object?> list:
                var items = list.ToList();
                writer.WriteStartArray(items.Count);
                foreach (var item in items) Write(writer, item);
                writer.WriteEndArray();
                break;
            default: throw new ArgumentException($"Cannot write {value.GetType().Name} as CBOR.", nameof(value));
        }
    }

    public static byte[] Encode(object? value)
    {
        var writer = new CborWriter(CborConformanceMode.Lax);
        Write(writer, value);
        return writer.Encode();
    }
}
