using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ControlPlane.Algorithms.LinearLearner;

/// <summary>Up to <see cref="Capacity"/> dense rows: features row-major, labels, instance weights (1 without a weight column).</summary>
internal sealed class MiniBatch(int capacity, int featureCount)
{
    public int Capacity { get; } = capacity;
    public int FeatureCount { get; } = featureCount;
    public float[] Features { get; } = new float[capacity * featureCount];
    public float[] Labels { get; } = new float[capacity];
    public float[] Weights { get; } = new float[capacity];
    public int Count { get; set; }

    public ReadOnlySpan<float> Row(int i) => Features.AsSpan(i * FeatureCount, FeatureCount);
}

/// <summary>Per-feature affine map x' = (x - offset) * factor: standardisation and centring learnt from the scaler sample.</summary>
internal sealed record FeatureScaler(float[] Offset, float[] Factor)
{
    public void Apply(Span<float> row)
    {
        TensorPrimitives.Subtract(row, Offset, row);
        TensorPrimitives.Multiply(row, Factor, row);
    }
}

/// <summary>y' = (y - Offset) / Scale for regression labels (normalize_label / unbias_label).</summary>
internal readonly record struct LabelScaler(double Offset, double Scale)
{
    public static LabelScaler Identity => new(0, 1);
}

/// <summary>
/// Streams a channel as mini-batches through one reused buffer: only one batch is in memory at a time. Labels are
/// checked against the predictor type (0/1, class indexes below num_classes, finite values) and rows with NaN or
/// infinite features are rejected, each with the row number.
/// </summary>
internal sealed class MiniBatchReader(PredictorType predictor, int classCount, int featureCount)
{
    public IEnumerable<MiniBatch> Read(IDataView view, string channel, int batchSize, FeatureScaler? scaler, LabelScaler labelScaler,
        CancellationToken cancellation)
    {
        var schema = view.Schema;
        var labelColumn = schema[TrainingData.LabelColumn];
        var featuresColumn = schema[TrainingData.FeaturesColumn];
        var weightColumn = schema.GetColumnOrNull(TrainingData.WeightColumn);
        var columns = weightColumn is { } w ? new[] { labelColumn, featuresColumn, w } : [labelColumn, featuresColumn];
        using var cursor = view.GetRowCursor(columns);
        var getLabel = cursor.GetGetter<float>(labelColumn);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(featuresColumn);
        var getWeight = weightColumn is { } wc ? cursor.GetGetter<float>(wc) : null;
        var batch = new MiniBatch(batchSize, featureCount);
        var features = default(VBuffer<float>);
        long row = 0;
        while (cursor.MoveNext())
        {
            row++;
            var i = batch.Count;
            float label = 0, weight = 1;
            getLabel(ref label);
            getFeatures(ref features);
            getWeight?.Invoke(ref weight);
            if (features.Length != featureCount)
            {
                throw new AlgorithmException($"Channel '{channel}' row {row} has {features.Length} features; expected {featureCount}.");
            }
            var destination = batch.Features.AsSpan(i * featureCount, featureCount);
            features.CopyTo(destination);
            if (!float.IsFinite(TensorPrimitives.Sum<float>(destination)))
            {
                throw new AlgorithmException($"Channel '{channel}' row {row} has a NaN or infinite feature value.");
            }
            if (!float.IsFinite(weight) || weight < 0)
            {
                throw new AlgorithmException($"Channel '{channel}' row {row} has weight {weight}; weights must be finite and non-negative.");
            }
            CheckLabel(label, channel, row);
            scaler?.Apply(destination);
            batch.Labels[i] = (float)((label - labelScaler.Offset) / labelScaler.Scale);
            batch.Weights[i] = weight;
            batch.Count = i + 1;
            if (batch.Count == batchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                yield return batch;
                batch.Count = 0;
            }
        }
        if (batch.Count > 0) yield return batch;
    }

    private void CheckLabel(float label, string channel, long row)
    {
        var valid = predictor switch
        {
            PredictorType.BinaryClassifier => label is 0 or 1,
            PredictorType.MulticlassClassifier => label >= 0 && label < classCount && label == MathF.Floor(label),
            _ => float.IsFinite(label),
        };
        if (!valid)
        {
            var expected = predictor switch
            {
                PredictorType.BinaryClassifier => "0 or 1 for predictor_type 'binary_classifier'",
                PredictorType.MulticlassClassifier => $"an integer in [0, {classCount - 1}] for num_classes {classCount}",
                _ => "a finite number",
            };
            throw new AlgorithmException($"Channel '{channel}' row {row} has label {label}; the label must be {expected}.");
        }
    }
}
