namespace ControlPlane.Algorithms.XGBoost;

/// <summary>
/// An XGBoost objective carried out with LightGBM: either one of LightGBM's own objectives with the same loss, or a
/// loss LightGBM lacks (hinge, pseudo-Huber) as gradients computed here. <see cref="Transform"/> turns raw margins into
/// what XGBoost predicts (probability, margin, 0/1, class, value).
/// </summary>
internal abstract class XgboostObjective(string name, string defaultMetric)
{
    public string Name { get; } = name;

    /// <summary>XGBoost 1.7's default <c>eval_metric</c> for the objective.</summary>
    public string DefaultMetric { get; } = defaultMetric;

    public virtual bool IsMulticlass => false;

    public virtual bool IsBinary => false;

    /// <summary>LightGBM's <c>objective</c> parameter, or null when gradients come from <see cref="Gradients"/>.</summary>
    public abstract string? LightGbmObjective(bool softLabels);

    /// <summary>The margin XGBoost starts from for <c>base_score</c>.</summary>
    public virtual double Margin(double baseScore) => baseScore;

    /// <summary>Checks one label; returns a message when the objective cannot learn it.</summary>
    public abstract string? CheckLabel(float label, int numClass);

    /// <summary>Raw margins of one row (one per class for multiclass) to XGBoost's prediction, in place.</summary>
    public abstract void Transform(Span<double> margins);

    /// <summary>Gradients and hessians for an objective LightGBM does not have (predictions are raw margins).</summary>
    public virtual void Gradients(ReadOnlySpan<double> margins, float[] labels, float[]? weights, float[] gradients, float[] hessians) =>
        throw new NotSupportedException($"{Name} is one of LightGBM's objectives.");

    public static readonly IReadOnlyList<string> Names =
    [
        "binary:logistic", "binary:logitraw", "binary:hinge", "reg:squarederror", "reg:linear", "reg:logistic",
        "reg:pseudohubererror", "multi:softmax", "multi:softprob", "count:poisson",
    ];

