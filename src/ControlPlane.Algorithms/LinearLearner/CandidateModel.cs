using System.Numerics.Tensors;

namespace ControlPlane.Algorithms.LinearLearner;

/// <summary>
/// One of the num_models linear models trained side by side on standardised features (and labels). Each mini-batch:
/// margins, the mean weighted loss gradient plus weight decay, an optimizer step at the scheduled learning rate with
/// l1 as its proximal soft-threshold. A model whose parameters stop being finite is marked diverged and left alone.
/// </summary>
internal sealed class CandidateModel
{
    private readonly LinearLearnerSettings _settings;
    private readonly int _featureCount;
    private readonly int _outputs;
    private readonly ScalarLoss _loss;
    private readonly double _lossToUserUnits;
    private readonly double[] _classWeights;
    private readonly float[] _weights;
    private readonly float[] _biases;
    private readonly float[] _weightGradient;
    private readonly float[] _biasGradient;
    private readonly float[] _margins;
    private readonly float[] _probabilities;
    private readonly ParameterOptimizer _weightOptimizer;
    private readonly ParameterOptimizer _biasOptimizer;
    private double _lossSum;
    private double _weightSum;

    /// <summary><paramref name="classWeights"/>: per-class loss weights (multiclass balancing); binary models use their own positive weight.</summary>
    public CandidateModel(LinearLearnerSettings settings, CandidateSettings candidate, int featureCount, double[]? classWeights, LabelScaler labelScaler)
    {
        _settings = settings;
        Settings = candidate;
        _featureCount = featureCount;
        _outputs = settings.OutputCount;
        _loss = ScalarLoss.From(settings).ForLabelScale(labelScaler.Scale);
        _lossToUserUnits = Math.Pow(labelScaler.Scale, _loss.LabelScalePower);
        _classWeights = settings.PredictorType switch
        {
            PredictorType.BinaryClassifier => [1, candidate.PositiveWeight],
            PredictorType.MulticlassClassifier => classWeights ?? Enumerable.Repeat(1.0, _outputs).ToArray(),
            _ => [],
        };
        _weights = new float[_outputs * featureCount];
        _biases = new float[_outputs];
        _weightGradient = new float[_weights.Length];
        _biasGradient = new float[_outputs];
        _margins = new float[_outputs];
        _probabilities = new float[_outputs];
        _weightOptimizer = new ParameterOptimizer(settings, _weights.Length);
        _biasOptimizer = new ParameterOptimizer(settings, _outputs);
        Initialise(candidate.Index);
    }

    public CandidateSettings Settings { get; }

    public bool Diverged { get; private set; }

    /// <summary>Mean weighted training loss since the last reset, in the user's label units.</summary>
    public double TrainingLoss => _weightSum > 0 ? _lossSum / _weightSum * _lossToUserUnits : double.NaN;

    public void ResetTrainingLoss() => (_lossSum, _weightSum) = (0, 0);

