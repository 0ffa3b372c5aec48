namespace ControlPlane.Algorithms.LinearLearner;

internal enum PredictorType { BinaryClassifier, MulticlassClassifier, Regressor }

internal enum OptimizerKind { Sgd, Adam, RmsProp }

internal enum SelectionCriterion { Accuracy, FBeta, F1, PrecisionAtTargetRecall, RecallAtTargetPrecision, LossFunction, CrossEntropyLoss }

/// <summary>How positive examples are weighted (binary only): a fixed factor, <c>balanced</c> (negatives / positives in
/// the scaler sample), or <c>auto</c> (candidates alternate between 1 and balanced, the selection decides).</summary>
internal enum PositiveWeightMode { Fixed, Balanced, Auto }

/// <summary>
/// Linear Learner's hyperparameters (contract §7.2), validated as a whole before any data is read. Values left at
/// <c>auto</c> are null where the choice is made per candidate model (learning rate, l1, wd) and resolved to this
/// implementation's defaults elsewhere. A value set explicitly that has no effect under the other settings (momentum
/// with adam, target_recall without precision_at_target_recall, ...) is rejected rather than ignored.
/// </summary>
internal sealed record LinearLearnerSettings
{
    /// <summary>Models trained in parallel when num_models is auto (SageMaker picks its own number; ours is fixed).</summary>
    public const int AutoModelCount = 8;

    /// <summary>Passed by SageMaker to every child of a hyperparameter tuning job.</summary>
    public const string TuningObjectiveMetric = "_tuning_objective_metric";

    private static readonly HashSet<string> s_known = new(StringComparer.Ordinal)
    {
        "predictor_type", "num_classes", "feature_dim", "mini_batch_size", "epochs", "learning_rate", "optimizer",
        "momentum", "beta_1", "beta_2", "l1", "wd", "loss", "binary_classifier_model_selection_criteria",
        "target_precision", "target_recall", "f_beta", "positive_example_weight_mult", "balance_multiclass_weights",
        "normalize_data", "normalize_label", "unbias_data", "unbias_label", "num_models", "num_calibration_samples",
        "use_bias", "num_point_for_scaler", "early_stopping_patience", "early_stopping_tolerance", "accuracy_top_k",
        "init_method", "init_scale", "init_sigma", "init_bias", "bias_lr_mult", "bias_wd_mult", "use_lr_scheduler",
        "lr_scheduler_step", "lr_scheduler_factor", "lr_scheduler_minimum_lr", "huber_delta", "quantile",
        "loss_insensitivity", "margin", TuningObjectiveMetric,
    };

    private static readonly Dictionary<PredictorType, string[]> s_lossesByPredictor = new()
    {
        [PredictorType.BinaryClassifier] = ["logistic", "hinge_loss"],
        [PredictorType.MulticlassClassifier] = ["softmax_loss"],
        [PredictorType.Regressor] =
        [
            "squared_loss", "absolute_loss", "eps_insensitive_squared_loss", "eps_insensitive_absolute_loss",
            "quantile_loss", "huber_loss",
        ],
    };

