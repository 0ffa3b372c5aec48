using Microsoft.ML;

namespace ControlPlane.Algorithms;

/// <summary>One built-in algorithm: how it trains and how its saved model scores.</summary>
internal interface IBuiltInAlgorithm
{
    /// <summary><c>linear-learner</c> or <c>xgboost</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Validates every hyperparameter before reading any data (an <see cref="AlgorithmException"/> for unknown names,
    /// wrong types, values out of range or combinations that cannot be honoured), trains, writes the model's files
    /// into <see cref="TrainingRun.ModelDirectory"/> and logs metrics in SageMaker's format to <see cref="TrainingRun.Log"/>.
    /// </summary>
    void Train(TrainingRun run);

    /// <summary>Loads what <see cref="Train"/> wrote.</summary>
    IScoringModel Load(string modelDirectory);
}

/// <param name="Ml">The ML.NET context (seeded, thread count set).</param>
/// <param name="Hyperparameters">As SageMaker passes them: every value a string.</param>
/// <param name="Data">The channels, lazily read.</param>
/// <param name="ModelDirectory"><c>/opt/ml/model</c>.</param>
/// <param name="CurrentHost"><c>algo-1</c>, ... (from resourceconfig.json), for Linear Learner's metric lines.</param>
/// <param name="Log">Standard output: metric lines go here.</param>
/// <param name="Cancellation">Signalled on SIGTERM (StopTrainingJob).</param>
internal sealed record TrainingRun(
    MLContext Ml,
    Hyperparameters Hyperparameters,
    TrainingData Data,
    string ModelDirectory,
    string CurrentHost,
    TextWriter Log,
    CancellationToken Cancellation);

/// <summary>
/// The channels as ML.NET data: column <see cref="LabelColumn"/> (Single), column <see cref="FeaturesColumn"/> (a
/// Single vector of <see cref="FeatureCount"/>), and column <see cref="WeightColumn"/> (Single) when the data carries
/// instance weights.
/// </summary>
internal sealed record TrainingData(IDataView Train, IDataView? Validation, IDataView? Test, int FeatureCount, bool HasWeights)
{
    public const string LabelColumn = "Label";
    public const string FeaturesColumn = "Features";
    public const string WeightColumn = "Weight";
}

/// <summary>A loaded model. Thread-safe: serving scores concurrent requests on one instance.</summary>
internal interface IScoringModel
{
    int FeatureCount { get; }

    /// <summary>Scores dense rows of <see cref="FeatureCount"/> values, one prediction per row, in order.</summary>
    IReadOnlyList<Prediction> Score(IReadOnlyList<float[]> rows);
}

/// <param name="Score">Regression value, P(label = 1), or the raw margin, as the algorithm defines its score.</param>
/// <param name="PredictedLabel">The class chosen, for classifiers; null for regressors.</param>
/// <param name="ClassScores">Per-class scores for multiclass models (Linear Learner's score list, multi:softprob); else null.</param>
internal readonly record struct Prediction(float Score, float? PredictedLabel, float[]? ClassScores);
