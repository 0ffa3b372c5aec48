using System.Text.Json.Nodes;
using ControlPlane.Core.Documents;

namespace ControlPlane.Orchestration.BuiltInAlgorithms;

/// <summary>
/// The metric definitions SageMaker applies to its built-in algorithms' logs (users pass none), matched against lines
/// with a tab shown as <c>#011</c> as CloudWatch shows them (contract section 6).
/// </summary>
internal static class BuiltInMetricDefinitions
{
    /// <summary>
    /// What the XGBoost program logs (<c>[12]#011train-auc:0.91#011validation-auc:0.90</c>); the SageMaker container's
    /// regex per metric, whose number pattern stops at the next <c>#011</c> (<c>\S+</c> would run on to the line's end).
    /// </summary>
    private static readonly string[] XgboostMetrics =
        ["rmse", "rmsle", "mse", "mae", "mape", "mphe", "logloss", "error", "auc", "merror", "mlogloss", "poisson-nloglik"];

    /// <summary>Linear Learner's <c>#quality_metric</c> lines per metric; objective_loss also per epoch while training.</summary>
    private static readonly string[] LinearLearnerScores =
    [
        "binary_classification_accuracy", "binary_f_beta", "precision", "recall", "roc_auc_score", "multiclass_accuracy",
        "multiclass_top_k_accuracy", "macro_f_beta", "macro_precision", "macro_recall", "dcg",
    ];

    private const string Number = @"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)";

    private static readonly string[] LinearLearnerLosses = ["mse", "absolute_loss", "rmse", "r2"];

    public static IReadOnlyList<(string Name, string Regex)> For(string algorithm) => algorithm switch
    {
        BuiltInImageNames.Xgboost => XgboostMetrics
            .SelectMany(m => new[] { ($"train:{m}", $@".*\[[0-9]+\].*#011train-{m}:{Number}"), ($"validation:{m}", $@".*\[[0-9]+\].*#011validation-{m}:{Number}") })
            .ToList(),
        BuiltInImageNames.LinearLearner =>
        [
            ("train:objective_loss", @"#quality_metric: host=\S+, epoch=\S+, (?:batch=\S+ )?train \S+_objective <loss>=(\S+)"),
            ("validation:objective_loss", @"#quality_metric: host=\S+, (?:epoch=\S+, )?validation \S+_objective <loss>=(\S+)"),
            ("test:objective_loss", @"#quality_metric: host=\S+, test \S+_objective <loss>=(\S+)"),
            .. LinearLearnerScores.SelectMany(m => new[] { ($"validation:{m}", $@"#quality_metric: host=\S+, validation {m} <score>=(\S+)"), ($"test:{m}", $@"#quality_metric: host=\S+, test {m} <score>=(\S+)") }),
            .. LinearLearnerLosses.SelectMany(m => new[] { ($"validation:{m}", $@"#quality_metric: host=\S+, validation {m} <loss>=(\S+)"), ($"test:{m}", $@"#quality_metric: host=\S+, test {m} <loss>=(\S+)") }),
        ],
        _ => [],
    };

    /// <summary>The job's own MetricDefinitions, or the built-in algorithm's when the job gave none.</summary>
    public static JsonArray? For(JsonObject job)
    {
        var specification = job.GetObject("AlgorithmSpecification");
        if (specification?["MetricDefinitions"] is JsonArray { Count: > 0 } own)
        {
            return own;
        }

        var image = specification?.GetString("TrainingImage") ?? specification?.GetString("AlgorithmName");
        return image is not null && BuiltInImageNames.AlgorithmOf(image) is { } algorithm
            ? new JsonArray(For(algorithm).Select(d => (JsonNode)new JsonObject { ["Name"] = d.Name, ["Regex"] = d.Regex }).ToArray())
            : null;
    }
}
