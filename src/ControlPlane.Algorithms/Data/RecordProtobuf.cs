using System.Buffers.Binary;
using System.Text;

namespace ControlPlane.Algorithms.Data;

/// <summary>A tensor of SageMaker's Record protobuf as numbers: dense values, or values at <see cref="Keys"/> (sparse).</summary>
internal sealed record RecordTensor(List<float> Values, List<long>? Keys, List<long> Shape);

/// <summary>
/// SageMaker's <c>aialgs.data.Record</c> protobuf (contract 7.1) decoded and encoded by hand: the message is small and
/// fixed, so a few dozen lines replace a generated class. Decoding reads the <c>features</c> and <c>label</c> maps with
/// Float32, Float64 or Int32 tensors (packed or not); encoding writes Float32 tensors.
/// </summary>
internal static class RecordProtobuf
{
    private const int Varint = 0;
    private const int Fixed64 = 1;
    private const int LengthDelimited = 2;
    private const int Fixed32 = 5;

    /// <summary>Decodes one record into its feature and label tensors by map key.</summary>
    public static (Dictionary<string, RecordTensor> Features, Dictionary<string, RecordTensor> Label) Decode(ReadOnlySpan<byte> message)
    {
        var features = new Dictionary<string, RecordTensor>(StringComparer.Ordinal);
        var label = new Dictionary<string, RecordTensor>(StringComparer.Ordinal);
        var reader = new ProtoReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field is 1 or 2 && wireType == LengthDelimited)
            {
                var (key, tensor) = DecodeMapEntry(reader.ReadBytes());
                (field == 1 ? features : label)[key] = tensor;
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        return (features, label);
    }

    private static (string Key, RecordTensor Tensor) DecodeMapEntry(ReadOnlySpan<byte> entry)
    {
        var reader = new ProtoReader(entry);
        var key = string.Empty;
        RecordTensor? tensor = null;
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == 1 && wireType == LengthDelimited)
            {
                key = Encoding.UTF8.GetString(reader.ReadBytes());
            }
            else if (field == 2 && wireType == LengthDelimited)
            {
                tensor = DecodeValue(reader.ReadBytes());
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        return (key, tensor ?? throw new InvalidDataException($"map entry '{key}' has no value"));
    }

    private static RecordTensor DecodeValue(ReadOnlySpan<byte> value)
    {
        var reader = new ProtoReader(value);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case 2 when wireType == LengthDelimited:
                    return DecodeTensor(reader.ReadBytes(), TensorKind.Float32);
                case 3 when wireType == LengthDelimited:
                    return DecodeTensor(reader.ReadBytes(), TensorKind.Float64);
                case 7 when wireType == LengthDelimited:
                    return DecodeTensor(reader.ReadBytes(), TensorKind.Int32);
                case 9:
                    throw new InvalidDataException("a Bytes value is not numeric data");
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        throw new InvalidDataException("a value holds no tensor");
    }

    private enum TensorKind
    {
        Float32,
        Float64,
        Int32,
    }

    private static RecordTensor DecodeTensor(ReadOnlySpan<byte> tensor, TensorKind kind)
    {
        var values = new List<float>();
        List<long>? keys = null;
        var shape = new List<long>();
        var reader = new ProtoReader(tensor);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == 1)
            {
                ReadValues(ref reader, wireType, kind, values);
            }
            else if (field is 2 or 3)
            {
                var target = field == 2 ? keys ??= [] : shape;
                if (wireType == LengthDelimited)
                {
                    var packed = new ProtoReader(reader.ReadBytes());
                    while (!packed.AtEnd)
                    {
                        target.Add((long)packed.ReadVarint());
                    }
                }
                else
                {
                    target.Add((long)reader.ReadVarint());
                }
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        return new RecordTensor(values, keys, shape);
    }

    private static void ReadValues(ref ProtoReader reader, int wireType, TensorKind kind, List<float> values)
    {
        if (wireType != LengthDelimited)
        {
            values.Add(ReadOne(ref reader, kind));
            return;
        }

        var packed = new ProtoReader(reader.ReadBytes());
        while (!packed.AtEnd)
        {
            values.Add(ReadOne(ref packed, kind));
        }
    }

