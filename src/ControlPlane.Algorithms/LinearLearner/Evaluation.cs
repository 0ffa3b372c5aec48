using System.Globalization;
using System.Numerics.Tensors;

namespace ControlPlane.Algorithms.LinearLearner;

/// <summary>One metric as Linear Learner logs it: <c>&lt;loss&gt;</c> (lower is better) or <c>&lt;score&gt;</c>.</summary>
internal readonly record struct QualityMetric(string Name, bool IsLoss, double Value);

/// <param name="Loss">The mean objective loss (instance-weighted, in the user's label units, without regularisation).</param>
/// <param name="SelectionScore">The selection criterion's value, oriented so that higher is better (loss → -loss).</param>
/// <param name="DecisionThreshold">For binary models: the margin threshold the criterion chose (or was given).</param>
/// <param name="Metrics">The objective first, then the predictor type's metrics, as logged.</param>
internal sealed record EvaluationResult(double Loss, double SelectionScore, float DecisionThreshold, IReadOnlyList<QualityMetric> Metrics)
{
    /// <summary>What early stopping watches: the criterion if the user named one, else the loss (both higher = better).</summary>
    public double EarlyStoppingScore(LinearLearnerSettings settings) => settings.CriterionExplicit ? SelectionScore : -Loss;
}

/// <summary>
/// Accumulates one model's margins over a channel, streaming: binary margins go into a fine histogram (1/128 wide over
/// [-32, 32)), from which the decision threshold for the selection criterion is searched exactly at bin edges;
/// multiclass keeps per-class counts; regression keeps sums. Nothing per row is kept.
/// </summary>
internal sealed class Evaluation
{
    private const double HistogramLow = -32;
    private const int BinsPerUnit = 128;
    private const int BinCount = 64 * BinsPerUnit;

    private readonly LinearLearnerSettings _settings;
    private readonly ScalarLoss _loss;
    private readonly int _outputs;
    private readonly float[] _probabilities;
    private double _lossSum;
    private double _weightSum;
    // Binary: weighted positives/negatives per margin bin; the calibration pair only sees the first num_calibration_samples rows.
    private readonly double[]? _positives, _negatives, _calibrationPositives, _calibrationNegatives;
    private long _rows;
    // Multiclass: weighted true, predicted and correct counts per class; top-k hits and DCG.
    private readonly double[]? _actual, _predicted, _correct;
    private double _topKHits;
    private double _dcg;
    // Regression.
    private double _squaredErrorSum;
    private double _absoluteErrorSum;

    public Evaluation(LinearLearnerSettings settings)
    {
        _settings = settings;
        _loss = ScalarLoss.From(settings);
        _outputs = settings.OutputCount;
        _probabilities = new float[_outputs];
        switch (settings.PredictorType)
        {
            case PredictorType.BinaryClassifier:
                _positives = new double[BinCount];
                _negatives = new double[BinCount];
                (_calibrationPositives, _calibrationNegatives) = settings.CalibrationSampleCount is null
                    ? (_positives, _negatives)
                    : (new double[BinCount], new double[BinCount]);
                break;
            case PredictorType.MulticlassClassifier:
                _actual = new double[_outputs];
                _predicted = new double[_outputs];
                _correct = new double[_outputs];
                break;
        }
    }

    /// <summary>Adds a row given its margins (one per output), its label (the user's units) and its instance weight.</summary>
    public void Add(ReadOnlySpan<float> margins, float label, float weight)
    {
        _rows++;
        _weightSum += weight;
        switch (_settings.PredictorType)
        {
            case PredictorType.BinaryClassifier:
                _lossSum += weight * _loss.Value(margins[0], label);
                var bin = Bin(margins[0]);
                (label > 0.5 ? _positives! : _negatives!)[bin] += weight;
                if (_settings.CalibrationSampleCount is { } limit && _rows <= limit)
                {
                    (label > 0.5 ? _calibrationPositives! : _calibrationNegatives!)[bin] += weight;
                }
                break;
            case PredictorType.MulticlassClassifier:
                var y = (int)label;
                _lossSum += weight * SoftmaxLoss.Apply(margins, y, _probabilities);
                var predicted = TensorPrimitives.IndexOfMax(margins);
                _actual![y] += weight;
                _predicted![predicted] += weight;
                if (predicted == y) _correct![y] += weight;
                // Rank of the true class: how many classes score above it.
                var rank = 0;
                foreach (var m in margins) if (m > margins[y]) rank++;
                if (rank < _settings.AccuracyTopK) _topKHits += weight;
                _dcg += weight / Math.Log2(rank + 2);
                break;
            default:
                var residual = (double)margins[0] - label;
                _lossSum += weight * _loss.Value(margins[0], label);
                _squaredErrorSum += weight * residual * residual;
                _absoluteErrorSum += weight * Math.Abs(residual);
                break;
        }
    }

