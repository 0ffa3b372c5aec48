using Microsoft.ML;

namespace ControlPlane.Algorithms.LinearLearner;

/// <summary>
/// What the first num_point_for_scaler training rows tell: per-feature mean and standard deviation (for
/// normalize_data / unbias_data), the label's (for normalize_label / unbias_label) and the weighted count of each class
/// (for positive_example_weight_mult balanced/auto and balance_multiclass_weights). Accumulated streaming (Welford),
/// so the sample itself is never held.
/// </summary>
internal sealed class ScalerSample
{
    private readonly double[] _mean;
    private readonly double[] _m2;
    private double _labelMean;
    private double _labelM2;

    private ScalerSample(int featureCount, int classCount)
    {
        _mean = new double[featureCount];
        _m2 = new double[featureCount];
        ClassWeights = new double[classCount];
    }

    public long Rows { get; private set; }

    /// <summary>Summed instance weight per class (classifiers only).</summary>
    public double[] ClassWeights { get; }

    public static ScalerSample Take(IDataView train, MiniBatchReader reader, LinearLearnerSettings settings, int featureCount,
        CancellationToken cancellation)
    {
        var sample = new ScalerSample(featureCount, settings.PredictorType == PredictorType.Regressor ? 0 : settings.ClassCount);
        var batchSize = Math.Min(settings.MiniBatchSize, settings.ScalerSampleCount);
        foreach (var batch in reader.Read(train, "train", batchSize, null, LabelScaler.Identity, cancellation))
        {
            for (var i = 0; i < batch.Count && sample.Rows < settings.ScalerSampleCount; i++) sample.Add(batch.Row(i), batch.Labels[i], batch.Weights[i]);
            if (sample.Rows >= settings.ScalerSampleCount) break;
        }
        if (sample.Rows == 0) throw new AlgorithmException("Channel 'train' has no rows.");
        return sample;
    }

    private void Add(ReadOnlySpan<float> row, float label, float weight)
    {
        Rows++;
        for (var j = 0; j < row.Length; j++)
        {
            var delta = row[j] - _mean[j];
            _mean[j] += delta / Rows;
            _m2[j] += delta * (row[j] - _mean[j]);
        }
        var labelDelta = label - _labelMean;
        _labelMean += labelDelta / Rows;
        _labelM2 += labelDelta * (label - _labelMean);
        if (ClassWeights.Length > 0) ClassWeights[(int)label] += weight;
    }

    /// <summary>Null when neither normalize_data nor unbias_data asks for a transform.</summary>
    public FeatureScaler? CreateFeatureScaler(bool normalize, bool unbias)
    {
        if (!normalize && !unbias) return null;
        var offset = new float[_mean.Length];
        var factor = new float[_mean.Length];
        for (var j = 0; j < _mean.Length; j++)
        {
            offset[j] = unbias ? (float)_mean[j] : 0f;
            // A constant feature (deviation 0) is left unscaled rather than divided by zero.
            var deviation = Math.Sqrt(_m2[j] / Rows);
            factor[j] = normalize && deviation > 1e-12 ? (float)(1 / deviation) : 1f;
        }
        return new FeatureScaler(offset, factor);
    }

    public LabelScaler CreateLabelScaler(bool normalize, bool unbias)
    {
        var deviation = Math.Sqrt(_labelM2 / Rows);
        return new LabelScaler(unbias ? _labelMean : 0, normalize && deviation > 1e-12 ? deviation : 1);
    }
}
