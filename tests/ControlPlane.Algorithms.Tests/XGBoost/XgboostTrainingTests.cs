using System.Globalization;
using System.Text.RegularExpressions;
using ControlPlane.Algorithms.Tests.Infrastructure;
using ControlPlane.Algorithms.XGBoost;

namespace ControlPlane.Algorithms.Tests.XGBoost;

public sealed partial class XgboostTrainingTests
{
    private static Dictionary<string, string> Hp(params (string Name, string Value)[] values) =>
        values.Append(("nthread", "1")).ToDictionary(v => v.Item1, v => v.Item2);

    private static float[] Scores(IScoringModel model, Datasets.Table table) => model.Score(table.Rows).Select(p => p.Score).ToArray();

    [GeneratedRegex(@".*\[[0-9]+\].*#011validation-auc:(\S+)")]
    private static partial Regex SageMakerValidationAuc();

    [Fact]
    public void Binary_logistic_learns_a_nonlinear_boundary_close_to_the_bayes_auc()
    {
        using var harness = new TrainingHarness();
        var test = Datasets.Binary(4000, seed: 3);

        var model = harness.Train(new XgboostAlgorithm(), Hp(("num_round", "60"), ("objective", "binary:logistic"), ("eta", "0.1"), ("max_depth", "4"), ("eval_metric", "auc")),
            Datasets.Binary(8000, seed: 1), Datasets.Binary(2000, seed: 2));

        var scores = Scores(model, test);
        Assert.All(scores, s => Assert.InRange(s, 0f, 1f));
        Assert.True(Datasets.Auc(test.Labels, scores) > 0.84, $"test AUC {Datasets.Auc(test.Labels, scores)}");
        var lines = harness.MetricLines();
        Assert.Equal(60, lines.Length);
        Assert.Matches(@"^\[0\]\ttrain-auc:0\.\d{5}\tvalidation-auc:0\.\d{5}$", lines[0]);

        // SageMaker's built-in metric regex, on the line as CloudWatch shows it (tab as #011), finds the validation AUC.
        var match = SageMakerValidationAuc().Match(lines[^1].Replace("\t", "#011", StringComparison.Ordinal));
        Assert.True(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) > 0.84);
    }

    [Fact]
    public void Logged_metrics_are_the_models_real_quality_round_by_round()
    {
        using var harness = new TrainingHarness();
        var validation = Datasets.Binary(2000, seed: 2);

        var model = harness.Train(new XgboostAlgorithm(), Hp(("num_round", "30"), ("objective", "binary:logistic"), ("eval_metric", "logloss,auc")), Datasets.Binary(4000, seed: 1), validation);

        var last = harness.MetricLines()[^1];
        var loggedAuc = double.Parse(Regex.Match(last, @"validation-auc:(\S+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(Datasets.Auc(validation.Labels, Scores(model, validation)), loggedAuc, precision: 3);
        var first = double.Parse(Regex.Match(harness.MetricLines()[0], @"train-logloss:(\S+)").Groups[1].Value, CultureInfo.InvariantCulture);
        var final = double.Parse(Regex.Match(last, @"train-logloss:(\S+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(final < first * 0.8, $"train logloss {first} -> {final}");
    }

    [Fact]
    public void Multi_softprob_predicts_class_probabilities_and_softmax_the_class()
    {
        using var harness = new TrainingHarness();
        var test = Datasets.Multiclass(1500, seed: 5);
        var train = Datasets.Multiclass(4000, seed: 4);

        var probabilities = harness.Train(new XgboostAlgorithm(), Hp(("num_round", "30"), ("objective", "multi:softprob"), ("num_class", "3"), ("eval_metric", "merror,mlogloss")), train).Score(test.Rows);
        using var softmaxHarness = new TrainingHarness();
        var classes = softmaxHarness.Train(new XgboostAlgorithm(), Hp(("num_round", "30"), ("objective", "multi:softmax"), ("num_class", "3")), train).Score(test.Rows);

        Assert.All(probabilities, p => Assert.Equal(1.0, p.ClassScores!.Sum(), precision: 4));
        var accuracy = probabilities.Zip(test.Labels).Count(pair => pair.First.PredictedLabel == pair.Second) / (double)test.Labels.Length;
        Assert.True(accuracy > 0.9, $"accuracy {accuracy}");
        Assert.Equal(probabilities.Select(p => p.PredictedLabel), classes.Select(p => (float?)p.Score));
        Assert.Matches(@"train-merror:\S+\ttrain-mlogloss:\S+$", harness.MetricLines()[^1]);
    }

    [Theory]
    [InlineData("reg:squarederror")]
    [InlineData("reg:pseudohubererror")]
    public void Regression_objectives_fit_a_smooth_function(string objective)
    {
        using var harness = new TrainingHarness();
        var test = Datasets.Regression(2000, seed: 7);

        // huber_slope on the scale of the residuals: with the default 1 pseudo-Huber's tiny hessians make XGBoost's
        // Newton steps overshoot on labels spread this wide (as they do on XGBoost itself).
        var model = harness.Train(new XgboostAlgorithm(), Hp(("num_round", "200"), ("objective", objective), ("eta", "0.3"), ("max_depth", "4"), ("eval_metric", "rmse"), ("huber_slope", "5")), Datasets.Regression(6000, seed: 6));

        var scores = Scores(model, test);
        var rmse = Math.Sqrt(scores.Zip(test.Labels).Average(pair => Math.Pow(pair.First - pair.Second, 2)));
        var spread = Math.Sqrt(test.Labels.Average(y => Math.Pow(y - test.Labels.Average(), 2)));
        Assert.True(rmse < 0.15 * spread, $"{objective}: rmse {rmse}, label standard deviation {spread}");
    }

    [Fact]
    public void Count_poisson_predicts_positive_rates_that_follow_the_counts()
    {
        using var harness = new TrainingHarness();
        var test = Datasets.Counts(3000, seed: 9);

        var model = harness.Train(new XgboostAlgorithm(), Hp(("num_round", "100"), ("objective", "count:poisson"), ("eta", "0.1"), ("max_depth", "3")), Datasets.Counts(6000, seed: 8));

        var scores = Scores(model, test);
        Assert.All(scores, s => Assert.True(s > 0));
        Assert.Equal(test.Labels.Average(), scores.Average(), precision: 1);
        // The true log-rate is 0.5·x0 + 0.3·x1: predictions must rise with x0.
        var low = test.Rows.Select((r, i) => (r, i)).Where(p => p.r[0] < -1).Average(p => scores[p.i]);
        var high = test.Rows.Select((r, i) => (r, i)).Where(p => p.r[0] > 1).Average(p => scores[p.i]);
        Assert.True(high > 1.8 * low, $"rate at x0<-1 {low}, at x0>1 {high}");
        Assert.Matches(@"train-poisson-nloglik:", harness.MetricLines()[^1]);
    }

    [Fact]
    public void Binary_hinge_predicts_zero_or_one()
    {
        using var harness = new TrainingHarness();
        var test = Datasets.Binary(2000, seed: 11);

        var model = harness.Train(new XgboostAlgorithm(), Hp(("num_round", "50"), ("objective", "binary:hinge"), ("max_depth", "4")), Datasets.Binary(6000, seed: 10));

        var scores = Scores(model, test);
        Assert.All(scores, s => Assert.True(s is 0 or 1));
        var accuracy = scores.Zip(test.Labels).Count(pair => pair.First == pair.Second) / (double)scores.Length;
        Assert.True(accuracy > 0.72, $"accuracy {accuracy}");
        Assert.Matches(@"train-error:", harness.MetricLines()[^1]);
    }

    [Fact]
    public void Early_stopping_keeps_the_best_validation_round_and_stops_after_the_patience()
    {
        using var harness = new TrainingHarness();

        // Deep trees at a high learning rate overfit quickly, so validation logloss turns up early.
        harness.Train(new XgboostAlgorithm(), Hp(("num_round", "500"), ("objective", "binary:logistic"), ("eta", "0.5"), ("max_depth", "8"), ("early_stopping_rounds", "5")),
            Datasets.Binary(2000, seed: 1), Datasets.Binary(1000, seed: 2));

        var lines = harness.MetricLines();
        var losses = lines.Select(line => double.Parse(Regex.Match(line, @"validation-logloss:(\S+)").Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        var best = int.Parse(Regex.Match(harness.Log.ToString(), @"Stopping. Best iteration:\n\[(\d+)\]").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(lines.Length < 500);
        Assert.Equal(losses.Min(), losses[best]);
        Assert.Equal(best + 6, lines.Length);
        var metadata = File.ReadAllText(Path.Combine(harness.ModelDirectory, XgboostAlgorithm.MetadataFile));
        Assert.Contains($"\"rounds\": {best + 1}", metadata, StringComparison.Ordinal);
    }

    [Fact]
    public void Early_stopping_without_a_validation_channel_is_refused()
    {
        using var harness = new TrainingHarness();

        var error = Assert.Throws<AlgorithmException>(() => harness.Train(new XgboostAlgorithm(), Hp(("num_round", "5"), ("early_stopping_rounds", "2")), Datasets.Regression(100, seed: 1)));

        Assert.Equal("Hyperparameter 'early_stopping_rounds' needs a validation channel.", error.Message);
    }

    [Fact]
    public void Labels_the_objective_cannot_learn_are_refused_with_their_row()
    {
        using var harness = new TrainingHarness();
        var data = Datasets.Regression(50, seed: 1);

        var error = Assert.Throws<AlgorithmException>(() => harness.Train(new XgboostAlgorithm(), Hp(("num_round", "5"), ("objective", "multi:softmax"), ("num_class", "3")), data));

        Assert.StartsWith("Channel 'train' row 1: label ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("is not a class in 0..2 (num_class=3).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancellation_stops_training_between_rounds()
    {
        using var harness = new TrainingHarness();
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => harness.Train(new XgboostAlgorithm(), Hp(("num_round", "100000")), Datasets.Regression(500, seed: 1), cancellation: cancellation.Token));
        Assert.Empty(harness.MetricLines());
    }
}
