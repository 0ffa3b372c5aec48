using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ControlPlane.Algorithms.LinearLearner;

/// <summary>What the model file says besides the numbers; <see cref="DecisionThreshold"/> is a margin (logit for logistic).</summary>
internal sealed record LinearModelHeader(
    int FormatVersion,
    PredictorType PredictorType,
    ScalarLossKind Loss,
    int FeatureCount,
    int OutputCount,
    float DecisionThreshold,
    CandidateSettings Selected);

/// <summary>The hyperparameters of the candidate a model came from, recorded so the choice can be inspected.</summary>
internal sealed record CandidateSettings(int Index, double LearningRate, double Wd, double L1, double PositiveWeight);

[JsonSourceGenerationOptions(WriteIndented = true, UseStringEnumConverter = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(LinearModelHeader))]
internal sealed partial class LinearModelJson : JsonSerializerContext;

/// <summary>
/// A trained linear model over the user's raw features: margins z = W x + b, with the scaler and the label
/// normalisation folded into W and b. Immutable, so scoring is thread-safe. Saved as <see cref="HeaderFile"/> (JSON)
/// and <see cref="WeightsFile"/> (little-endian float32: OutputCount × FeatureCount weights row by row, then
/// OutputCount biases).
/// </summary>
internal sealed class LinearModel : IScoringModel
{
    public const string HeaderFile = "linear-learner-model.json";
    public const string WeightsFile = "linear-learner-weights.bin";
    private const int CurrentFormat = 1;

    private readonly float[] _weights;
    private readonly float[] _biases;

    public LinearModel(LinearModelHeader header, float[] weights, float[] biases)
    {
        Header = header;
        _weights = weights;
        _biases = biases;
    }

    public LinearModelHeader Header { get; }

    public int FeatureCount => Header.FeatureCount;

    public ReadOnlySpan<float> Weights => _weights;

    public ReadOnlySpan<float> Biases => _biases;

    /// <summary>
    /// Folds the transforms training used back into the weights: for x' = (x - o) · f and a label y = y' · s + m,
    /// z = s · (w·f)·x + s · (b - (w·f)·o) + m.
    /// </summary>
    public static LinearModel Fold(LinearModelHeader header, ReadOnlySpan<float> weights, ReadOnlySpan<float> biases,
        FeatureScaler? scaler, LabelScaler labelScaler)
    {
        var d = header.FeatureCount;
        var folded = weights.ToArray();
        var foldedBiases = new float[header.OutputCount];
        for (var k = 0; k < header.OutputCount; k++)
        {
            var w = folded.AsSpan(k * d, d);
            double bias = biases[k];
            if (scaler is not null)
            {
                TensorPrimitives.Multiply(w, scaler.Factor, w);
                bias -= TensorPrimitives.Dot<float>(w, scaler.Offset);
            }
            TensorPrimitives.Multiply(w, (float)labelScaler.Scale, w);
            foldedBiases[k] = (float)(bias * labelScaler.Scale + labelScaler.Offset);
        }
        return new LinearModel(header, folded, foldedBiases);
    }

    public LinearModel WithThreshold(float threshold) => new(Header with { DecisionThreshold = threshold }, _weights, _biases);

    /// <summary>Margins of <paramref name="count"/> rows of <paramref name="rows"/> into <paramref name="margins"/> (count × OutputCount).</summary>
    public void ComputeMargins(ReadOnlySpan<float> rows, int count, Span<float> margins)
    {
        var d = FeatureCount;
        var outputs = Header.OutputCount;
        for (var i = 0; i < count; i++)
        {
            var row = rows.Slice(i * d, d);
            for (var k = 0; k < outputs; k++) margins[i * outputs + k] = TensorPrimitives.Dot(row, _weights.AsSpan(k * d, d)) + _biases[k];
        }
    }

    public IReadOnlyList<Prediction> Score(IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var outputs = Header.OutputCount;
        var margins = new float[outputs];
        var predictions = new Prediction[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (row.Length != FeatureCount)
            {
                throw new AlgorithmException($"Record {i + 1} has {row.Length} features; the model expects {FeatureCount}.");
            }
            ComputeMargins(row, 1, margins);
            predictions[i] = Predict(margins);
        }
        return predictions;
    }

    private Prediction Predict(ReadOnlySpan<float> margins)
    {
        switch (Header.PredictorType)
        {
            case PredictorType.BinaryClassifier:
                var z = margins[0];
                var score = Header.Loss == ScalarLossKind.Logistic ? (float)ScalarLoss.Sigmoid(z) : z;
                return new Prediction(score, z >= Header.DecisionThreshold ? 1f : 0f, null);
            case PredictorType.MulticlassClassifier:
                var probabilities = new float[margins.Length];
                SoftmaxLoss.Apply(margins, 0, probabilities);
                var best = TensorPrimitives.IndexOfMax<float>(probabilities);
                return new Prediction(probabilities[best], best, probabilities);
            default:
                return new Prediction(margins[0], null, null);
        }
    }

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, HeaderFile), JsonSerializer.Serialize(Header, LinearModelJson.Default.LinearModelHeader));
        var bytes = new byte[(_weights.Length + _biases.Length) * sizeof(float)];
        var offset = 0;
        foreach (var value in _weights.Concat(_biases))
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(offset), value);
            offset += sizeof(float);
        }
        File.WriteAllBytes(Path.Combine(directory, WeightsFile), bytes);
    }

    public static LinearModel Load(string directory)
    {
        var headerPath = Path.Combine(directory, HeaderFile);
        var weightsPath = Path.Combine(directory, WeightsFile);
        if (!File.Exists(headerPath) || !File.Exists(weightsPath))
        {
            throw new AlgorithmException($"'{directory}' does not hold a Linear Learner model ({HeaderFile} and {WeightsFile}).");
        }
        LinearModelHeader header;
        try
        {
            header = JsonSerializer.Deserialize(File.ReadAllText(headerPath), LinearModelJson.Default.LinearModelHeader)
                ?? throw new AlgorithmException($"{HeaderFile} is empty.");
        }
        catch (JsonException e)
        {
            throw new AlgorithmException($"{HeaderFile} is not a Linear Learner model header: {e.Message}");
        }
        if (header.FormatVersion != CurrentFormat) throw new AlgorithmException($"{HeaderFile} has format {header.FormatVersion}; this version reads {CurrentFormat}.");
        var bytes = File.ReadAllBytes(weightsPath);
        var weightCount = (long)header.OutputCount * header.FeatureCount;
        if (bytes.Length != (weightCount + header.OutputCount) * sizeof(float))
        {
            throw new AlgorithmException($"{WeightsFile} has {bytes.Length} bytes; {header.OutputCount} × {header.FeatureCount} weights and {header.OutputCount} biases need {(weightCount + header.OutputCount) * sizeof(float)}.");
        }
        var values = new float[bytes.Length / sizeof(float)];
        for (var i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        return new LinearModel(header, values[..(int)weightCount], values[(int)weightCount..]);
    }

    public static LinearModelHeader NewHeader(LinearLearnerSettings settings, int featureCount, CandidateSettings candidate) =>
        new(CurrentFormat, settings.PredictorType, settings.Loss, featureCount, settings.OutputCount, 0f, candidate);
}
