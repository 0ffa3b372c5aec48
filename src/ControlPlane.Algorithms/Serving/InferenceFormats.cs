using System.Globalization;
using System.Text;
using System.Text.Json;
using ControlPlane.Algorithms.Data;

namespace ControlPlane.Algorithms.Serving;

/// <summary>
/// What an algorithm's endpoint accepts and answers (contract 7.1–7.3): request content types, response types by
/// <c>Accept</c> with a default, and the response body for a batch of predictions.
/// </summary>
internal abstract class InferenceFormats
{
    public const string DefaultAcceptVariable = "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT";

    public abstract IReadOnlyList<string> ContentTypes { get; }

    public abstract IReadOnlyList<string> Accepts { get; }

    /// <summary>The response type for a missing or <c>*/*</c> Accept (overridable with <see cref="DefaultAcceptVariable"/>).</summary>
    public abstract string DefaultAccept { get; }

    public abstract byte[] Write(string accept, IReadOnlyList<Prediction> predictions);

    public static InferenceFormats For(string algorithm) => algorithm switch
    {
        XGBoost.XgboostAlgorithm.AlgorithmName => new XgboostFormats(),
        AlgorithmCatalog.LinearLearner => new LinearLearnerFormats(),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "no inference formats"),
    };

    /// <summary>The first supported type of an Accept header (parameters and q-values ignored, in the order given); null when none is.</summary>
    public string? Negotiate(string? acceptHeader)
    {
        var fallback = Environment.GetEnvironmentVariable(DefaultAcceptVariable) is { Length: > 0 } configured && Accepts.Contains(DataFormats.MediaType(configured))
            ? DataFormats.MediaType(configured)
            : DefaultAccept;
        if (string.IsNullOrWhiteSpace(acceptHeader))
        {
            return fallback;
        }

        foreach (var part in acceptHeader.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var type = DataFormats.MediaType(part);
            if (type is "*/*")
            {
                return fallback;
            }

            if (Accepts.Contains(type))
            {
                return type;
            }
        }

        return null;
    }

    protected static byte[] JsonPredictions(IReadOnlyList<Prediction> predictions, Action<Utf8JsonWriter, Prediction> writeOne)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("predictions");
            foreach (var prediction in predictions)
            {
                writer.WriteStartObject();
                writeOne(writer, prediction);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    protected static byte[] JsonLinePredictions(IReadOnlyList<Prediction> predictions, Action<Utf8JsonWriter, Prediction> writeOne)
    {
        var buffer = new MemoryStream();
        foreach (var prediction in predictions)
        {
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writeOne(writer, prediction);
                writer.WriteEndObject();
            }

            buffer.WriteByte((byte)'\n');
        }

        return buffer.ToArray();
    }

    protected static byte[] RecordIoPredictions(IReadOnlyList<Prediction> predictions, Func<Prediction, IReadOnlyList<(string Key, float[] Values)>> label)
    {
        var buffer = new MemoryStream();
        foreach (var prediction in predictions)
        {
            RecordIoProtobufReader.WriteFrame(buffer, RecordProtobuf.Encode([], label(prediction)));
        }

        return buffer.ToArray();
    }

    protected static byte[] CsvLines(IReadOnlyList<Prediction> predictions, Func<Prediction, IEnumerable<float>> fields)
    {
        var text = new StringBuilder();
        foreach (var prediction in predictions)
        {
            // Exponents as Python prints them (1e-05), which is what the SageMaker containers answer.
            text.AppendJoin(',', fields(prediction).Select(value => value.ToString(CultureInfo.InvariantCulture).Replace('E', 'e'))).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    protected static void WriteScore(Utf8JsonWriter writer, Prediction prediction)
    {
        if (prediction.ClassScores is { } scores)
        {
            writer.WriteStartArray("score");
            foreach (var score in scores)
            {
                writer.WriteNumberValue(score);
            }

            writer.WriteEndArray();
        }
        else
        {
            writer.WriteNumber("score", prediction.Score);
        }
    }

    protected static float[] Scores(Prediction prediction) => prediction.ClassScores ?? [prediction.Score];
}

/// <summary>
/// SageMaker XGBoost (containers ≥ 1.5-1): CSV one prediction per line (a row of class probabilities for
/// multi:softprob), JSON <c>{"predictions":[{"score":...}]}</c>, JSON Lines, RecordIO-protobuf with label <c>score</c>.
/// </summary>
internal sealed class XgboostFormats : InferenceFormats
{
    public override IReadOnlyList<string> ContentTypes { get; } = [DataFormats.Csv, DataFormats.LibSvm, DataFormats.XLibSvm, DataFormats.RecordIoProtobuf];

    public override IReadOnlyList<string> Accepts { get; } = [DataFormats.Csv, PayloadReader.Json, PayloadReader.JsonLines, DataFormats.RecordIoProtobuf];

    public override string DefaultAccept => DataFormats.Csv;

    public override byte[] Write(string accept, IReadOnlyList<Prediction> predictions) => accept switch
    {
        DataFormats.Csv => CsvLines(predictions, Scores),
        PayloadReader.Json => JsonPredictions(predictions, WriteScore),
        PayloadReader.JsonLines => JsonLinePredictions(predictions, WriteScore),
        _ => RecordIoPredictions(predictions, p => [("score", Scores(p))]),
    };
}

/// <summary>
/// Linear Learner: JSON <c>{"predictions":[{"score":...,"predicted_label":...}]}</c> (default), JSON Lines, RecordIO-protobuf
/// with labels <c>score</c> and <c>predicted_label</c>, and CSV lines <c>predicted_label,score...</c> (regressor: <c>score</c>).
/// </summary>
internal sealed class LinearLearnerFormats : InferenceFormats
{
    public override IReadOnlyList<string> ContentTypes { get; } = [DataFormats.Csv, PayloadReader.Json, PayloadReader.JsonLines, DataFormats.RecordIoProtobuf];

    public override IReadOnlyList<string> Accepts { get; } = [PayloadReader.Json, PayloadReader.JsonLines, DataFormats.RecordIoProtobuf, DataFormats.Csv];

    public override string DefaultAccept => PayloadReader.Json;

    public override byte[] Write(string accept, IReadOnlyList<Prediction> predictions) => accept switch
    {
        PayloadReader.Json => JsonPredictions(predictions, WriteOne),
        PayloadReader.JsonLines => JsonLinePredictions(predictions, WriteOne),
        DataFormats.Csv => CsvLines(predictions, p => p.PredictedLabel is { } label ? [label, .. Scores(p)] : Scores(p)),
        _ => RecordIoPredictions(predictions, p => p.PredictedLabel is { } label ? [("score", Scores(p)), ("predicted_label", [label])] : [("score", Scores(p))]),
    };

    private static void WriteOne(Utf8JsonWriter writer, Prediction prediction)
    {
        WriteScore(writer, prediction);
        if (prediction.PredictedLabel is { } label)
        {
            writer.WriteNumber("predicted_label", label);
        }
    }
}
