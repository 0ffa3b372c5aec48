using ControlPlane.Algorithms.LinearLearner;

namespace ControlPlane.Algorithms.Tests.LinearLearner;

public sealed class LinearLearnerHyperparameterTests
{
    private static LinearLearnerSettings Parse(params string[] pairs)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i < pairs.Length; i += 2) values[pairs[i]] = pairs[i + 1];
        return LinearLearnerSettings.Parse(new Hyperparameters(values));
    }

    private static void Rejected(string expectedMessagePart, params string[] pairs)
    {
        var error = Assert.Throws<AlgorithmException>(() => Parse(pairs));
        Assert.Contains(expectedMessagePart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_predictor_type_is_needed_and_the_rest_defaults_as_sagemaker_documents()
    {
        var settings = Parse("predictor_type", "binary_classifier");

        Assert.Equal(PredictorType.BinaryClassifier, settings.PredictorType);
        Assert.Equal((15, 1000, OptimizerKind.Adam, ScalarLossKind.Logistic), (settings.Epochs, settings.MiniBatchSize, settings.Optimizer, settings.Loss));
        Assert.Equal(SelectionCriterion.Accuracy, settings.Criterion);
        Assert.Equal((true, true, true), (settings.NormalizeData, settings.UseBias, settings.UseLearningRateScheduler));
        Assert.False(settings.NormalizeLabel);
        Assert.Equal(LinearLearnerSettings.AutoModelCount, settings.ModelCount);
        Assert.Null(settings.LearningRate);
        Assert.Equal((3, 0.001, 10000), (settings.EarlyStoppingPatience, settings.EarlyStoppingTolerance, settings.ScalerSampleCount));
    }

    [Fact]
    public void Every_documented_hyperparameter_is_accepted_as_the_sdk_sends_it()
    {
        var settings = Parse(
            "predictor_type", "binary_classifier", "feature_dim", "10", "mini_batch_size", "200.0", "epochs", "5",
            "learning_rate", "0.05", "optimizer", "sgd", "momentum", "0.5", "l1", "0.001", "wd", "0.01", "loss", "logistic",
            "binary_classifier_model_selection_criteria", "recall_at_target_precision", "target_precision", "0.85",
            "f_beta", "2", "positive_example_weight_mult", "balanced", "normalize_data", "true", "normalize_label", "false",
            "unbias_data", "auto", "unbias_label", "auto", "num_models", "3", "num_calibration_samples", "100", "use_bias", "True",
            "num_point_for_scaler", "500", "early_stopping_patience", "4", "early_stopping_tolerance", "0.0001", "init_method", "normal",
            "init_sigma", "0.02", "init_bias", "0.1", "bias_lr_mult", "2", "bias_wd_mult", "0.5", "use_lr_scheduler", "true",
            "lr_scheduler_step", "10", "lr_scheduler_factor", "0.9", "lr_scheduler_minimum_lr", "0.0001");

        Assert.Equal((200, 0.05, OptimizerKind.Sgd, 0.5), (settings.MiniBatchSize, settings.LearningRate, settings.Optimizer, settings.Momentum));
        Assert.Equal((SelectionCriterion.RecallAtTargetPrecision, 0.85, PositiveWeightMode.Balanced), (settings.Criterion, settings.TargetPrecision, settings.PositiveWeightMode));
        Assert.Equal((3, 100, true, 0.02), (settings.ModelCount, settings.CalibrationSampleCount, settings.InitNormal, settings.InitSigma));
    }

    [Fact]
    public void Regression_and_multiclass_settings_are_accepted()
    {
        var regressor = Parse("predictor_type", "regressor", "loss", "huber_loss", "huber_delta", "2.5");
        Assert.Equal((ScalarLossKind.Huber, 2.5, true), (regressor.Loss, regressor.HuberDelta, regressor.NormalizeLabel));
        var multiclass = Parse("predictor_type", "multiclass_classifier", "num_classes", "5", "balance_multiclass_weights", "true", "accuracy_top_k", "2");
        Assert.Equal((5, 5, ScalarLossKind.Softmax, 2), (multiclass.ClassCount, multiclass.OutputCount, multiclass.Loss, multiclass.AccuracyTopK));
    }

    [Fact]
    public void A_tuning_job_child_trains_one_model_as_in_sagemaker()
    {
        Assert.Equal(1, Parse("predictor_type", "regressor", "_tuning_objective_metric", "validation:mse").ModelCount);
        var overridden = Parse("predictor_type", "regressor", "_tuning_objective_metric", "validation:mse", "num_models", "4");
        Assert.Equal((1, true), (overridden.ModelCount, overridden.ModelCountOverriddenByTuning));
        Assert.Equal(4, Parse("predictor_type", "regressor", "num_models", "4").ModelCount);
    }

    [Fact]
    public void An_unknown_hyperparameter_is_rejected_by_name() =>
        Rejected("Hyperparameter 'learning_rat' is not supported", "predictor_type", "regressor", "learning_rat", "0.1");

    [Fact]
    public void Predictor_type_is_required() =>
        Rejected("Missing required hyperparameter 'predictor_type'", "epochs", "3");

    [Fact]
    public void Multiclass_needs_num_classes() =>
        Rejected("Missing required hyperparameter 'num_classes'", "predictor_type", "multiclass_classifier");

    [Theory]
    [InlineData("predictor_type", "classifier", "must be one of binary_classifier, multiclass_classifier, regressor")]
    [InlineData("epochs", "ten", "'epochs' must be an integer, got 'ten'")]
    [InlineData("mini_batch_size", "1.5", "'mini_batch_size' must be an integer")]
    [InlineData("learning_rate", "fast", "'learning_rate' must be a number")]
    [InlineData("use_bias", "maybe", "'use_bias' must be 'true' or 'false'")]
    [InlineData("normalize_data", "yes", "'normalize_data' must be 'true' or 'false'")]
    [InlineData("optimizer", "adagrad", "'optimizer' must be one of auto, sgd, adam, rmsprop")]
    [InlineData("init_method", "xavier", "'init_method' must be one of uniform, normal")]
    [InlineData("positive_example_weight_mult", "lots", "'positive_example_weight_mult' must be a number")]
    [InlineData("loss", "cross_entropy", "'loss' must be one of auto, logistic")]
    [InlineData("binary_classifier_model_selection_criteria", "auc", "must be one of accuracy, f_beta")]
    [InlineData("num_models", "many", "'num_models' must be an integer")]
    public void A_value_of_the_wrong_type_is_rejected(string name, string value, string message) =>
        Rejected(message, "predictor_type", name == "predictor_type" ? value : "binary_classifier", name, value);

    [Theory]
    [InlineData("epochs", "0", "'epochs' must be in [1, ")]
    [InlineData("mini_batch_size", "-5", "'mini_batch_size' must be in [1, ")]
    [InlineData("learning_rate", "0", "'learning_rate' must be in (0, ")]
    [InlineData("l1", "-0.1", "'l1' must be in [0, ")]
    [InlineData("wd", "-1", "'wd' must be in [0, ")]
    [InlineData("beta_1", "1", "'beta_1' must be in [0, 1)")]
    [InlineData("beta_2", "1.5", "'beta_2' must be in [0, 1)")]
    [InlineData("target_precision", "1", "'target_precision' must be in (0, 1)")]
    [InlineData("target_recall", "0", "'target_recall' must be in (0, 1)")]
    [InlineData("f_beta", "0", "'f_beta' must be in (0, ")]
    [InlineData("positive_example_weight_mult", "0", "'positive_example_weight_mult' must be in (0, ")]
    [InlineData("num_models", "0", "'num_models' must be in [1, ")]
    [InlineData("num_point_for_scaler", "0", "'num_point_for_scaler' must be in [1, ")]
    [InlineData("early_stopping_tolerance", "0", "'early_stopping_tolerance' must be in (0, ")]
    [InlineData("init_scale", "-1", "'init_scale' must be in (0, ")]
    [InlineData("lr_scheduler_factor", "1", "'lr_scheduler_factor' must be in (0, 1)")]
    [InlineData("feature_dim", "0", "'feature_dim' must be in [1, ")]
    public void A_value_out_of_range_is_rejected(string name, string value, string message) =>
        Rejected(message, "predictor_type", "binary_classifier", name, value);

    [Theory]
    [InlineData("momentum", "1", "'momentum' must be in [0, 1)")]
    [InlineData("quantile", "1", "'quantile' must be in (0, 1)")]
    [InlineData("huber_delta", "-1", "'huber_delta' must be in [0, ")]
    [InlineData("loss_insensitivity", "0", "'loss_insensitivity' must be in (0, ")]
    public void A_loss_or_optimizer_parameter_out_of_range_is_rejected(string name, string value, string message) =>
        Rejected(message, "predictor_type", "regressor", "optimizer", "sgd", name, value);

    [Theory]
    [InlineData("2")]
    [InlineData("1000001")]
    public void Num_classes_must_be_between_3_and_a_million(string value) =>
        Rejected("'num_classes' must be in [3, 1000000]", "predictor_type", "multiclass_classifier", "num_classes", value);

    [Theory]
    [InlineData("binary_classifier", "squared_loss")]
    [InlineData("binary_classifier", "softmax_loss")]
    [InlineData("regressor", "logistic")]
    [InlineData("regressor", "hinge_loss")]
    [InlineData("multiclass_classifier", "hinge_loss")]
    [InlineData("multiclass_classifier", "absolute_loss")]
    public void A_loss_the_predictor_type_cannot_use_is_rejected(string predictor, string loss) =>
        Rejected($"Loss '{loss}' is not valid for predictor_type '{predictor}'", "predictor_type", predictor, "num_classes", predictor == "multiclass_classifier" ? "3" : "auto", "loss", loss);

    [Theory]
    [InlineData("'momentum' applies to optimizer 'sgd' only", "predictor_type", "binary_classifier", "optimizer", "adam", "momentum", "0.5")]
    [InlineData("'beta_1' applies to optimizer 'adam' only", "predictor_type", "binary_classifier", "optimizer", "sgd", "beta_1", "0.5")]
    [InlineData("'beta_2' applies to optimizer 'adam' only", "predictor_type", "binary_classifier", "optimizer", "rmsprop", "beta_2", "0.5")]
    [InlineData("'target_recall' applies to binary_classifier_model_selection_criteria 'precision_at_target_recall' only", "predictor_type", "binary_classifier", "target_recall", "0.5")]
    [InlineData("'target_precision' applies to binary_classifier_model_selection_criteria 'recall_at_target_precision' only", "predictor_type", "binary_classifier", "binary_classifier_model_selection_criteria", "f_beta", "target_precision", "0.5")]
    [InlineData("'huber_delta' applies to loss 'huber_loss' only", "predictor_type", "regressor", "huber_delta", "2")]
    [InlineData("'quantile' applies to loss 'quantile_loss' only", "predictor_type", "regressor", "loss", "absolute_loss", "quantile", "0.2")]
    [InlineData("'margin' applies to loss 'hinge_loss' only", "predictor_type", "binary_classifier", "margin", "2")]
    [InlineData("'loss_insensitivity' applies to the eps_insensitive_* losses only", "predictor_type", "regressor", "loss_insensitivity", "0.1")]
    [InlineData("'num_classes' applies to predictor_type 'multiclass_classifier' only", "predictor_type", "binary_classifier", "num_classes", "3")]
    [InlineData("'positive_example_weight_mult' applies to predictor_type 'binary_classifier' only", "predictor_type", "regressor", "positive_example_weight_mult", "2")]
    [InlineData("'balance_multiclass_weights' applies to predictor_type 'multiclass_classifier' only", "predictor_type", "binary_classifier", "balance_multiclass_weights", "true")]
    [InlineData("'normalize_label' can be true for predictor_type 'regressor' only", "predictor_type", "binary_classifier", "normalize_label", "true")]
    [InlineData("'unbias_label' can be true for predictor_type 'regressor' only", "predictor_type", "multiclass_classifier", "num_classes", "3", "unbias_label", "true")]
    [InlineData("'accuracy_top_k' applies to predictor_type 'multiclass_classifier' only", "predictor_type", "binary_classifier", "accuracy_top_k", "2")]
    [InlineData("'num_calibration_samples' applies to predictor_type 'binary_classifier' only", "predictor_type", "regressor", "num_calibration_samples", "100")]
    [InlineData("'f_beta' applies to classifiers only", "predictor_type", "regressor", "f_beta", "2")]
    [InlineData("'init_scale' applies to init_method 'uniform' only", "predictor_type", "regressor", "init_method", "normal", "init_scale", "0.1")]
    [InlineData("'init_sigma' applies to init_method 'normal' only", "predictor_type", "regressor", "init_sigma", "0.1")]
    [InlineData("'bias_lr_mult' needs a bias term", "predictor_type", "regressor", "use_bias", "false", "bias_lr_mult", "2")]
    [InlineData("'init_bias' needs a bias term", "predictor_type", "regressor", "use_bias", "false", "init_bias", "1")]
    [InlineData("'lr_scheduler_step' needs the learning rate scheduler", "predictor_type", "regressor", "use_lr_scheduler", "false", "lr_scheduler_step", "5")]
    [InlineData("'cross_entropy_loss' needs probabilities", "predictor_type", "binary_classifier", "loss", "hinge_loss", "binary_classifier_model_selection_criteria", "cross_entropy_loss")]
    [InlineData("regressors are selected by loss_function", "predictor_type", "regressor", "binary_classifier_model_selection_criteria", "accuracy")]
    [InlineData("use accuracy, loss_function or cross_entropy_loss", "predictor_type", "multiclass_classifier", "num_classes", "3", "binary_classifier_model_selection_criteria", "f_beta")]
    [InlineData("'f_beta' cannot be combined with binary_classifier_model_selection_criteria 'f1'", "predictor_type", "binary_classifier", "binary_classifier_model_selection_criteria", "f1", "f_beta", "2")]
    public void A_hyperparameter_that_cannot_take_effect_is_rejected_not_ignored(string message, params string[] pairs) =>
        Rejected(message, pairs);

    [Fact]
    public void Auto_is_accepted_where_the_setting_does_not_apply()
    {
        var settings = Parse("predictor_type", "binary_classifier", "optimizer", "adam", "momentum", "auto", "num_classes", "auto",
            "lr_scheduler_step", "auto", "bias_lr_mult", "auto");
        Assert.Equal(OptimizerKind.Adam, settings.Optimizer);
    }

    [Fact]
    public void Hyperparameters_are_checked_before_the_data_is_read()
    {
        // The data has a label binary classification cannot take; the hyperparameter error comes first.
        using var harness = new LinearLearnerHarness();
        var train = GeneratedData.Binary(50, seed: 1).Select(r => r with { Label = 7 }).ToList();

        var error = Assert.Throws<AlgorithmException>(() => harness.Train(
            new Dictionary<string, string> { ["predictor_type"] = "binary_classifier", ["epochs"] = "-1" }, train));
        Assert.Contains("'epochs' must be in [1, ", error.Message, StringComparison.Ordinal);
    }
}