    public required PredictorType PredictorType { get; init; }
    public required string PredictorTypeName { get; init; }
    /// <summary>Null for auto (taken from the data).</summary>
    public required int? FeatureDim { get; init; }
    /// <summary>Classes for multiclass; 2 for binary; 1 for regression.</summary>
    public required int ClassCount { get; init; }
    public required int Epochs { get; init; }
    public required int MiniBatchSize { get; init; }
    /// <summary>Null for auto: <see cref="DefaultLearningRate"/> for the first model, a spread for the others.</summary>
    public required double? LearningRate { get; init; }
    public required OptimizerKind Optimizer { get; init; }
    public required double Momentum { get; init; }
    public required double Beta1 { get; init; }
    public required double Beta2 { get; init; }
    /// <summary>Null for auto: 0 for the first model, a spread for the others.</summary>
    public required double? L1 { get; init; }
    /// <summary>Null for auto: 0 for the first model, a spread for the others.</summary>
    public required double? Wd { get; init; }
    public required ScalarLossKind Loss { get; init; }
    public required string LossName { get; init; }
    public required SelectionCriterion Criterion { get; init; }
    /// <summary>Whether the user named the criterion: then early stopping watches it, else the objective loss.</summary>
    public required bool CriterionExplicit { get; init; }
    public required double TargetPrecision { get; init; }
    public required double TargetRecall { get; init; }
    public required double FBeta { get; init; }
    public required PositiveWeightMode PositiveWeightMode { get; init; }
    public required double PositiveWeight { get; init; }
    public required bool BalanceMulticlassWeights { get; init; }
    public required bool NormalizeData { get; init; }
    public required bool NormalizeLabel { get; init; }
    public required bool UnbiasData { get; init; }
    public required bool UnbiasLabel { get; init; }
    public required int ModelCount { get; init; }
    /// <summary>Whether SageMaker's tuning job overrode an explicit num_models (it trains one model under tuning).</summary>
    public required bool ModelCountOverriddenByTuning { get; init; }
    /// <summary>Null for auto: every row of the selection channel calibrates the threshold.</summary>
    public required int? CalibrationSampleCount { get; init; }
    public required bool UseBias { get; init; }
    public required int ScalerSampleCount { get; init; }
    public required int EarlyStoppingPatience { get; init; }
    public required double EarlyStoppingTolerance { get; init; }
    public required int AccuracyTopK { get; init; }
    public required bool InitNormal { get; init; }
    public required double InitScale { get; init; }
    public required double InitSigma { get; init; }
    public required double InitBias { get; init; }
    public required double BiasLearningRateMultiplier { get; init; }
    public required double BiasWeightDecayMultiplier { get; init; }
    public required bool UseLearningRateScheduler { get; init; }
    public required int LearningRateSchedulerStep { get; init; }
    public required double LearningRateSchedulerFactor { get; init; }
    public required double LearningRateSchedulerMinimum { get; init; }
    public required double HuberDelta { get; init; }
    public required double Quantile { get; init; }
    public required double LossInsensitivity { get; init; }
    public required double Margin { get; init; }

    /// <summary>Output columns of the linear model: one margin for binary and regression, one per class for multiclass.</summary>
    public int OutputCount => PredictorType == PredictorType.MulticlassClassifier ? ClassCount : 1;

    /// <summary>The first model's learning rate when learning_rate is auto (every optimizer; features are standardised).</summary>
    public const double DefaultLearningRate = 0.01;

