using System.Globalization;
using System.Text;

namespace ControlPlane.Algorithms.XGBoost;

/// <summary>
/// XGBoost's hyperparameters (contract 7.3) validated and mapped onto LightGBM's parameters. Each one either means on
/// LightGBM what it means on XGBoost, or is refused with the reason; none is ignored.
/// </summary>
internal sealed class XgboostSettings
{
    /// <summary>Hyperparameters XGBoost knows that cannot be carried out here, with the reason given to the user.</summary>
    private static readonly Dictionary<string, string> Unsupported = new(StringComparer.Ordinal)
    {
        ["sketch_eps"] = "it tunes tree_method=approx's quantile sketch; features are binned into max_bin histogram bins here",
        ["tweedie_variance_power"] = "objective reg:tweedie is not supported",
        ["sample_type"] = "booster=dart is not supported",
        ["normalize_type"] = "booster=dart is not supported",
        ["rate_drop"] = "booster=dart is not supported",
        ["one_drop"] = "booster=dart is not supported",
        ["skip_drop"] = "booster=dart is not supported",
        ["lambda_bias"] = "booster=gblinear is not supported",
        ["updater"] = "the tree updaters are LightGBM's and cannot be chosen",
        ["refresh_leaf"] = "process_type=update is not supported",
        ["_kfold"] = "cross-validation training is not supported",
        ["_num_cv_round"] = "cross-validation training is not supported",
    };

    /// <summary>GPU-only settings: without a GPU they change nothing, as on XGBoost's CPU algorithms.</summary>
    private static readonly string[] GpuOnly = ["deterministic_histogram", "single_precision_histogram"];

    private static readonly HashSet<string> Known =
    [
        "num_round", "num_class", "objective", "eta", "gamma", "max_depth", "min_child_weight", "max_delta_step", "subsample",
        "colsample_bytree", "colsample_bylevel", "colsample_bynode", "alpha", "lambda", "scale_pos_weight", "eval_metric",
        "early_stopping_rounds", "tree_method", "booster", "base_score", "csv_weights", "grow_policy", "max_leaves", "max_bin",
        "seed", "nthread", "verbosity", "huber_slope", "monotone_constraints", "interaction_constraints", "num_parallel_tree",
        "sampling_method", "process_type", "_tuning_objective_metric", .. Unsupported.Keys, .. GpuOnly,
    ];

    public required int NumRound { get; init; }

    public required XgboostObjective Objective { get; init; }

    /// <summary>1 unless the objective is multiclass.</summary>
    public required int NumClass { get; init; }

    public required IReadOnlyList<EvalMetric> Metrics { get; init; }

    public required int? EarlyStoppingRounds { get; init; }

    public required double? BaseScore { get; init; }

    public required bool CsvWeights { get; init; }

    public required int Threads { get; init; }

    public required double ScalePosWeight { get; init; }

    /// <summary>LightGBM's booster parameters (objective and tree growth), space-separated key=value.</summary>
    public required string BoosterParameters { get; init; }

    /// <summary>LightGBM's dataset parameters (binning), space-separated key=value.</summary>
    public required string DatasetParameters { get; init; }

