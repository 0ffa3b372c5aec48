using System.Text;
using ControlPlane.Algorithms.Data;

namespace ControlPlane.Algorithms.Tests.Data;

public sealed class RecordReaderTests
{
    private static List<(float Label, float Weight, float[] Row)> ReadAll(DataFormat format, byte[] bytes, RecordLayout layout, int width)
    {
        using var reader = RecordReaders.Open(format, new MemoryStream(bytes), "train/part.csv", layout);
        var record = new FeatureRecord();
        var rows = new List<(float, float, float[])>();
        while (reader.Read(record))
        {
            var row = new float[width];
            record.CopyTo(row);
            rows.Add((record.Label, record.Weight, row));
        }

        return rows;
    }

    private static List<(float Label, float Weight, float[] Row)> ReadAll(DataFormat format, string text, RecordLayout layout, int width) =>
        ReadAll(format, Encoding.UTF8.GetBytes(text), layout, width);

    [Fact]
    public void Csv_takes_the_label_from_the_first_column_and_skips_blank_lines()
    {
        var rows = ReadAll(DataFormat.Csv, "1,0.5,2\r\n\n0,-1e-3,4\n", RecordLayout.Training, 2);

        Assert.Equal([1f, 0f], rows.Select(r => r.Label));
        Assert.Equal([0.5f, 2f], rows[0].Row);
        Assert.Equal([-0.001f, 4f], rows[1].Row);
    }

    [Fact]
    public void Csv_with_csv_weights_reads_the_second_column_as_the_instance_weight()
    {
        var rows = ReadAll(DataFormat.Csv, "1,2.5,7,8\n", RecordLayout.Training with { CsvWeights = true }, 2);

        Assert.Equal(2.5f, rows[0].Weight);
        Assert.Equal([7f, 8f], rows[0].Row);
    }

    [Fact]
    public void Csv_empty_feature_field_is_a_missing_value()
    {
        var rows = ReadAll(DataFormat.Csv, "1,,3\n", RecordLayout.Training, 2);

        Assert.True(float.IsNaN(rows[0].Row[0]));
    }

    [Fact]
    public void Csv_bad_number_is_reported_with_file_line_and_column()
    {
        var error = Assert.Throws<AlgorithmException>(() => ReadAll(DataFormat.Csv, "1,2,3\n0,abc,3\n", RecordLayout.Training, 2));

        Assert.Equal("train/part.csv line 2: column 2 ('abc') is not a number.", error.Message);
    }

    [Fact]
    public void Csv_rows_of_different_widths_are_refused()
    {
        var error = Assert.Throws<AlgorithmException>(() => ReadAll(DataFormat.Csv, "1,2,3\n0,2\n", RecordLayout.Training, 2));

        Assert.Contains("line 2: the row has 2 columns, the rows before it 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_missing_label_is_refused()
    {
        var error = Assert.Throws<AlgorithmException>(() => ReadAll(DataFormat.Csv, ",2,3\n", RecordLayout.Training, 2));

        Assert.Contains("line 1: column 1 ('') is not a number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LibSvm_reads_zero_based_indices_and_optional_weights()
    {
        var rows = ReadAll(DataFormat.LibSvm, "1:0.5 0:1.5 3:2 # comment\n0 2:-1\n", RecordLayout.Training, 4);

        Assert.Equal((1f, 0.5f), (rows[0].Label, rows[0].Weight));
        Assert.Equal([1.5f, 0, 0, 2], rows[0].Row);
        Assert.Equal((0f, 1f), (rows[1].Label, rows[1].Weight));
        Assert.Equal([0, 0, -1f, 0], rows[1].Row);
    }

    [Theory]
    [InlineData("1 0:1 x:2\n", "train/part.csv line 1: feature index 'x' is not a non-negative integer.")]
    [InlineData("1 0:1 3\n", "train/part.csv line 1: '3' is not <index>:<value>.")]
    [InlineData("1 3:1 2:2\n", "train/part.csv line 1: feature index 2 does not come after 3; indices must be ascending.")]
    [InlineData("1 0:1 1:zz\n", "train/part.csv line 1: the value of feature 1 'zz' is not a number.")]
    [InlineData("one 0:1\n", "train/part.csv line 1: label 'one' is not a number.")]
    [InlineData("1 qid:3 0:1\n", "train/part.csv line 1: qid (ranking groups) is not supported.")]
    public void LibSvm_malformed_rows_are_reported_with_their_line(string text, string message)
    {
        var error = Assert.Throws<AlgorithmException>(() => ReadAll(DataFormat.LibSvm, text, RecordLayout.Training, 4));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void RecordIo_protobuf_reads_dense_and_sparse_float32_records()
    {
        var stream = new MemoryStream();
        RecordIoProtobufReader.WriteFrame(stream, RecordProtobuf.Encode([("values", [1f, 2f, 3f])], [("values", [1f])]));
        RecordIoProtobufReader.WriteFrame(stream, RecordProtobuf.EncodeSparse([("values", [5f, 6f], [0, 2], 3)], [("values", [0f])]));

        var rows = ReadAll(DataFormat.RecordIoProtobuf, stream.ToArray(), RecordLayout.Training, 3);

        Assert.Equal([1f, 0f], rows.Select(r => r.Label));
        Assert.Equal([1f, 2f, 3f], rows[0].Row);
        Assert.Equal([5f, 0f, 6f], rows[1].Row);
    }

    [Fact]
    public void RecordIo_frame_without_the_magic_number_is_refused()
    {
        var error = Assert.Throws<AlgorithmException>(() => ReadAll(DataFormat.RecordIoProtobuf, [1, 2, 3, 4, 5, 6, 7, 8], RecordLayout.Training, 1));

        Assert.Equal("train/part.csv record 1: not a RecordIO frame (magic 0xCED7230A expected).", error.Message);
    }

    [Fact]
    public void RecordIo_truncated_record_and_garbage_protobuf_are_refused()
    {
        var stream = new MemoryStream();
        RecordIoProtobufReader.WriteFrame(stream, RecordProtobuf.Encode([("values", [1f, 2f])], [("values", [1f])]));
        var truncated = stream.ToArray()[..^4];
        var garbage = new MemoryStream();
        RecordIoProtobufReader.WriteFrame(garbage, [0x0A, 0xFF, 0xFF, 0xFF]);

        Assert.Contains("ends inside the record", Assert.Throws<AlgorithmException>(() => ReadAll(DataFormat.RecordIoProtobuf, truncated, RecordLayout.Training, 2)).Message, StringComparison.Ordinal);
        Assert.Contains("not a valid Record protobuf", Assert.Throws<AlgorithmException>(() => ReadAll(DataFormat.RecordIoProtobuf, garbage.ToArray(), RecordLayout.Training, 2)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RecordIo_training_record_without_a_label_is_refused()
    {
        var stream = new MemoryStream();
        RecordIoProtobufReader.WriteFrame(stream, RecordProtobuf.Encode([("values", [1f])], []));

        var error = Assert.Throws<AlgorithmException>(() => ReadAll(DataFormat.RecordIoProtobuf, stream.ToArray(), RecordLayout.Training, 1));

        Assert.Equal("train/part.csv record 1: the record has no label[\"values\"].", error.Message);
    }
}
