using ControlPlane.Core.Transform;

namespace ControlPlane.Orchestration.Transform;

/// <summary>BatchStrategy wire values.</summary>
internal enum BatchStrategy
{
    MultiRecord,
    SingleRecord,
}

/// <summary>TransformOutput.AssembleWith wire values.</summary>
internal enum AssembleWith
{
    None,
    Line,
}

/// <summary>DataProcessing.JoinSource wire values.</summary>
internal enum JoinSource
{
    None,
    Input,
}

/// <summary>How records are read for DataProcessing: CSV rows are JSON arrays of their fields, JSON is JSON.</summary>
internal enum RecordFormat
{
    Opaque,
    Csv,
    Json,
}

/// <summary>DataProcessing with its filters parsed.</summary>
internal sealed record DataProcessing(JsonPathSubset InputFilter, JsonPathSubset OutputFilter, JoinSource JoinSource)
{
    /// <summary>Records pass through untouched: no parsing, no per-record output.</summary>
    public bool IsIdentity => InputFilter.IsIdentity && OutputFilter.IsIdentity && JoinSource == JoinSource.None;

    /// <summary>Outputs must be matched to their records (joined or filtered one by one).</summary>
    public bool NeedsRecordOutputs => !OutputFilter.IsIdentity || JoinSource == JoinSource.Input;
}

/// <summary>
/// Everything about one transform job that decides how an object becomes its <c>.out</c>. MaxPayloadBytes is
/// MaxPayloadInMB in bytes (0: no limit); MaxConcurrentTransforms is the requests in flight per instance.
/// </summary>
internal sealed record TransformPlan(
    SplitType SplitType,
    bool Gzip,
    BatchStrategy BatchStrategy,
    long MaxPayloadBytes,
    int MaxConcurrentTransforms,
    string? ContentType,
    string? Accept,
    AssembleWith AssembleWith,
    DataProcessing DataProcessing)
{
    public RecordFormat InputFormat => FormatOf(ContentType);

    public RecordFormat OutputFormat => FormatOf(Accept);

    public static RecordFormat FormatOf(string? mediaType)
    {
        var type = mediaType?.Split(';')[0].Trim().ToLowerInvariant();
        return type switch
        {
            "text/csv" => RecordFormat.Csv,
            "application/json" or "application/jsonlines" or "application/x-jsonlines" => RecordFormat.Json,
            _ => RecordFormat.Opaque,
        };
    }
}