    /// <summary>Margin bin: bin b holds [b/128 - 32, (b+1)/128 - 32), the ends open; edges are exact in float.</summary>
    private static int Bin(float margin) => float.IsNaN(margin) ? 0 :
        (int)Math.Clamp(Math.Floor((margin - HistogramLow) * BinsPerUnit), 0, BinCount - 1);

    /// <summary>Threshold index b (0..BinCount) as a margin: predict 1 when z ≥ it.</summary>
    private static float ThresholdMargin(int b) => b switch
    {
        0 => float.NegativeInfinity,
        BinCount => float.PositiveInfinity,
        _ => (float)(HistogramLow + (double)b / BinsPerUnit),
    };

    private static int ThresholdIndex(float margin) =>
        float.IsNegativeInfinity(margin) ? 0 : float.IsPositiveInfinity(margin) ? BinCount : Bin(margin) + (margin > HistogramLow + (double)Bin(margin) / BinsPerUnit ? 1 : 0);

    /// <summary>
    /// The metrics; for binary models the threshold is searched for the selection criterion unless
    /// <paramref name="threshold"/> fixes it (a chosen model evaluated on the test channel).
    /// </summary>
    public EvaluationResult Complete(float? threshold = null)
    {
        var weightSum = Math.Max(_weightSum, double.Epsilon);
        var loss = _lossSum / weightSum;
        var objective = new QualityMetric(_loss.Kind == ScalarLossKind.Softmax ? "multiclass_cross_entropy_objective" : _loss.ObjectiveName, true, loss);
        switch (_settings.PredictorType)
        {
            case PredictorType.BinaryClassifier:
                return CompleteBinary(objective, threshold);
            case PredictorType.MulticlassClassifier:
                return CompleteMulticlass(objective, weightSum);
            default:
                var metrics = new[]
                {
                    objective,
                    new QualityMetric("mse", true, _squaredErrorSum / weightSum),
                    new QualityMetric("absolute_loss", true, _absoluteErrorSum / weightSum),
                };
                return new EvaluationResult(loss, -loss, 0f, metrics);
        }
    }

    private EvaluationResult CompleteBinary(QualityMetric objective, float? fixedThreshold)
    {
        var (index, criterionScore) = fixedThreshold is { } given
            ? (ThresholdIndex(given), double.NaN)
            : SearchThreshold(_calibrationPositives!, _calibrationNegatives!);
        var counts = CountsAt(_positives!, _negatives!, index);
        var selection = _settings.Criterion is SelectionCriterion.LossFunction or SelectionCriterion.CrossEntropyLoss
            ? -objective.Value
            : criterionScore;
        var metrics = new[]
        {
            objective,
            new QualityMetric("binary_classification_accuracy", false, counts.Accuracy),
            new QualityMetric(FBetaName("binary_f_"), false, counts.FBeta(_settings.FBeta)),
            new QualityMetric("precision", false, counts.Precision),
            new QualityMetric("recall", false, counts.Recall),
        };
        return new EvaluationResult(objective.Value, selection, ThresholdMargin(index), metrics);
    }

