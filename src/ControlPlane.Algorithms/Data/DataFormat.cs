namespace ControlPlane.Algorithms.Data;

/// <summary>The record formats of SageMaker's built-in algorithms (contract 7.1).</summary>
internal enum DataFormat
{
    Csv,
    LibSvm,
    RecordIoProtobuf,
}

internal static class DataFormats
{
    public const string Csv = "text/csv";
    public const string LibSvm = "text/libsvm";
    public const string XLibSvm = "text/x-libsvm";
    public const string RecordIoProtobuf = "application/x-recordio-protobuf";

    /// <summary>The media type without parameters (<c>text/csv; label_size=1</c> is <c>text/csv</c>), lower-cased.</summary>
    public static string MediaType(string contentType)
    {
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim().ToLowerInvariant();
    }

    public static string ContentType(DataFormat format) => format switch
    {
        DataFormat.Csv => Csv,
        DataFormat.LibSvm => LibSvm,
        _ => RecordIoProtobuf,
    };

    /// <summary>The format of a content type, or null when it is none of the three.</summary>
    public static DataFormat? Parse(string contentType) => MediaType(contentType) switch
    {
        Csv => DataFormat.Csv,
        LibSvm or XLibSvm => DataFormat.LibSvm,
        RecordIoProtobuf => DataFormat.RecordIoProtobuf,
        _ => null,
    };
}