    private void Initialise(int index)
    {
        // Seeded per model: the same hyperparameters and data give the same model.
        var random = new Random(7919 + index);
        for (var j = 0; j < _weights.Length; j++)
        {
            _weights[j] = _settings.InitNormal
                ? (float)(_settings.InitSigma * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))
                : (float)(_settings.InitScale * (2 * random.NextDouble() - 1));
        }
        if (_settings.UseBias) Array.Fill(_biases, (float)_settings.InitBias);
    }

    /// <summary>One update from a mini-batch; <paramref name="step"/> counts the updates so far (for the learning-rate schedule).</summary>
    public void Train(MiniBatch batch, long step)
    {
        if (Diverged) return;
        Array.Clear(_weightGradient);
        Array.Clear(_biasGradient);
        var scale = 1f / batch.Count;
        for (var i = 0; i < batch.Count; i++)
        {
            var row = batch.Row(i);
            var label = batch.Labels[i];
            for (var k = 0; k < _outputs; k++) _margins[k] = TensorPrimitives.Dot(row, _weights.AsSpan(k * _featureCount, _featureCount)) + _biases[k];
            var weight = batch.Weights[i] * (_classWeights.Length > 0 ? _classWeights[(int)label] : 1);
            _weightSum += weight;
            if (_settings.PredictorType == PredictorType.MulticlassClassifier)
            {
                _lossSum += weight * SoftmaxLoss.Apply(_margins, (int)label, _probabilities);
                _probabilities[(int)label] -= 1;
                for (var k = 0; k < _outputs; k++) Accumulate(row, k, (float)(_probabilities[k] * weight) * scale);
            }
            else
            {
                _lossSum += weight * _loss.Value(_margins[0], label);
                Accumulate(row, 0, (float)(_loss.Derivative(_margins[0], label) * weight) * scale);
            }
        }
        var wd = (float)Settings.Wd;
        if (wd > 0)
        {
            TensorPrimitives.MultiplyAdd(_weights, wd, _weightGradient, _weightGradient);
            TensorPrimitives.MultiplyAdd(_biases, wd * (float)_settings.BiasWeightDecayMultiplier, _biasGradient, _biasGradient);
        }
        var learningRate = ScheduledLearningRate(step);
        _weightOptimizer.Step(_weights, _weightGradient, learningRate, Settings.L1);
        if (_settings.UseBias) _biasOptimizer.Step(_biases, _biasGradient, learningRate * _settings.BiasLearningRateMultiplier);
        Diverged = !float.IsFinite(TensorPrimitives.Sum<float>(_weights)) || !float.IsFinite(TensorPrimitives.Sum<float>(_biases));
    }

    private void Accumulate(ReadOnlySpan<float> row, int output, float coefficient)
    {
        if (coefficient == 0) return;
        var gradient = _weightGradient.AsSpan(output * _featureCount, _featureCount);
        TensorPrimitives.MultiplyAdd(row, coefficient, gradient, gradient);
        _biasGradient[output] += coefficient;
    }

    private double ScheduledLearningRate(long step)
    {
        var baseRate = Settings.LearningRate;
        if (!_settings.UseLearningRateScheduler) return baseRate;
        var decayed = baseRate * Math.Pow(_settings.LearningRateSchedulerFactor, step / _settings.LearningRateSchedulerStep);
        return Math.Max(decayed, Math.Min(baseRate, _settings.LearningRateSchedulerMinimum));
    }

    /// <summary>The model as it stands, over the user's raw features and labels.</summary>
    public LinearModel ToModel(FeatureScaler? scaler, LabelScaler labelScaler) =>
        LinearModel.Fold(LinearModel.NewHeader(_settings, _featureCount, Settings), _weights, _biases, scaler, labelScaler);
}

/// <summary>
/// The hyperparameters of the num_models candidates. The first uses exactly what was given (auto → learning rate
/// <see cref="LinearLearnerSettings.DefaultLearningRate"/>, l1 = wd = 0, positive weight 1); the others use close
/// values: the learning rate times 10^e for e in <see cref="s_learningRateExponents"/> (shifted by -0.25 per further
/// round past ten models), and, only where the user left them auto, wd from {0, 1e-4, 1e-2}, l1 from {0, 1e-4} and
/// the positive weight alternating between 1 and balanced.
/// </summary>
internal static class CandidateGrid
{
    private static readonly double[] s_learningRateExponents = [0, -1, 1, -2, -0.5, 0.5, -1.5, 1.5, -2.5, -3];
    private static readonly double[] s_wdValues = [0, 1e-4, 1e-2];
    private static readonly double[] s_l1Values = [0, 1e-4];

    public static CandidateSettings[] Create(LinearLearnerSettings settings, double balancedPositiveWeight)
    {
        var baseRate = settings.LearningRate ?? LinearLearnerSettings.DefaultLearningRate;
        var candidates = new CandidateSettings[settings.ModelCount];
        for (var k = 0; k < candidates.Length; k++)
        {
            var exponent = s_learningRateExponents[k % s_learningRateExponents.Length] - 0.25 * (k / s_learningRateExponents.Length);
            var positiveWeight = settings.PositiveWeightMode switch
            {
                PositiveWeightMode.Balanced => balancedPositiveWeight,
                PositiveWeightMode.Auto => k % 2 == 0 ? 1.0 : balancedPositiveWeight,
                _ => settings.PositiveWeight,
            };
            candidates[k] = new CandidateSettings(
                k,
                baseRate * Math.Pow(10, exponent),
                settings.Wd ?? s_wdValues[k % s_wdValues.Length],
                settings.L1 ?? s_l1Values[k / s_wdValues.Length % s_l1Values.Length],
                positiveWeight);
        }
        return candidates;
    }
}