    public static XgboostSettings Parse(Hyperparameters hp)
    {
        hp.RejectUnknown(Known);
        foreach (var (name, reason) in Unsupported)
        {
            if (hp.IsSet(name))
            {
                throw new AlgorithmException($"Hyperparameter '{name}' is not supported: {reason}.");
            }
        }

        hp.Require("num_round");
        var numRound = hp.GetInt("num_round", 0, min: 1);

        var objectiveName = hp.GetChoice("objective", "reg:squarederror", [.. XgboostObjective.Names]);
        var huberSlope = hp.GetDouble("huber_slope", 1, min: 0, minInclusive: false);
        var objective = XgboostObjective.Create(objectiveName, huberSlope);
        var numClass = 1;
        if (objective.IsMulticlass)
        {
            if (!hp.IsSet("num_class"))
            {
                throw new AlgorithmException($"Hyperparameter 'num_class' is required for objective {objectiveName}.");
            }

            numClass = hp.GetInt("num_class", 0, min: 2);
        }
        else if (hp.IsSet("num_class"))
        {
            throw new AlgorithmException($"Hyperparameter 'num_class' applies only to multi:softmax and multi:softprob, not to {objectiveName}.");
        }

        hp.GetChoice("booster", "gbtree", "gbtree");
        hp.GetChoice("process_type", "default", "default");
        hp.GetChoice("sampling_method", "uniform", "uniform");
        hp.GetInt("num_parallel_tree", 1, min: 1, max: 1);
        hp.GetDouble("colsample_bylevel", 1, min: 1, max: 1);
        foreach (var name in GpuOnly)
        {
            hp.GetBool(name, true);
        }

        if (hp.GetChoice("tree_method", "auto", "auto", "exact", "approx", "hist", "gpu_hist") == "gpu_hist")
        {
            throw new AlgorithmException("Hyperparameter 'tree_method' gpu_hist needs a GPU, which this host has not; use hist.");
        }

        var metrics = ParseMetrics(hp, objective, huberSlope);
        var earlyStopping = hp.IsSet("early_stopping_rounds") ? hp.GetInt("early_stopping_rounds", 0, min: 1) : (int?)null;
        var baseScore = hp.IsSet("base_score") ? hp.GetDouble("base_score", 0.5) : (double?)null;
        if (baseScore is { } score && !double.IsFinite(objective.Margin(score)))
        {
            throw new AlgorithmException($"Hyperparameter 'base_score' {score} has no margin under {objectiveName} (it must be inside the objective's output range).");
        }

        var scalePosWeight = hp.GetDouble("scale_pos_weight", 1, min: 0, minInclusive: false);
        if (scalePosWeight != 1 && objective.LightGbmObjective(softLabels: false) != "binary")
        {
            throw new AlgorithmException($"Hyperparameter 'scale_pos_weight' applies to binary:logistic and binary:logitraw only, not to {objectiveName}.");
        }

        var threads = hp.GetInt("nthread", Environment.ProcessorCount, min: 1);
        hp.GetInt("verbosity", 1, min: 0, max: 3);
        var seed = hp.GetInt("seed", 0);
        var booster = new StringBuilder();
        void Set(string key, FormattableString value) => booster.Append(key).Append('=').Append(value.ToString(CultureInfo.InvariantCulture)).Append(' ');

        Set("learning_rate", $"{hp.GetDouble("eta", 0.3, min: 0, max: 1)}");
        Set("min_gain_to_split", $"{hp.GetDouble("gamma", 0, min: 0)}");
        Set("min_sum_hessian_in_leaf", $"{hp.GetDouble("min_child_weight", 1, min: 0)}");
        // XGBoost has no minimum row count per leaf; LightGBM's default of 20 would cut trees XGBoost grows.
        Set("min_data_in_leaf", $"1");
        Set("max_delta_step", $"{hp.GetDouble("max_delta_step", objectiveName == "count:poisson" ? 0.7 : 0, min: 0)}");
        var subsample = hp.GetDouble("subsample", 1, min: 0, max: 1, minInclusive: false);
        if (subsample < 1)
        {
            Set("bagging_fraction", $"{subsample}");
            Set("bagging_freq", $"1");
        }

        Set("feature_fraction", $"{hp.GetDouble("colsample_bytree", 1, min: 0, max: 1, minInclusive: false)}");
        Set("feature_fraction_bynode", $"{hp.GetDouble("colsample_bynode", 1, min: 0, max: 1, minInclusive: false)}");
        Set("lambda_l1", $"{hp.GetDouble("alpha", 0, min: 0)}");
        Set("lambda_l2", $"{hp.GetDouble("lambda", 1, min: 0)}");
        if (objective.LightGbmObjective(softLabels: false) == "binary")
        {
            Set("scale_pos_weight", $"{scalePosWeight}");
        }

        SetTreeShape(hp, Set);
        if (numClass > 1)
        {
            Set("num_class", $"{numClass}");
        }

        if (baseScore is not null || objective.LightGbmObjective(softLabels: false) is null)
        {
            // The start is XGBoost's base_score margin, given to LightGBM as every row's initial score.
            Set("boost_from_average", $"false");
        }

        if (hp.IsSet("monotone_constraints"))
        {
            Set("monotone_constraints", $"{IntegerList(hp, "monotone_constraints", allowed: [-1, 0, 1])}");
        }

        if (hp.IsSet("interaction_constraints"))
        {
            Set("interaction_constraints", $"{InteractionConstraints(hp)}");
        }

        Set("num_threads", $"{threads}");
        Set("seed", $"{seed}");
        Set("deterministic", $"true");
        Set("metric", $"none");
        Set("verbosity", $"-1");
        var maxBin = hp.GetInt("max_bin", 256, min: 2);
        return new XgboostSettings
        {
            NumRound = numRound,
            Objective = objective,
            NumClass = numClass,
            Metrics = metrics,
            EarlyStoppingRounds = earlyStopping,
            BaseScore = baseScore,
            CsvWeights = hp.GetInt("csv_weights", 0, min: 0, max: 1) == 1,
            Threads = threads,
            ScalePosWeight = scalePosWeight,
            BoosterParameters = booster.ToString().TrimEnd(),
            DatasetParameters = string.Create(CultureInfo.InvariantCulture, $"max_bin={maxBin} num_threads={threads} seed={seed} verbosity=-1 feature_pre_filter=false"),
        };
    }