    public static LinearLearnerSettings Parse(Hyperparameters hp)
    {
        hp.RejectUnknown(s_known);
        var rules = new Applicability(hp);

        var predictorName = hp.Require("predictor_type").Trim();
        var predictor = hp.GetChoice("predictor_type", "", "binary_classifier", "multiclass_classifier", "regressor") switch
        {
            "binary_classifier" => PredictorType.BinaryClassifier,
            "multiclass_classifier" => PredictorType.MulticlassClassifier,
            _ => PredictorType.Regressor,
        };
        var binary = predictor == PredictorType.BinaryClassifier;
        var multiclass = predictor == PredictorType.MulticlassClassifier;
        var onlyFor = $"predictor_type is '{predictorName}'";

        int classCount;
        if (multiclass)
        {
            if (!hp.IsSet("num_classes")) throw new AlgorithmException("Missing required hyperparameter 'num_classes': predictor_type 'multiclass_classifier' needs it.");
            classCount = hp.GetInt("num_classes", 0, 3, 1_000_000);
        }
        else
        {
            if (!hp.IsAuto("num_classes")) hp.GetInt("num_classes", 0, 3, 1_000_000);
            rules.Reject("num_classes", "applies to predictor_type 'multiclass_classifier' only", onlyFor);
            classCount = binary ? 2 : 1;
        }

        var featureDim = hp.IsAuto("feature_dim") ? (int?)null : hp.GetInt("feature_dim", 0, 1);
        var optimizer = hp.IsAuto("optimizer")
            ? OptimizerKind.Adam
            : hp.GetChoice("optimizer", "adam", "auto", "sgd", "adam", "rmsprop") switch
            {
                "sgd" => OptimizerKind.Sgd,
                "rmsprop" => OptimizerKind.RmsProp,
                _ => OptimizerKind.Adam,
            };
        var optimizerName = optimizer.ToString().ToLowerInvariant();
        var momentum = AutoOrDouble(hp, "momentum", 0.9, 0, 1, maxInclusive: false);
        rules.Reject("momentum", "applies to optimizer 'sgd' only", $"optimizer is '{optimizerName}'", when: optimizer != OptimizerKind.Sgd);
        var beta1 = AutoOrDouble(hp, "beta_1", 0.9, 0, 1, maxInclusive: false);
        var beta2 = AutoOrDouble(hp, "beta_2", 0.999, 0, 1, maxInclusive: false);
        rules.Reject("beta_1", "applies to optimizer 'adam' only", $"optimizer is '{optimizerName}'", when: optimizer != OptimizerKind.Adam);
        rules.Reject("beta_2", "applies to optimizer 'adam' only", $"optimizer is '{optimizerName}'", when: optimizer != OptimizerKind.Adam);

        var lossName = hp.IsAuto("loss")
            ? DefaultLoss(predictor)
            : hp.GetChoice("loss", "auto", ["auto", .. s_lossesByPredictor.Values.SelectMany(losses => losses)]);
        var validLosses = s_lossesByPredictor[predictor];
        if (!validLosses.Contains(lossName, StringComparer.Ordinal))
        {
            throw new AlgorithmException(
                $"Loss '{lossName}' is not valid for predictor_type '{predictorName}'. Valid values: auto, {string.Join(", ", validLosses)}.");
        }
        var loss = ScalarLoss.KindOf(lossName);
        var huberDelta = hp.GetDouble("huber_delta", 1.0, 0);
        rules.Reject("huber_delta", "applies to loss 'huber_loss' only", $"loss is '{lossName}'", when: loss != ScalarLossKind.Huber);
        var quantile = hp.GetDouble("quantile", 0.5, 0, 1, minInclusive: false, maxInclusive: false);
        rules.Reject("quantile", "applies to loss 'quantile_loss' only", $"loss is '{lossName}'", when: loss != ScalarLossKind.Quantile);
        var insensitivity = hp.GetDouble("loss_insensitivity", 0.01, 0, minInclusive: false);
        rules.Reject("loss_insensitivity", "applies to the eps_insensitive_* losses only", $"loss is '{lossName}'",
            when: loss is not (ScalarLossKind.EpsInsensitiveSquared or ScalarLossKind.EpsInsensitiveAbsolute));
        var margin = hp.GetDouble("margin", 1.0, 0);
        rules.Reject("margin", "applies to loss 'hinge_loss' only", $"loss is '{lossName}'", when: loss != ScalarLossKind.Hinge);

        var criterion = hp.GetChoice("binary_classifier_model_selection_criteria", "accuracy",
            "accuracy", "f_beta", "f1", "precision_at_target_recall", "recall_at_target_precision", "loss_function", "cross_entropy_loss") switch
        {
            "f_beta" => SelectionCriterion.FBeta,
            "f1" => SelectionCriterion.F1,
            "precision_at_target_recall" => SelectionCriterion.PrecisionAtTargetRecall,
            "recall_at_target_precision" => SelectionCriterion.RecallAtTargetPrecision,
            "loss_function" => SelectionCriterion.LossFunction,
            "cross_entropy_loss" => SelectionCriterion.CrossEntropyLoss,
            _ => SelectionCriterion.Accuracy,
        };
        var criterionExplicit = hp.IsSet("binary_classifier_model_selection_criteria");
        if (!binary)
        {
            // Multiclass models are chosen by accuracy (default) or loss; regressors by loss.
            var allowed = multiclass
                ? criterion is SelectionCriterion.Accuracy or SelectionCriterion.LossFunction or SelectionCriterion.CrossEntropyLoss
                : criterion == SelectionCriterion.LossFunction;
            if (criterionExplicit && !allowed)
            {
                throw new AlgorithmException(
                    $"binary_classifier_model_selection_criteria '{hp.Values["binary_classifier_model_selection_criteria"].Trim()}' cannot be used when {onlyFor}: "
                    + (multiclass ? "use accuracy, loss_function or cross_entropy_loss." : "regressors are selected by loss_function."));
            }
            if (!multiclass) criterion = SelectionCriterion.LossFunction;
        }
        else if (criterion == SelectionCriterion.CrossEntropyLoss && loss != ScalarLossKind.Logistic)
        {
            throw new AlgorithmException("binary_classifier_model_selection_criteria 'cross_entropy_loss' needs probabilities: use it with loss 'logistic'.");
        }
        var targetPrecision = hp.GetDouble("target_precision", 0.8, 0, 1, minInclusive: false, maxInclusive: false);
        rules.Reject("target_precision", "applies to binary_classifier_model_selection_criteria 'recall_at_target_precision' only",
            "it is not selected", when: criterion != SelectionCriterion.RecallAtTargetPrecision);
        var targetRecall = hp.GetDouble("target_recall", 0.8, 0, 1, minInclusive: false, maxInclusive: false);
        rules.Reject("target_recall", "applies to binary_classifier_model_selection_criteria 'precision_at_target_recall' only",
            "it is not selected", when: criterion != SelectionCriterion.PrecisionAtTargetRecall);
        var fBeta = hp.GetDouble("f_beta", 1.0, 0, minInclusive: false);
        rules.Reject("f_beta", "applies to classifiers only", onlyFor, when: predictor == PredictorType.Regressor);
        if (criterion == SelectionCriterion.F1 && hp.IsSet("f_beta"))
        {
            throw new AlgorithmException("Hyperparameter 'f_beta' cannot be combined with binary_classifier_model_selection_criteria 'f1' (beta 1): use 'f_beta'.");
        }

        var (positiveMode, positiveWeight) = ParsePositiveWeight(hp);
        rules.Reject("positive_example_weight_mult", "applies to predictor_type 'binary_classifier' only", onlyFor, when: !binary);
        var balanceMulticlass = hp.GetBool("balance_multiclass_weights", false);
        if (balanceMulticlass && !multiclass) throw new AlgorithmException($"Hyperparameter 'balance_multiclass_weights' applies to predictor_type 'multiclass_classifier' only; {onlyFor}.");

        var useBias = hp.GetBool("use_bias", true);
        var normalizeData = AutoOrBool(hp, "normalize_data", true);
        var normalizeLabel = AutoOrBool(hp, "normalize_label", predictor == PredictorType.Regressor);
        if (normalizeLabel && predictor != PredictorType.Regressor) throw new AlgorithmException($"Hyperparameter 'normalize_label' can be true for predictor_type 'regressor' only; {onlyFor}.");
        var unbiasData = AutoOrBool(hp, "unbias_data", useBias);
        var unbiasLabel = AutoOrBool(hp, "unbias_label", useBias && predictor == PredictorType.Regressor);
        if (unbiasLabel && predictor != PredictorType.Regressor) throw new AlgorithmException($"Hyperparameter 'unbias_label' can be true for predictor_type 'regressor' only; {onlyFor}.");

        // Under automatic model tuning SageMaker turns the internal search off: one model, whatever num_models says.
        var requestedModels = hp.IsAuto("num_models") ? AutoModelCount : hp.GetInt("num_models", 1, 1);
        var underTuning = hp.IsSet(TuningObjectiveMetric);
        var modelCount = underTuning ? 1 : requestedModels;
        var calibration = hp.IsAuto("num_calibration_samples") ? (int?)null : hp.GetInt("num_calibration_samples", 1, 1);
        rules.Reject("num_calibration_samples", "applies to predictor_type 'binary_classifier' only", onlyFor, when: !binary);
        var topK = hp.GetInt("accuracy_top_k", 3, 1);
        rules.Reject("accuracy_top_k", "applies to predictor_type 'multiclass_classifier' only", onlyFor, when: !multiclass);

        var initMethod = hp.GetChoice("init_method", "uniform", "uniform", "normal");
        var initScale = hp.GetDouble("init_scale", 0.07, 0, minInclusive: false);
        rules.Reject("init_scale", "applies to init_method 'uniform' only", "init_method is 'normal'", when: initMethod == "normal");
        var initSigma = hp.GetDouble("init_sigma", 0.01, 0, minInclusive: false);
        rules.Reject("init_sigma", "applies to init_method 'normal' only", "init_method is 'uniform'", when: initMethod == "uniform");
        var initBias = hp.GetDouble("init_bias", 0);
        var biasLrMult = AutoOrDouble(hp, "bias_lr_mult", 1, 0, minInclusive: false);
        var biasWdMult = AutoOrDouble(hp, "bias_wd_mult", 0, 0);
        foreach (var name in new[] { "init_bias", "bias_lr_mult", "bias_wd_mult" })
        {
            rules.Reject(name, "needs a bias term", "use_bias is false", when: !useBias);
        }

        var useScheduler = hp.GetBool("use_lr_scheduler", true);
        var schedulerStep = hp.IsAuto("lr_scheduler_step") ? 100 : hp.GetInt("lr_scheduler_step", 100, 1);
        var schedulerFactor = AutoOrDouble(hp, "lr_scheduler_factor", 0.99, 0, 1, minInclusive: false, maxInclusive: false);
        var schedulerMinimum = AutoOrDouble(hp, "lr_scheduler_minimum_lr", 1e-5, 0, minInclusive: false);
        foreach (var name in new[] { "lr_scheduler_step", "lr_scheduler_factor", "lr_scheduler_minimum_lr" })
        {
            rules.Reject(name, "needs the learning rate scheduler", "use_lr_scheduler is false", when: !useScheduler);
        }

        return new LinearLearnerSettings
        {
            PredictorType = predictor,
            PredictorTypeName = predictorName,
            FeatureDim = featureDim,
            ClassCount = classCount,
            Epochs = hp.GetInt("epochs", 15, 1),
            MiniBatchSize = hp.GetInt("mini_batch_size", 1000, 1),
            LearningRate = hp.IsAuto("learning_rate") ? null : hp.GetDouble("learning_rate", 0, 0, minInclusive: false),
            Optimizer = optimizer,
            Momentum = momentum,
            Beta1 = beta1,
            Beta2 = beta2,
            L1 = hp.IsAuto("l1") ? null : hp.GetDouble("l1", 0, 0),
            Wd = hp.IsAuto("wd") ? null : hp.GetDouble("wd", 0, 0),
            Loss = loss,
            LossName = lossName,
            Criterion = criterion,
            CriterionExplicit = criterionExplicit,
            TargetPrecision = targetPrecision,
            TargetRecall = targetRecall,
            FBeta = criterion == SelectionCriterion.F1 ? 1.0 : fBeta,
            PositiveWeightMode = binary ? positiveMode : PositiveWeightMode.Fixed,
            PositiveWeight = positiveWeight,
            BalanceMulticlassWeights = balanceMulticlass,
            NormalizeData = normalizeData,
            NormalizeLabel = normalizeLabel,
            UnbiasData = unbiasData,
            UnbiasLabel = unbiasLabel,
            ModelCount = modelCount,
            ModelCountOverriddenByTuning = underTuning && !hp.IsAuto("num_models") && requestedModels != 1,
            CalibrationSampleCount = calibration,
            UseBias = useBias,
            ScalerSampleCount = hp.GetInt("num_point_for_scaler", 10000, 1),
            EarlyStoppingPatience = hp.GetInt("early_stopping_patience", 3, 1),
            EarlyStoppingTolerance = hp.GetDouble("early_stopping_tolerance", 0.001, 0, minInclusive: false),
            AccuracyTopK = topK,
            InitNormal = initMethod == "normal",
            InitScale = initScale,
            InitSigma = initSigma,
            InitBias = initBias,
            BiasLearningRateMultiplier = biasLrMult,
            BiasWeightDecayMultiplier = biasWdMult,
            UseLearningRateScheduler = useScheduler,
            LearningRateSchedulerStep = schedulerStep,
            LearningRateSchedulerFactor = schedulerFactor,
            LearningRateSchedulerMinimum = schedulerMinimum,
            HuberDelta = huberDelta,
            Quantile = quantile,
            LossInsensitivity = insensitivity,
            Margin = margin,
        };
    }