    private static float ReadOne(ref ProtoReader reader, TensorKind kind) => kind switch
    {
        TensorKind.Float32 => BinaryPrimitives.ReadSingleLittleEndian(reader.ReadFixed(4)),
        TensorKind.Float64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(reader.ReadFixed(8)),
        _ => (int)reader.ReadVarint(),
    };

    /// <summary>Encodes a record whose maps hold dense Float32 tensors (key → values).</summary>
    public static byte[] Encode(IReadOnlyList<(string Key, float[] Values)> features, IReadOnlyList<(string Key, float[] Values)> label) =>
        EncodeSparse(features.Select(f => (f.Key, f.Values, (long[]?)null, (long)f.Values.Length)).ToList(), label);

    /// <summary>Encodes a record with sparse features when keys are given (values at those indices of a vector of size shape).</summary>
    public static byte[] EncodeSparse(IReadOnlyList<(string Key, float[] Values, long[]? Keys, long Shape)> features, IReadOnlyList<(string Key, float[] Values)> label)
    {
        var output = new MemoryStream();
        foreach (var (key, values, keys, shape) in features)
        {
            WriteMessage(output, 1, EncodeMapEntry(key, values, keys, shape));
        }

        foreach (var (key, values) in label)
        {
            WriteMessage(output, 2, EncodeMapEntry(key, values, null, values.Length));
        }

        return output.ToArray();
    }

    private static byte[] EncodeMapEntry(string key, float[] values, long[]? keys, long shapeSize)
    {
        var packed = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(packed.AsSpan(i * 4), values[i]);
        }

        var tensor = new MemoryStream();
        WriteMessage(tensor, 1, packed);
        if (keys is not null)
        {
            var packedKeys = new MemoryStream();
            foreach (var index in keys)
            {
                WriteVarint(packedKeys, (ulong)index);
            }

            WriteMessage(tensor, 2, packedKeys.ToArray());
        }

        var shape = new MemoryStream();
        WriteVarint(shape, (ulong)shapeSize);
        WriteMessage(tensor, 3, shape.ToArray());
        var value = new MemoryStream();
        WriteMessage(value, 2, tensor.ToArray());
        var entry = new MemoryStream();
        WriteMessage(entry, 1, Encoding.UTF8.GetBytes(key));
        WriteMessage(entry, 2, value.ToArray());
        return entry.ToArray();
    }

    private static void WriteMessage(Stream output, int field, byte[] bytes)
    {
        WriteVarint(output, (ulong)((field << 3) | LengthDelimited));
        WriteVarint(output, (ulong)bytes.Length);
        output.Write(bytes);
    }

    private static void WriteVarint(Stream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        output.WriteByte((byte)value);
    }

    private ref struct ProtoReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public readonly bool AtEnd => _position >= _data.Length;

        public bool TryReadTag(out int field, out int wireType)
        {
            if (AtEnd)
            {
                field = wireType = 0;
                return false;
            }

            var tag = ReadVarint();
            field = (int)(tag >> 3);
            wireType = (int)(tag & 7);
            return true;
        }

        public ulong ReadVarint()
        {
            ulong result = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (AtEnd)
                {
                    throw new InvalidDataException("truncated varint");
                }

                var b = _data[_position++];
                result |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return result;
                }
            }

            throw new InvalidDataException("varint longer than 10 bytes");
        }

        public ReadOnlySpan<byte> ReadFixed(int length)
        {
            if (_position + length > _data.Length)
            {
                throw new InvalidDataException("truncated field");
            }

            var bytes = _data.Slice(_position, length);
            _position += length;
            return bytes;
        }

        public ReadOnlySpan<byte> ReadBytes()
        {
            var length = ReadVarint();
            return length > int.MaxValue ? throw new InvalidDataException("field length out of range") : ReadFixed((int)length);
        }

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case Varint:
                    ReadVarint();
                    break;
                case Fixed64:
                    ReadFixed(8);
                    break;
                case LengthDelimited:
                    ReadBytes();
                    break;
                case Fixed32:
                    ReadFixed(4);
                    break;
                default:
                    throw new InvalidDataException($"unsupported wire type {wireType}");
            }
        }
    }
}