    /// <summary>
    /// LightGBM grows trees leaf-wise; XGBoost's depth-wise tree of max_depth d is at most 2^d leaves at depth d, so the
    /// two limits together give the same trees whenever every split pays (lossguide: max_leaves bounds the leaves).
    /// </summary>
    private static void SetTreeShape(Hyperparameters hp, Action<string, FormattableString> set)
    {
        const int LightGbmMaxLeaves = 131072;
        var maxDepth = hp.GetInt("max_depth", 6, min: 0);
        var maxLeaves = hp.GetInt("max_leaves", 0, min: 0);
        var policy = hp.GetChoice("grow_policy", "depthwise", "depthwise", "lossguide");
        if (maxDepth == 0 && maxLeaves == 0)
        {
            throw new AlgorithmException("Hyperparameter 'max_depth' 0 (no depth limit) needs 'max_leaves' > 0 to bound the trees.");
        }

        var leaves = maxDepth is > 0 and < 17 ? 1 << maxDepth : LightGbmMaxLeaves;
        if (maxLeaves > 0 && (policy == "lossguide" || maxLeaves < leaves))
        {
            leaves = Math.Min(maxLeaves, LightGbmMaxLeaves);
        }

        set("num_leaves", $"{Math.Max(2, leaves)}");
        set("max_depth", $"{(maxDepth == 0 ? -1 : maxDepth)}");
    }

    private static List<EvalMetric> ParseMetrics(Hyperparameters hp, XgboostObjective objective, double huberSlope)
    {
        var text = hp.IsSet("eval_metric") ? hp.Require("eval_metric") : objective.DefaultMetric;
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(name => name.Trim('[', ']', '\'', '"', ' '))
            .Where(name => name.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (names.Count == 0)
        {
            throw new AlgorithmException($"Hyperparameter 'eval_metric' names no metric: '{text}'.");
        }

        var metrics = new List<EvalMetric>();
        foreach (var name in names)
        {
            var metric = EvalMetric.Create(name, huberSlope)
                ?? throw new AlgorithmException($"Hyperparameter 'eval_metric' value '{name}' is not supported. Supported: {EvalMetric.Supported}.");
            if (metric.IsMulticlass != objective.IsMulticlass)
            {
                throw new AlgorithmException(metric.IsMulticlass
                    ? $"Hyperparameter 'eval_metric' value '{name}' needs a multi:softmax or multi:softprob objective, not {objective.Name}."
                    : $"Hyperparameter 'eval_metric' value '{name}' does not apply to the multiclass objective {objective.Name}; use merror or mlogloss.");
            }

            metrics.Add(metric);
        }

        return metrics;
    }

    /// <summary>XGBoost writes <c>(1,0,-1)</c>; LightGBM wants <c>1,0,-1</c>.</summary>
    private static string IntegerList(Hyperparameters hp, string name, int[] allowed)
    {
        var text = hp.Require(name);
        var parts = text.Trim().Trim('(', ')', '[', ']').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var part in parts)
        {
            if (!int.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || !allowed.Contains(value))
            {
                throw new AlgorithmException($"Hyperparameter '{name}' must be a tuple of {string.Join(", ", allowed)}, got '{text}'.");
            }
        }

        return string.Join(',', parts);
    }

    /// <summary>XGBoost writes <c>[[0, 1], [2, 3]]</c>; LightGBM wants <c>[0,1],[2,3]</c>.</summary>
    private static string InteractionConstraints(Hyperparameters hp)
    {
        var text = hp.Require("interaction_constraints").Replace(" ", string.Empty, StringComparison.Ordinal);
        if (text.Length < 4 || !text.StartsWith("[[", StringComparison.Ordinal) || !text.EndsWith("]]", StringComparison.Ordinal))
        {
            throw new AlgorithmException($"Hyperparameter 'interaction_constraints' must be a nested list like [[0, 1], [2, 3]], got '{text}'.");
        }

        var groups = text[2..^2].Split("],[", StringSplitOptions.None);
        foreach (var index in groups.SelectMany(group => group.Split(',')))
        {
            if (!int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                throw new AlgorithmException($"Hyperparameter 'interaction_constraints' must hold feature indices, got '{index}'.");
            }
        }

        return string.Join(',', groups.Select(group => $"[{group}]"));
    }
}