    /// <summary>
    /// Scans thresholds from the highest margin down; returns the chosen index and the criterion's value there.
    /// recall_at_target_precision: the highest recall with precision ≥ target (the highest such threshold among
    /// ties); when no threshold reaches the target, the best precision, scored below every model that reaches it.
    /// precision_at_target_recall: the highest precision with recall ≥ target. loss criteria keep margin 0.
    /// </summary>
    private (int Index, double Score) SearchThreshold(double[] positives, double[] negatives)
    {
        if (_settings.Criterion is SelectionCriterion.LossFunction or SelectionCriterion.CrossEntropyLoss)
        {
            return (ThresholdIndex(0f), double.NaN);
        }
        var totalPositive = positives.Sum();
        var totalNegative = negatives.Sum();
        double truePositive = 0, falsePositive = 0;
        int bestIndex = BinCount, fallbackIndex = BinCount;
        double bestScore = double.NegativeInfinity, fallbackPrecision = double.NegativeInfinity;
        for (var b = BinCount; b >= 0; b--)
        {
            if (b < BinCount)
            {
                truePositive += positives[b];
                falsePositive += negatives[b];
            }
            var counts = new ConfusionCounts(truePositive, falsePositive, totalPositive, totalNegative);
            double score;
            switch (_settings.Criterion)
            {
                case SelectionCriterion.RecallAtTargetPrecision:
                    if (truePositive + falsePositive > 0 && counts.Precision > fallbackPrecision)
                    {
                        fallbackPrecision = counts.Precision;
                        fallbackIndex = b;
                    }
                    if (truePositive + falsePositive == 0 || counts.Precision < _settings.TargetPrecision) continue;
                    score = counts.Recall;
                    break;
                case SelectionCriterion.PrecisionAtTargetRecall:
                    if (counts.Recall < _settings.TargetRecall || truePositive + falsePositive == 0) continue;
                    score = counts.Precision;
                    break;
                case SelectionCriterion.FBeta or SelectionCriterion.F1:
                    score = counts.FBeta(_settings.FBeta);
                    break;
                default:
                    score = counts.Accuracy;
                    break;
            }
            if (score > bestScore)
            {
                bestScore = score;
                bestIndex = b;
            }
        }
        if (double.IsNegativeInfinity(bestScore) && _settings.Criterion == SelectionCriterion.RecallAtTargetPrecision)
        {
            return (fallbackIndex, fallbackPrecision - 1);
        }
        return (bestIndex, bestScore);
    }

    private static ConfusionCounts CountsAt(double[] positives, double[] negatives, int index)
    {
        double truePositive = 0, falsePositive = 0;
        for (var b = index; b < BinCount; b++)
        {
            truePositive += positives[b];
            falsePositive += negatives[b];
        }
        return new ConfusionCounts(truePositive, falsePositive, positives.Sum(), negatives.Sum());
    }

    private EvaluationResult CompleteMulticlass(QualityMetric objective, double weightSum)
    {
        double precisionSum = 0, recallSum = 0, fBetaSum = 0;
        var present = 0;
        var beta2 = _settings.FBeta * _settings.FBeta;
        for (var c = 0; c < _outputs; c++)
        {
            if (_actual![c] == 0 && _predicted![c] == 0) continue;
            present++;
            var precision = _predicted![c] > 0 ? _correct![c] / _predicted[c] : 0;
            var recall = _actual[c] > 0 ? _correct![c] / _actual[c] : 0;
            precisionSum += precision;
            recallSum += recall;
            fBetaSum += precision + recall > 0 ? (1 + beta2) * precision * recall / (beta2 * precision + recall) : 0;
        }
        present = Math.Max(present, 1);
        var accuracy = _correct!.Sum() / weightSum;
        var metrics = new[]
        {
            objective,
            new QualityMetric("multiclass_accuracy", false, accuracy),
            new QualityMetric($"multiclass_top_k_accuracy_{_settings.AccuracyTopK}", false, _topKHits / weightSum),
            new QualityMetric("dcg", false, _dcg / weightSum),
            new QualityMetric("macro_recall", false, recallSum / present),
            new QualityMetric("macro_precision", false, precisionSum / present),
            new QualityMetric(FBetaName("macro_f_"), false, fBetaSum / present),
        };
        var selection = _settings.Criterion == SelectionCriterion.Accuracy ? accuracy : -objective.Value;
        return new EvaluationResult(objective.Value, selection, 0f, metrics);
    }

    /// <summary>SageMaker names the F score after its beta: binary_f_1.000, macro_f_0.500.</summary>
    private string FBetaName(string prefix) => prefix + _settings.FBeta.ToString("0.000", CultureInfo.InvariantCulture);

    private readonly record struct ConfusionCounts(double TruePositive, double FalsePositive, double TotalPositive, double TotalNegative)
    {
        public double Precision => TruePositive + FalsePositive > 0 ? TruePositive / (TruePositive + FalsePositive) : 0;

        public double Recall => TotalPositive > 0 ? TruePositive / TotalPositive : 0;

        public double Accuracy => (TruePositive + TotalNegative - FalsePositive) / Math.Max(TotalPositive + TotalNegative, double.Epsilon);

        public double FBeta(double beta)
        {
            var beta2 = beta * beta;
            var denominator = beta2 * Precision + Recall;
            return denominator > 0 ? (1 + beta2) * Precision * Recall / denominator : 0;
        }
    }
}
