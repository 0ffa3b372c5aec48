using System.Buffers.Binary;

namespace ControlPlane.Algorithms.Data;

/// <summary>
/// <c>application/x-recordio-protobuf</c>: RecordIO frames (<c>u32 LE 0xCED7230A | u32 LE length | data | padding to
/// 4 bytes</c>) each holding one Record protobuf with <c>features["values"]</c> (dense, or sparse with keys and shape)
/// and, when training, <c>label["values"]</c>.
/// </summary>
internal sealed class RecordIoProtobufReader(Stream stream, string name, RecordLayout layout) : IRecordReader
{
    public const uint Magic = 0xCED7230A;
    private const string ValuesKey = "values";
    private readonly Stream _stream = new BufferedStream(stream, 1 << 20);
    private readonly byte[] _header = new byte[8];
    private byte[] _payload = new byte[4096];
    private long _recordNumber;

    public bool Read(FeatureRecord record)
    {
        var headerBytes = _stream.ReadAtLeast(_header, 8, throwOnEndOfStream: false);
        if (headerBytes == 0)
        {
            return false;
        }

        _recordNumber++;
        record.Position = $"{name} record {_recordNumber}";
        if (headerBytes < 8 || BinaryPrimitives.ReadUInt32LittleEndian(_header) != Magic)
        {
            throw new AlgorithmException($"{record.Position}: not a RecordIO frame (magic 0xCED7230A expected).");
        }

        var lengthWord = BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(4));
        if (lengthWord >> 29 != 0)
        {
            throw new AlgorithmException($"{record.Position}: multi-part RecordIO records are not supported.");
        }

        var length = (int)(lengthWord & 0x1FFFFFFF);
        var padded = (length + 3) & ~3;
        if (_payload.Length < padded)
        {
            _payload = new byte[padded];
        }

        if (_stream.ReadAtLeast(_payload.AsSpan(0, padded), padded, throwOnEndOfStream: false) < padded)
        {
            throw new AlgorithmException($"{record.Position}: the stream ends inside the record.");
        }

        Fill(record, _payload.AsSpan(0, length));
        return true;
    }

    private void Fill(FeatureRecord record, ReadOnlySpan<byte> payload)
    {
        Dictionary<string, RecordTensor> features, label;
        try
        {
            (features, label) = RecordProtobuf.Decode(payload);
        }
        catch (InvalidDataException e)
        {
            throw new AlgorithmException($"{record.Position}: not a valid Record protobuf ({e.Message}).");
        }

        if (!features.TryGetValue(ValuesKey, out var tensor))
        {
            throw new AlgorithmException($"{record.Position}: the record has no features[\"values\"] tensor.");
        }

        var position = record.Position;
        Load(record, tensor);
        record.Position = position;
        if (layout.HasLabel)
        {
            if (!label.TryGetValue(ValuesKey, out var labelTensor) || labelTensor.Values.Count == 0)
            {
                throw new AlgorithmException($"{record.Position}: the record has no label[\"values\"].");
            }

            record.Label = labelTensor.Values[0];
            record.HasLabel = true;
        }
    }

    /// <summary>Fills <paramref name="record"/> with a tensor's values, sparse when it has keys; shared with payload parsing.</summary>
    public static void Load(FeatureRecord record, RecordTensor tensor)
    {
        if (tensor.Keys is null)
        {
            record.Clear(dense: true);
            foreach (var value in tensor.Values)
            {
                record.Add(value);
            }

            return;
        }

        if (tensor.Keys.Count != tensor.Values.Count)
        {
            throw new AlgorithmException($"{record.Position}: the sparse tensor has {tensor.Keys.Count} keys but {tensor.Values.Count} values.");
        }

        var dimension = tensor.Shape.Count > 0 ? tensor.Shape[0] : long.MaxValue;
        record.Clear(dense: false);
        for (var i = 0; i < tensor.Keys.Count; i++)
        {
            var key = tensor.Keys[i];
            if (key >= dimension || key > int.MaxValue || (record.Count > 0 && key <= record.Indices[record.Count - 1]))
            {
                throw new AlgorithmException($"{record.Position}: sparse key {key} is out of order or outside the shape [{dimension}].");
            }

            record.Add((int)key, tensor.Values[i]);
        }

        record.DeclaredDimension = tensor.Shape.Count > 0 && tensor.Shape[0] <= int.MaxValue ? (int)tensor.Shape[0] : null;
    }

    /// <summary>Writes one RecordIO frame around <paramref name="payload"/>.</summary>
    public static void WriteFrame(Stream output, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)payload.Length);
        output.Write(header);
        output.Write(payload);
        Span<byte> padding = stackalloc byte[3];
        padding.Clear();
        output.Write(padding[..((4 - (payload.Length % 4)) % 4)]);
    }

    public void Dispose() => _stream.Dispose();
}
