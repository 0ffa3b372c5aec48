using ControlPlane.Algorithms.LinearLearner;

namespace ControlPlane.Algorithms.Tests.LinearLearner;

public sealed class LinearModelTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ll-model-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static LinearModel Model(PredictorType predictor, ScalarLossKind loss, int outputs, float threshold = 0f)
    {
        var header = new LinearModelHeader(1, predictor, loss, 3, outputs, threshold, new CandidateSettings(0, 0.01, 0, 0, 1));
        var weights = Enumerable.Range(0, outputs * 3).Select(i => (float)Math.Sin(i + 1)).ToArray();
        var biases = Enumerable.Range(0, outputs).Select(k => 0.1f * k).ToArray();
        return new LinearModel(header, weights, biases);
    }

    private static readonly float[][] s_rows = [[1, 2, 3], [-1, 0.5f, 2], [0, 0, 0], [10, -3, 0.25f]];

    [Theory]
    [InlineData("BinaryClassifier", "Logistic", 1)]
    [InlineData("BinaryClassifier", "Hinge", 1)]
    [InlineData("MulticlassClassifier", "Softmax", 4)]
    [InlineData("Regressor", "Squared", 1)]
    public void A_saved_model_loads_and_scores_identically(string predictor, string loss, int outputs)
    {
        var model = Model(Enum.Parse<PredictorType>(predictor), Enum.Parse<ScalarLossKind>(loss), outputs, threshold: 0.3f);
        model.Save(_directory);
        var loaded = new LinearLearnerAlgorithm().Load(_directory);

        var expected = model.Score(s_rows);
        var actual = loaded.Score(s_rows);
        Assert.Equal(expected.Select(p => (p.Score, p.PredictedLabel)), actual.Select(p => (p.Score, p.PredictedLabel)));
        Assert.Equal(expected.Select(p => p.ClassScores ?? []).SelectMany(s => s), actual.Select(p => p.ClassScores ?? []).SelectMany(s => s));
        Assert.Equal(3, loaded.FeatureCount);
    }

    [Fact]
    public void Binary_logistic_scores_are_probabilities_labelled_by_the_threshold_margin()
    {
        var model = Model(PredictorType.BinaryClassifier, ScalarLossKind.Logistic, 1, threshold: 1f);
        var margins = new float[s_rows.Length];
        model.ComputeMargins(s_rows.SelectMany(r => r).ToArray(), s_rows.Length, margins);

        var predictions = model.Score(s_rows);
        for (var i = 0; i < s_rows.Length; i++)
        {
            Assert.Equal(1 / (1 + Math.Exp(-margins[i])), predictions[i].Score, 5);
            Assert.Equal(margins[i] >= 1f ? 1f : 0f, predictions[i].PredictedLabel);
        }
    }

    [Fact]
    public void Folding_the_scalers_gives_the_margins_of_the_scaled_model()
    {
        var header = new LinearModelHeader(1, PredictorType.Regressor, ScalarLossKind.Squared, 2, 1, 0f, new CandidateSettings(0, 0.01, 0, 0, 1));
        var scaler = new FeatureScaler([1f, -2f], [0.5f, 4f]);
        var folded = LinearModel.Fold(header, [2f, -1f], [0.5f], scaler, new LabelScaler(100, 10));

        // Scaled: x' = ((3 - 1) * 0.5, (1 + 2) * 4) = (1, 12); z' = 2 - 12 + 0.5 = -9.5; z = -9.5 * 10 + 100 = 5.
        Assert.Equal(5f, folded.Score([[3f, 1f]])[0].Score, 4);
    }

    [Fact]
    public void Concurrent_scoring_gives_the_same_predictions()
    {
        var model = Model(PredictorType.MulticlassClassifier, ScalarLossKind.Softmax, 4);
        var expected = model.Score(s_rows);

        Parallel.For(0, 64, _ => Assert.Equal(expected.Select(p => p.PredictedLabel), model.Score(s_rows).Select(p => p.PredictedLabel)));
    }

    [Fact]
    public void A_row_of_the_wrong_width_is_a_client_error()
    {
        var error = Assert.Throws<AlgorithmException>(() => Model(PredictorType.Regressor, ScalarLossKind.Squared, 1).Score([[1f, 2f, 3f], [1f, 2f]]));
        Assert.Equal("Record 2 has 2 features; the model expects 3.", error.Message);
    }

    [Fact]
    public void A_directory_without_a_model_is_reported()
    {
        Directory.CreateDirectory(_directory);
        var error = Assert.Throws<AlgorithmException>(() => new LinearLearnerAlgorithm().Load(_directory));
        Assert.Contains("does not hold a Linear Learner model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_weights_file_is_reported()
    {
        Model(PredictorType.Regressor, ScalarLossKind.Squared, 1).Save(_directory);
        var weights = Path.Combine(_directory, LinearModel.WeightsFile);
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..8]);

        var error = Assert.Throws<AlgorithmException>(() => LinearModel.Load(_directory));
        Assert.Contains("has 8 bytes", error.Message, StringComparison.Ordinal);
    }
}
