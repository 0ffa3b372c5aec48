namespace ControlPlane.Algorithms.LinearLearner;

internal enum ScalarLossKind
{
    Logistic, Hinge, Softmax, Squared, Absolute, EpsInsensitiveSquared, EpsInsensitiveAbsolute, Quantile, Huber,
}

/// <summary>
/// A loss of one margin (or prediction) <c>z</c> against a label <c>y</c>: its value and derivative in <c>z</c>. Binary
/// labels are 0/1; softmax is the multiclass loss and is computed over a row of margins by <see cref="SoftmaxLoss"/>.
/// </summary>
internal sealed class ScalarLoss(ScalarLossKind kind, double margin, double quantile, double huberDelta, double insensitivity)
{
    public ScalarLossKind Kind { get; } = kind;

    public static ScalarLossKind KindOf(string name) => name switch
    {
        "logistic" => ScalarLossKind.Logistic,
        "hinge_loss" => ScalarLossKind.Hinge,
        "softmax_loss" => ScalarLossKind.Softmax,
        "squared_loss" => ScalarLossKind.Squared,
        "absolute_loss" => ScalarLossKind.Absolute,
        "eps_insensitive_squared_loss" => ScalarLossKind.EpsInsensitiveSquared,
        "eps_insensitive_absolute_loss" => ScalarLossKind.EpsInsensitiveAbsolute,
        "quantile_loss" => ScalarLossKind.Quantile,
        "huber_loss" => ScalarLossKind.Huber,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a Linear Learner loss"),
    };

    public static ScalarLoss From(LinearLearnerSettings settings) =>
        new(settings.Loss, settings.Margin, settings.Quantile, settings.HuberDelta, settings.LossInsensitivity);

    /// <summary>
    /// The same loss for labels divided by <paramref name="labelScale"/> (normalize_label): huber_delta and
    /// loss_insensitivity are in the user's label units, so they shrink with the labels.
    /// </summary>
    public ScalarLoss ForLabelScale(double labelScale) =>
        new(Kind, margin, quantile, huberDelta / labelScale, insensitivity / labelScale);

    /// <summary>Loss in scaled label units times labelScale^this = loss in the user's units.</summary>
    public int LabelScalePower => Kind is ScalarLossKind.Absolute or ScalarLossKind.EpsInsensitiveAbsolute or ScalarLossKind.Quantile ? 1 : 2;

    /// <summary>SageMaker's metric name of this objective (<c>..._objective</c>, matched by <c>\S+_objective</c>).</summary>
    public string ObjectiveName => Kind switch
    {
        ScalarLossKind.Logistic => "binary_classification_cross_entropy_objective",
        ScalarLossKind.Hinge => "binary_classification_hinge_loss_objective",
        ScalarLossKind.Softmax => "multiclass_cross_entropy_objective",
        ScalarLossKind.Squared => "square_loss_objective",
        ScalarLossKind.Absolute => "absolute_loss_objective",
        ScalarLossKind.EpsInsensitiveSquared => "eps_insensitive_squared_loss_objective",
        ScalarLossKind.EpsInsensitiveAbsolute => "eps_insensitive_absolute_loss_objective",
        ScalarLossKind.Quantile => "quantile_loss_objective",
        _ => "huber_loss_objective",
    };

    public double Value(double z, double y)
    {
        switch (Kind)
        {
            case ScalarLossKind.Logistic:
                // log(1 + exp(-s z)) with s = ±1, written to stay finite for large |z|.
                var sz = y > 0.5 ? z : -z;
                return sz > 0 ? Math.Log(1 + Math.Exp(-sz)) : -sz + Math.Log(1 + Math.Exp(sz));
            case ScalarLossKind.Hinge:
                return Math.Max(0, margin - (y > 0.5 ? z : -z));
            default:
                var r = z - y;
                var abs = Math.Abs(r);
                return Kind switch
                {
                    ScalarLossKind.Squared => r * r,
                    ScalarLossKind.Absolute => abs,
                    ScalarLossKind.EpsInsensitiveSquared => Math.Max(0, abs - insensitivity) * Math.Max(0, abs - insensitivity),
                    ScalarLossKind.EpsInsensitiveAbsolute => Math.Max(0, abs - insensitivity),
                    ScalarLossKind.Quantile => r < 0 ? -quantile * r : (1 - quantile) * r,
                    ScalarLossKind.Huber => abs <= huberDelta ? 0.5 * r * r : huberDelta * (abs - 0.5 * huberDelta),
                    _ => throw new InvalidOperationException($"{Kind} is not a scalar loss"),
                };
        }
    }

    /// <summary>d loss / d z.</summary>
    public double Derivative(double z, double y)
    {
        switch (Kind)
        {
            case ScalarLossKind.Logistic:
                return Sigmoid(z) - y;
            case ScalarLossKind.Hinge:
                var s = y > 0.5 ? 1.0 : -1.0;
                return s * z < margin ? -s : 0;
            default:
                var r = z - y;
                var abs = Math.Abs(r);
                return Kind switch
                {
                    ScalarLossKind.Squared => 2 * r,
                    ScalarLossKind.Absolute => Math.Sign(r),
                    ScalarLossKind.EpsInsensitiveSquared => abs > insensitivity ? 2 * (abs - insensitivity) * Math.Sign(r) : 0,
                    ScalarLossKind.EpsInsensitiveAbsolute => abs > insensitivity ? Math.Sign(r) : 0,
                    ScalarLossKind.Quantile => r < 0 ? -quantile : r > 0 ? 1 - quantile : 0,
                    ScalarLossKind.Huber => abs <= huberDelta ? r : huberDelta * Math.Sign(r),
                    _ => throw new InvalidOperationException($"{Kind} is not a scalar loss"),
                };
        }
    }

    public static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
}

/// <summary>Cross-entropy of the softmax of a row of class margins.</summary>
internal static class SoftmaxLoss
{
    /// <summary>Writes softmax(<paramref name="margins"/>) into <paramref name="probabilities"/> and returns -log p[label].</summary>
    public static double Apply(ReadOnlySpan<float> margins, int label, Span<float> probabilities)
    {
        var max = float.NegativeInfinity;
        foreach (var m in margins) max = Math.Max(max, m);
        double sum = 0;
        for (var k = 0; k < margins.Length; k++)
        {
            var e = Math.Exp(margins[k] - max);
            probabilities[k] = (float)e;
            sum += e;
        }
        for (var k = 0; k < margins.Length; k++) probabilities[k] = (float)(probabilities[k] / sum);
        return Math.Log(sum) + max - margins[label];
    }
}