    private static string DefaultLoss(PredictorType predictor) => predictor switch
    {
        PredictorType.BinaryClassifier => "logistic",
        PredictorType.MulticlassClassifier => "softmax_loss",
        _ => "squared_loss",
    };

    private static (PositiveWeightMode, double) ParsePositiveWeight(Hyperparameters hp)
    {
        if (!hp.IsSet("positive_example_weight_mult")) return (PositiveWeightMode.Fixed, 1.0);
        return hp.Values["positive_example_weight_mult"].Trim() switch
        {
            "auto" => (PositiveWeightMode.Auto, 1.0),
            "balanced" => (PositiveWeightMode.Balanced, 1.0),
            _ => (PositiveWeightMode.Fixed, hp.GetDouble("positive_example_weight_mult", 1.0, 0, minInclusive: false)),
        };
    }

    private static double AutoOrDouble(Hyperparameters hp, string name, double auto, double min = double.NegativeInfinity,
        double max = double.PositiveInfinity, bool minInclusive = true, bool maxInclusive = true) =>
        hp.IsAuto(name) ? auto : hp.GetDouble(name, auto, min, max, minInclusive, maxInclusive);

    private static bool AutoOrBool(Hyperparameters hp, string name, bool auto) => hp.IsAuto(name) ? auto : hp.GetBool(name, auto);

    /// <summary>Rejects a hyperparameter the user set (to anything but auto) that the other settings leave without effect.</summary>
    private sealed class Applicability(Hyperparameters hp)
    {
        public void Reject(string name, string appliesTo, string because, bool when = true)
        {
            if (when && hp.IsSet(name) && !hp.IsAuto(name))
            {
                throw new AlgorithmException($"Hyperparameter '{name}' {appliesTo}, but {because}; remove it or change the setting it depends on.");
            }
        }
    }
}
