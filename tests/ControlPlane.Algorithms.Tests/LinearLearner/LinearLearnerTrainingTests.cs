using System.Text.RegularExpressions;
using ControlPlane.Algorithms.LinearLearner;

namespace ControlPlane.Algorithms.Tests.LinearLearner;

public sealed class LinearLearnerTrainingTests : IDisposable
{
    private readonly LinearLearnerHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private static Dictionary<string, string> Hp(params (string Name, string Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value);

    [Theory]
    [InlineData("adam")]
    [InlineData("sgd")]
    [InlineData("rmsprop")]
    public void A_binary_classifier_separates_linearly_separable_data(string optimizer)
    {
        var test = GeneratedData.Binary(1000, seed: 3);
        _harness.Train(Hp(("predictor_type", "binary_classifier"), ("optimizer", optimizer), ("mini_batch_size", "100"), ("epochs", "10")),
            GeneratedData.Binary(3000, seed: 1), GeneratedData.Binary(500, seed: 2), test);

        var predictions = _harness.Score(test);
        Assert.True(GeneratedData.Accuracy(test, predictions) >= 0.95, $"accuracy {GeneratedData.Accuracy(test, predictions)}");
        Assert.All(predictions, p => Assert.InRange(p.Score, 0f, 1f));
        Assert.All(predictions, p => Assert.Null(p.ClassScores));
        // The logged test accuracy is the saved model's accuracy: save and load change nothing.
        Assert.Equal(GeneratedData.Accuracy(test, predictions), _harness.FinalMetric("test binary_classification_accuracy"), 9);
    }

    [Fact]
    public void A_multiclass_classifier_classifies_separated_clusters_with_softmax_scores()
    {
        var test = GeneratedData.Multiclass(800, classes: 4, seed: 3);
        _harness.Train(Hp(("predictor_type", "multiclass_classifier"), ("num_classes", "4"), ("mini_batch_size", "100"), ("epochs", "10")),
            GeneratedData.Multiclass(2000, 4, seed: 1), GeneratedData.Multiclass(400, 4, seed: 2), test);

        var predictions = _harness.Score(test);
        Assert.True(GeneratedData.Accuracy(test, predictions) >= 0.9, $"accuracy {GeneratedData.Accuracy(test, predictions)}");
        Assert.All(predictions, p =>
        {
            Assert.Equal(4, p.ClassScores!.Length);
            Assert.Equal(1.0, p.ClassScores.Sum(), 4);
            Assert.Equal(Array.IndexOf(p.ClassScores, p.ClassScores.Max()), (int)p.PredictedLabel!.Value);
            Assert.Equal(p.ClassScores.Max(), p.Score);
        });
        Assert.Equal(GeneratedData.Accuracy(test, predictions), _harness.FinalMetric("test multiclass_accuracy"), 9);
        foreach (var metric in new[] { "multiclass_top_k_accuracy_3", "dcg", "macro_recall", "macro_precision", "macro_f_1.000" })
        {
            Assert.InRange(_harness.FinalMetric($"validation {metric}"), 0.85, 1.0);
        }
    }

    [Fact]
    public void A_regressor_fits_a_noisy_linear_target_on_the_original_label_scale()
    {
        var test = GeneratedData.Regression(1000, seed: 3);
        _harness.Train(Hp(("predictor_type", "regressor"), ("mini_batch_size", "100"), ("epochs", "10")),
            GeneratedData.Regression(3000, seed: 1), GeneratedData.Regression(500, seed: 2), test);

        var predictions = _harness.Score(test);
        Assert.True(GeneratedData.RSquared(test, predictions) >= 0.95, $"R² {GeneratedData.RSquared(test, predictions)}");
        Assert.All(predictions, p => Assert.Null(p.PredictedLabel));
        var mse = test.Zip(predictions).Average(p => Math.Pow(p.First.Label - p.Second.Score, 2));
        Assert.Equal(mse, _harness.FinalMetric("test mse"), mse * 1e-4);
    }

    [Theory]
    [InlineData("absolute_loss")]
    [InlineData("huber_loss")]
    [InlineData("eps_insensitive_squared_loss")]
    [InlineData("eps_insensitive_absolute_loss")]
    public void Every_regression_loss_fits_a_linear_target(string loss)
    {
        var test = GeneratedData.Regression(500, seed: 3);
        _harness.Train(Hp(("predictor_type", "regressor"), ("loss", loss), ("mini_batch_size", "100"), ("epochs", "10")),
            GeneratedData.Regression(2000, seed: 1), GeneratedData.Regression(500, seed: 2), test);

        Assert.True(GeneratedData.RSquared(test, _harness.Score(test)) >= 0.95, $"R² {GeneratedData.RSquared(test, _harness.Score(test))}");
    }

    [Fact]
    public void Quantile_loss_puts_the_requested_share_of_labels_below_the_prediction()
    {
        var test = GeneratedData.Regression(2000, seed: 3, noise: 0.5);
        _harness.Train(Hp(("predictor_type", "regressor"), ("loss", "quantile_loss"), ("quantile", "0.9"), ("mini_batch_size", "100"), ("epochs", "15")),
            GeneratedData.Regression(4000, seed: 1, noise: 0.5), GeneratedData.Regression(1000, seed: 2, noise: 0.5));

        var below = test.Zip(_harness.Score(test)).Count(p => p.First.Label <= p.Second.Score) / (double)test.Count;
        Assert.InRange(below, 0.85, 0.95);
    }

    [Fact]
    public void Recall_at_target_precision_holds_the_target_precision_on_validation()
    {
        var validation = GeneratedData.Binary(2000, seed: 2, noise: 0.6);
        _harness.Train(Hp(("predictor_type", "binary_classifier"), ("binary_classifier_model_selection_criteria", "recall_at_target_precision"),
                ("target_precision", "0.9"), ("mini_batch_size", "100"), ("epochs", "5")),
            GeneratedData.Binary(3000, seed: 1, noise: 0.6), validation);

        var (precision, recall) = GeneratedData.PrecisionRecall(validation, _harness.Score(validation));
        Assert.True(precision >= 0.9, $"precision {precision}");
        // Not the trivial answer: a real share of the positives is still found.
        Assert.True(recall >= 0.3, $"recall {recall}");
        Assert.Equal(precision, _harness.FinalMetric("validation precision"), 9);
    }

    [Fact]
    public void Precision_at_target_recall_holds_the_target_recall_on_validation()
    {
        var validation = GeneratedData.Binary(2000, seed: 2, noise: 0.6);
        _harness.Train(Hp(("predictor_type", "binary_classifier"), ("binary_classifier_model_selection_criteria", "precision_at_target_recall"),
                ("target_recall", "0.95"), ("mini_batch_size", "100"), ("epochs", "5")),
            GeneratedData.Binary(3000, seed: 1, noise: 0.6), validation);

        var (precision, recall) = GeneratedData.PrecisionRecall(validation, _harness.Score(validation));
        Assert.True(recall >= 0.95, $"recall {recall}");
        Assert.True(precision > 0.6, $"precision {precision}");
    }

    [Fact]
    public void Num_models_chooses_a_converging_learning_rate_over_diverging_ones()
    {
        // Candidates: 10 (given), 1, 100, 0.1: with momentum 0.9 on squared loss the two largest diverge.
        var test = GeneratedData.Regression(500, seed: 3);
        _harness.Train(Hp(("predictor_type", "regressor"), ("optimizer", "sgd"), ("learning_rate", "10"), ("num_models", "4"),
                ("mini_batch_size", "100"), ("epochs", "10")),
            GeneratedData.Regression(2000, seed: 1), GeneratedData.Regression(500, seed: 2), test);

        Assert.Contains("Model 1 of 4 (learning_rate=10) diverged", _harness.Log.ToString(), StringComparison.Ordinal);
        Assert.Contains("Model 3 of 4 (learning_rate=100) diverged", _harness.Log.ToString(), StringComparison.Ordinal);
        Assert.True(_harness.Header.Selected.LearningRate < 10, $"chose learning rate {_harness.Header.Selected.LearningRate}");
        Assert.True(GeneratedData.RSquared(test, _harness.Score(test)) >= 0.95);
    }

    [Fact]
    public void Num_models_chooses_the_best_model_on_validation()
    {
        // Learning rates 1e-3, 1e-4, 1e-2, 1e-5 with adam: after one short epoch only the largest has moved far enough.
        _harness.Train(Hp(("predictor_type", "binary_classifier"), ("learning_rate", "0.001"), ("num_models", "4"), ("mini_batch_size", "50"),
                ("epochs", "1"), ("use_lr_scheduler", "false"), ("binary_classifier_model_selection_criteria", "loss_function")),
            GeneratedData.Binary(2000, seed: 1), GeneratedData.Binary(500, seed: 2));

        Assert.Equal(0.01, _harness.Header.Selected.LearningRate, 9);
    }

    [Fact]
    public void Early_stopping_ends_training_when_validation_stops_improving()
    {
        _harness.Train(Hp(("predictor_type", "binary_classifier"), ("epochs", "40"), ("early_stopping_patience", "2"),
                ("early_stopping_tolerance", "0.01"), ("mini_batch_size", "100")),
            GeneratedData.Binary(2000, seed: 1), GeneratedData.Binary(500, seed: 2));

        var epochs = _harness.EpochLines("train");
        Assert.InRange(epochs, 3, 39);
        Assert.Contains("Early stopping after epoch", _harness.Log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_validation_channel_every_epoch_runs_and_train_chooses_the_model()
    {
        _harness.Train(Hp(("predictor_type", "binary_classifier"), ("epochs", "6"), ("early_stopping_patience", "1"), ("mini_batch_size", "200")),
            GeneratedData.Binary(1000, seed: 1));

        Assert.Equal(6, _harness.EpochLines("train"));
        Assert.Contains("Early stopping needs a validation channel", _harness.Log.ToString(), StringComparison.Ordinal);
        Assert.True(_harness.FinalMetric("train binary_classification_accuracy") >= 0.9);
        Assert.Equal(0, _harness.LinesContaining(", validation "));
    }

    /// <summary>Linear Learner's built-in metric definitions as SageMaker attaches them to its training jobs.</summary>
    private static readonly Dictionary<string, string> s_sageMakerMetricDefinitions = new()
    {
        ["train:objective_loss"] = @"#quality_metric: host=\S+, epoch=\S+, train \S+_objective <loss>=(\S+)",
        ["validation:objective_loss"] = @"#quality_metric: host=\S+, epoch=\S+, validation \S+_objective <loss>=(\S+)",
        ["train:objective_loss:final"] = @"#quality_metric: host=\S+, train \S+_objective <loss>=(\S+)",
        ["validation:objective_loss:final"] = @"#quality_metric: host=\S+, validation \S+_objective <loss>=(\S+)",
        ["test:objective_loss"] = @"#quality_metric: host=\S+, test \S+_objective <loss>=(\S+)",
        ["train:binary_classification_accuracy"] = @"#quality_metric: host=\S+, train binary_classification_accuracy <score>=(\S+)",
        ["validation:binary_classification_accuracy"] = @"#quality_metric: host=\S+, validation binary_classification_accuracy <score>=(\S+)",
        ["test:binary_classification_accuracy"] = @"#quality_metric: host=\S+, test binary_classification_accuracy <score>=(\S+)",
        ["train:binary_f_beta"] = @"#quality_metric: host=\S+, train binary_f_\S+ <score>=(\S+)",
        ["validation:binary_f_beta"] = @"#quality_metric: host=\S+, validation binary_f_\S+ <score>=(\S+)",
        ["test:binary_f_beta"] = @"#quality_metric: host=\S+, test binary_f_\S+ <score>=(\S+)",
        ["validation:precision"] = @"#quality_metric: host=\S+, validation precision <score>=(\S+)",
        ["test:precision"] = @"#quality_metric: host=\S+, test precision <score>=(\S+)",
        ["train:recall"] = @"#quality_metric: host=\S+, train recall <score>=(\S+)",
        ["validation:recall"] = @"#quality_metric: host=\S+, validation recall <score>=(\S+)",
        ["test:recall"] = @"#quality_metric: host=\S+, test recall <score>=(\S+)",
        ["train:throughput"] = @"#throughput_metric: host=\S+, train throughput=(\S+) records/second",
        ["train:progress"] = @"#progress_metric: host=\S+, completed (\S+) %",
    };

    [Fact]
    public void Sagemakers_built_in_metric_definitions_find_every_binary_metric()
    {
        _harness.Train(Hp(("predictor_type", "binary_classifier"), ("epochs", "2"), ("mini_batch_size", "250")),
            GeneratedData.Binary(1000, seed: 1), GeneratedData.Binary(300, seed: 2), GeneratedData.Binary(300, seed: 3));

        var lines = _harness.Log.ToString().Split('\n');
        foreach (var (name, regex) in s_sageMakerMetricDefinitions)
        {
            // As the service reads them: the first capture of the last matching line is the final value.
            var last = lines.Select(l => Regex.Match(l, regex)).LastOrDefault(m => m.Success);
            Assert.True(last is not null, $"{name}: no line matches {regex}");
            Assert.True(double.TryParse(last.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture, out _), $"{name}: '{last.Groups[1].Value}'");
        }
        Assert.Equal(2, _harness.EpochLines("train"));
        Assert.Equal(2, _harness.EpochLines("validation"));
        Assert.InRange(_harness.FinalMetric("test binary_f_1.000"), 0.8, 1.0);
    }

    [Fact]
    public void Instance_weights_decide_what_the_model_learns()
    {
        // Half the rows have flipped labels but weight 0; the rest, with weight 1, are learnt.
        var clean = GeneratedData.Binary(2000, seed: 1);
        var train = clean.Select((r, i) => i % 2 == 0 ? r : r with { Label = 1 - r.Label, Weight = 0 }).ToList();
        var test = GeneratedData.Binary(500, seed: 3);
        _harness.Train(Hp(("predictor_type", "binary_classifier"), ("mini_batch_size", "100"), ("epochs", "8")), train, withWeights: true);

        Assert.True(GeneratedData.Accuracy(test, _harness.Score(test)) >= 0.9);
    }

    [Fact]
    public void Balanced_positive_weight_raises_recall_on_rare_positives()
    {
        var train = GeneratedData.Binary(3000, seed: 1, noise: 0.5, positiveShift: 1.2);
        var validation = GeneratedData.Binary(1000, seed: 2, noise: 0.5, positiveShift: 1.2);
        (double Precision, double Recall) TrainWith(string weight)
        {
            using var harness = new LinearLearnerHarness();
            harness.Train(Hp(("predictor_type", "binary_classifier"), ("positive_example_weight_mult", weight), ("num_models", "1"),
                ("binary_classifier_model_selection_criteria", "loss_function"), ("mini_batch_size", "100"), ("epochs", "5")), train, validation);
            return GeneratedData.PrecisionRecall(validation, harness.Score(validation));
        }

        var plain = TrainWith("1.0");
        var balanced = TrainWith("balanced");
        Assert.True(balanced.Recall > plain.Recall + 0.1, $"recall {balanced.Recall} balanced vs {plain.Recall}");
    }

    [Fact]
    public void F_beta_selection_favours_recall_as_beta_grows()
    {
        var train = GeneratedData.Binary(3000, seed: 1, noise: 0.8);
        var validation = GeneratedData.Binary(1000, seed: 2, noise: 0.8);
        double RecallWith(string beta)
        {
            using var harness = new LinearLearnerHarness();
            harness.Train(Hp(("predictor_type", "binary_classifier"), ("binary_classifier_model_selection_criteria", "f_beta"), ("f_beta", beta),
                ("num_models", "2"), ("mini_batch_size", "100"), ("epochs", "3")), train, validation);
            return harness.FinalMetric("validation recall");
        }

        var recallWeighted = RecallWith("4");
        var precisionWeighted = RecallWith("0.25");
        Assert.True(recallWeighted > precisionWeighted + 0.1, $"recall {recallWeighted} with beta 4 vs {precisionWeighted} with beta 0.25");
    }

    [Fact]
    public void Balanced_multiclass_weights_raise_the_recall_of_a_rare_class()
    {
        // Class 0 is one row in twenty and overlaps class 1.
        List<GeneratedRow> Rows(int count, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(i =>
            {
                var c = i % 20 == 0 ? 0 : 1 + i % 2;
                var centre = c switch { 0 => 0.0, 1 => 1.5, _ => 6.0 };
                return new GeneratedRow(c, [(float)(centre + GeneratedData.Gaussian(random)), (float)GeneratedData.Gaussian(random)]);
            }).ToList();
        }
        var train = Rows(4000, 1);
        var validation = Rows(2000, 2);
        double RareRecallWith(string balance)
        {
            using var harness = new LinearLearnerHarness();
            harness.Train(Hp(("predictor_type", "multiclass_classifier"), ("num_classes", "3"), ("balance_multiclass_weights", balance),
                ("num_models", "1"), ("binary_classifier_model_selection_criteria", "loss_function"), ("mini_batch_size", "100"), ("epochs", "5")), train, validation);
            var rare = validation.Where(r => r.Label == 0).ToList();
            return harness.Score(rare).Count(p => p.PredictedLabel == 0) / (double)rare.Count;
        }

        var plain = RareRecallWith("false");
        var balanced = RareRecallWith("true");
        Assert.True(balanced > plain + 0.2, $"rare-class recall {balanced} balanced vs {plain}");
    }

    [Fact]
    public void Num_calibration_samples_limits_the_rows_that_set_the_threshold()
    {
        // The first 400 validation rows are ordinary; the 1,600 after them are all labelled positive, which pulls an
        // accuracy-maximising threshold down unless calibration stops at the first 400.
        var validation = GeneratedData.Binary(400, seed: 2, noise: 0.3)
            .Concat(GeneratedData.Binary(1600, seed: 5, noise: 0.3).Select(r => r with { Label = 1 })).ToList();
        float ThresholdWith(params (string, string)[] extra)
        {
            using var harness = new LinearLearnerHarness();
            harness.Train(Hp([("predictor_type", "binary_classifier"), ("num_models", "1"), ("mini_batch_size", "100"), ("epochs", "3"), .. extra]),
                GeneratedData.Binary(2000, seed: 1, noise: 0.3), validation);
            return harness.Header.DecisionThreshold;
        }

        var allRows = ThresholdWith();
        var firstRows = ThresholdWith(("num_calibration_samples", "400"));
        Assert.True(firstRows > allRows + 1, $"threshold {firstRows} from 400 rows vs {allRows} from all");
        Assert.InRange(firstRows, -1.5f, 1.5f);
    }

    [Fact]
    public void A_learning_rate_schedule_that_halves_every_step_stops_learning_early()
    {
        var test = GeneratedData.Binary(500, seed: 3);
        double AccuracyWith(params (string, string)[] schedule)
        {
            using var harness = new LinearLearnerHarness();
            harness.Train(Hp([("predictor_type", "binary_classifier"), ("num_models", "1"), ("optimizer", "sgd"), ("learning_rate", "0.01"),
                ("mini_batch_size", "100"), ("epochs", "3"), .. schedule]), GeneratedData.Binary(2000, seed: 1));
            return GeneratedData.Accuracy(test, harness.Score(test));
        }

        var constant = AccuracyWith(("use_lr_scheduler", "false"));
        var halving = AccuracyWith(("lr_scheduler_step", "1"), ("lr_scheduler_factor", "0.5"), ("lr_scheduler_minimum_lr", "1e-12"));
        Assert.True(constant >= 0.9, $"accuracy {constant} at a constant learning rate");
        Assert.True(halving < constant - 0.1, $"accuracy {halving} with the halving schedule vs {constant}");
    }

    [Fact]
    public void A_hinge_loss_classifier_scores_with_its_margin()
    {
        var test = GeneratedData.Binary(500, seed: 3);
        _harness.Train(Hp(("predictor_type", "binary_classifier"), ("loss", "hinge_loss"), ("mini_batch_size", "100"), ("epochs", "8")),
            GeneratedData.Binary(2000, seed: 1), GeneratedData.Binary(500, seed: 2), test);

        var predictions = _harness.Score(test);
        Assert.Contains(predictions, p => p.Score is > 1 or < 0);
        Assert.All(predictions, p => Assert.Equal(p.Score >= _harness.Header.DecisionThreshold ? 1f : 0f, p.PredictedLabel));
        Assert.True(GeneratedData.Accuracy(test, predictions) >= 0.95);
    }

    [Fact]
    public void L1_zeroes_the_weights_of_irrelevant_features()
    {
        // The label depends on the first two features only.
        var random = new Random(4);
        var train = Enumerable.Range(0, 2000).Select(_ =>
        {
            var x = Enumerable.Range(0, 8).Select(_ => (float)GeneratedData.Gaussian(random)).ToArray();
            return new GeneratedRow(x[0] + x[1] > 0 ? 1 : 0, x);
        }).ToList();
        _harness.Train(Hp(("predictor_type", "binary_classifier"), ("l1", "0.05"), ("wd", "0"), ("num_models", "1"), ("mini_batch_size", "100"), ("epochs", "5")), train);

        var weights = LinearModel.Load(_harness.ModelDirectory).Weights.ToArray();
        Assert.True(weights[0] > 0.1 && weights[1] > 0.1, string.Join(", ", weights));
        Assert.True(weights[2..].Count(w => w == 0) >= 5, string.Join(", ", weights));
    }

    [Fact]
    public void Without_bias_the_saved_model_has_none()
    {
        _harness.Train(Hp(("predictor_type", "binary_classifier"), ("use_bias", "false"), ("normalize_data", "false"), ("num_models", "1"), ("epochs", "2")),
            GeneratedData.Binary(500, seed: 1));

        Assert.All(LinearModel.Load(_harness.ModelDirectory).Biases.ToArray(), b => Assert.Equal(0f, b));
    }

    [Fact]
    public void Training_is_deterministic()
    {
        var train = GeneratedData.Binary(1000, seed: 1);
        var hp = Hp(("predictor_type", "binary_classifier"), ("mini_batch_size", "100"), ("epochs", "3"));
        _harness.Train(hp, train);
        using var again = new LinearLearnerHarness();
        again.Train(hp, train);

        Assert.Equal(File.ReadAllBytes(Path.Combine(_harness.ModelDirectory, LinearModel.WeightsFile)),
            File.ReadAllBytes(Path.Combine(again.ModelDirectory, LinearModel.WeightsFile)));
    }

    [Fact]
    public void Cancellation_stops_training_without_writing_a_model()
    {
        using var cancellation = new CancellationTokenSource();
        var log = new CancellingWriter(cancellation, "epoch=0");

        Assert.ThrowsAny<OperationCanceledException>(() => _harness.Train(
            Hp(("predictor_type", "binary_classifier"), ("epochs", "1000"), ("mini_batch_size", "100")),
            GeneratedData.Binary(1000, seed: 1), GeneratedData.Binary(200, seed: 2), log: log, cancellation: cancellation.Token));
        Assert.False(File.Exists(Path.Combine(_harness.ModelDirectory, LinearModel.HeaderFile)));
        Assert.DoesNotContain("epoch=2,", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_label_the_predictor_type_cannot_take_fails_with_its_row()
    {
        var train = GeneratedData.Binary(100, seed: 1);
        train[41] = train[41] with { Label = 2 };

        var error = Assert.Throws<AlgorithmException>(() => _harness.Train(Hp(("predictor_type", "binary_classifier")), train));
        Assert.Contains("row 42 has label 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_validation_channel_fails_with_its_name()
    {
        var error = Assert.Throws<AlgorithmException>(() => _harness.Train(Hp(("predictor_type", "regressor"), ("epochs", "1")),
            GeneratedData.Regression(100, seed: 1), GeneratedData.Regression(100, seed: 2).Where(_ => false).ToList()));
        Assert.Equal("Channel 'validation' has no rows.", error.Message);
    }

    [Fact]
    public void A_feature_dim_that_does_not_match_the_data_fails()
    {
        var error = Assert.Throws<AlgorithmException>(() => _harness.Train(Hp(("predictor_type", "binary_classifier"), ("feature_dim", "11")),
            GeneratedData.Binary(100, seed: 1)));
        Assert.Contains("'feature_dim' is 11 but the training data has 10 features", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Cancels the token when a line containing the trigger is written (then behaves as a StringWriter).</summary>
    private sealed class CancellingWriter(CancellationTokenSource source, string trigger) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains(trigger, StringComparison.Ordinal) == true) source.Cancel();
        }
    }
}