    /// <summary>The objective called <paramref name="name"/> (one of <see cref="Names"/>).</summary>
    public static XgboostObjective Create(string name, double huberSlope) => name switch
    {
        "binary:logistic" => new Logistic(name, probabilityOutput: true),
        "binary:logitraw" => new Logistic(name, probabilityOutput: false),
        "binary:hinge" => new Hinge(),
        "reg:squarederror" or "reg:linear" => new Identity(name, "regression"),
        "reg:logistic" => new RegLogistic(),
        "reg:pseudohubererror" => new PseudoHuber(huberSlope),
        "multi:softmax" => new Multiclass(name, probabilities: false),
        "multi:softprob" => new Multiclass(name, probabilities: true),
        "count:poisson" => new Poisson(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not an objective"),
    };

    public static double Sigmoid(double margin) => 1 / (1 + Math.Exp(-margin));

    private sealed class Logistic(string name, bool probabilityOutput) : XgboostObjective(name, "logloss")
    {
        public override bool IsBinary => true;

        // Labels strictly 0/1 use LightGBM's binary objective (which honours scale_pos_weight); soft labels in [0, 1]
        // (XGBoost accepts them) need cross-entropy, the same log loss on probabilities.
        public override string? LightGbmObjective(bool softLabels) => softLabels ? "cross_entropy" : "binary";

        public override double Margin(double baseScore) => Math.Log(baseScore / (1 - baseScore));

        public override string? CheckLabel(float label, int numClass) =>
            label is >= 0 and <= 1 ? null : $"label {label} is outside [0, 1] ({Name} needs 0/1 labels)";

        public override void Transform(Span<double> margins) => margins[0] = probabilityOutput ? Sigmoid(margins[0]) : margins[0];
    }

    private sealed class RegLogistic() : XgboostObjective("reg:logistic", "rmse")
    {
        public override string? LightGbmObjective(bool softLabels) => "cross_entropy";

        public override double Margin(double baseScore) => Math.Log(baseScore / (1 - baseScore));

        public override string? CheckLabel(float label, int numClass) =>
            label is >= 0 and <= 1 ? null : $"label {label} is outside [0, 1] (reg:logistic)";

        public override void Transform(Span<double> margins) => margins[0] = Sigmoid(margins[0]);
    }

    private sealed class Identity(string name, string lightGbm) : XgboostObjective(name, "rmse")
    {
        public override string? LightGbmObjective(bool softLabels) => lightGbm;

        public override string? CheckLabel(float label, int numClass) => float.IsFinite(label) ? null : $"label {label} is not a finite number";

        public override void Transform(Span<double> margins)
        {
        }
    }

    private sealed class Poisson() : XgboostObjective("count:poisson", "poisson-nloglik")
    {
        public override string? LightGbmObjective(bool softLabels) => "poisson";

        public override double Margin(double baseScore) => Math.Log(baseScore);

        public override string? CheckLabel(float label, int numClass) => label >= 0 ? null : $"label {label} is negative (count:poisson)";

        public override void Transform(Span<double> margins) => margins[0] = Math.Exp(margins[0]);
    }

    private sealed class Multiclass(string name, bool probabilities) : XgboostObjective(name, "mlogloss")
    {
        public override bool IsMulticlass => true;

        public override string? LightGbmObjective(bool softLabels) => "multiclass";

        public override string? CheckLabel(float label, int numClass) =>
            label >= 0 && label < numClass && label == MathF.Floor(label) ? null : $"label {label} is not a class in 0..{numClass - 1} (num_class={numClass})";

        /// <summary>Softmax to probabilities; multi:softmax then keeps only the class (in slot 0).</summary>
        public override void Transform(Span<double> margins)
        {
            var max = double.NegativeInfinity;
            var best = 0;
            for (var k = 0; k < margins.Length; k++)
            {
                if (margins[k] > max)
                {
                    max = margins[k];
                    best = k;
                }
            }

            var sum = 0.0;
            for (var k = 0; k < margins.Length; k++)
            {
                margins[k] = Math.Exp(margins[k] - max);
                sum += margins[k];
            }

            for (var k = 0; k < margins.Length; k++)
            {
                margins[k] /= sum;
            }

            if (!probabilities)
            {
                margins[0] = best;
            }
        }
    }

    /// <summary>binary:hinge — XGBoost's hinge loss on labels mapped to ±1; it predicts 0 or 1.</summary>
    private sealed class Hinge() : XgboostObjective("binary:hinge", "error")
    {
        public override bool IsBinary => true;

        public override string? LightGbmObjective(bool softLabels) => null;

        public override string? CheckLabel(float label, int numClass) => label is 0 or 1 ? null : $"label {label} is not 0 or 1 (binary:hinge)";

        public override void Transform(Span<double> margins) => margins[0] = margins[0] > 0 ? 1 : 0;

        public override void Gradients(ReadOnlySpan<double> margins, float[] labels, float[]? weights, float[] gradients, float[] hessians)
        {
            for (var i = 0; i < labels.Length; i++)
            {
                var y = labels[i] * 2 - 1;
                var w = weights?[i] ?? 1;
                var inside = margins[i] * y < 1;
                gradients[i] = inside ? -y * w : 0;
                hessians[i] = inside ? w : float.Epsilon;
            }
        }
    }

    /// <summary>reg:pseudohubererror — XGBoost's pseudo-Huber loss with <c>huber_slope</c>.</summary>
    private sealed class PseudoHuber(double slope) : XgboostObjective("reg:pseudohubererror", "mphe")
    {
        public override string? LightGbmObjective(bool softLabels) => null;

        public override string? CheckLabel(float label, int numClass) => float.IsFinite(label) ? null : $"label {label} is not a finite number";

        public override void Transform(Span<double> margins)
        {
        }

        public override void Gradients(ReadOnlySpan<double> margins, float[] labels, float[]? weights, float[] gradients, float[] hessians)
        {
            var slope2 = slope * slope;
            for (var i = 0; i < labels.Length; i++)
            {
                var z = margins[i] - labels[i];
                var scale = 1 + (z * z / slope2);
                var root = Math.Sqrt(scale);
                var w = weights?[i] ?? 1;
                gradients[i] = (float)(z / root * w);
                hessians[i] = (float)(w / (scale * root));
            }
        }
    }
}
