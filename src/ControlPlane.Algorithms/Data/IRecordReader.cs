namespace ControlPlane.Algorithms.Data;

/// <summary>Reads records one at a time from one stream; a malformed record throws <see cref="AlgorithmException"/> naming its position.</summary>
internal interface IRecordReader : IDisposable
{
    /// <summary>Fills <paramref name="record"/> with the next record; false at the end of the stream.</summary>
    bool Read(FeatureRecord record);
}

/// <param name="HasLabel">Training data carries a label (first CSV column, libsvm's first token); inference payloads do not.</param>
/// <param name="CsvWeights">XGBoost's <c>csv_weights=1</c>: the CSV column after the label is the instance weight.</param>
internal sealed record RecordLayout(bool HasLabel, bool CsvWeights)
{
    public static readonly RecordLayout Training = new(true, false);
    public static readonly RecordLayout Inference = new(false, false);
}

internal static class RecordReaders
{
    /// <summary>A reader for <paramref name="format"/>; <paramref name="name"/> is what messages call the stream (a path in the channel, or <c>payload</c>).</summary>
    public static IRecordReader Open(DataFormat format, Stream stream, string name, RecordLayout layout) => format switch
    {
        DataFormat.Csv => new CsvRecordReader(stream, name, layout),
        DataFormat.LibSvm => new LibSvmRecordReader(stream, name, layout),
        DataFormat.RecordIoProtobuf => new RecordIoProtobufReader(stream, name, layout),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };
}
