using ControlPlane.Algorithms.XGBoost;

namespace ControlPlane.Algorithms.Tests.XGBoost;

public sealed class XgboostHyperparameterTests
{
    private static string Refusal(params (string Name, string Value)[] values)
    {
        var hyperparameters = new Hyperparameters(values.ToDictionary(v => v.Name, v => v.Value));
        return Assert.Throws<AlgorithmException>(() => XgboostSettings.Parse(hyperparameters)).Message;
    }

    [Fact]
    public void Num_round_is_required()
    {
        Assert.Equal("Missing required hyperparameter 'num_round'.", Refusal(("eta", "0.1")));
    }

    [Fact]
    public void An_unknown_hyperparameter_is_refused_with_the_supported_list()
    {
        var message = Refusal(("num_round", "10"), ("max_dept", "3"));

        Assert.StartsWith("Hyperparameter 'max_dept' is not supported. Supported hyperparameters: ", message, StringComparison.Ordinal);
        Assert.Contains("max_depth", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eta", "1.5", "Hyperparameter 'eta' must be in [0, 1], got '1.5'.")]
    [InlineData("eta", "fast", "Hyperparameter 'eta' must be a number, got 'fast'.")]
    [InlineData("max_depth", "2.5", "Hyperparameter 'max_depth' must be an integer, got '2.5'.")]
    [InlineData("subsample", "0", "Hyperparameter 'subsample' must be in (0, 1], got '0'.")]
    [InlineData("objective", "reg:gamma", "Hyperparameter 'objective' must be one of binary:logistic, binary:logitraw, binary:hinge, reg:squarederror, reg:linear, reg:logistic, reg:pseudohubererror, multi:softmax, multi:softprob, count:poisson, got 'reg:gamma'.")]
    [InlineData("booster", "dart", "Hyperparameter 'booster' must be one of gbtree, got 'dart'.")]
    [InlineData("rate_drop", "0.1", "Hyperparameter 'rate_drop' is not supported: booster=dart is not supported.")]
    [InlineData("colsample_bylevel", "0.5", "Hyperparameter 'colsample_bylevel' must be in [1, 1], got '0.5'.")]
    [InlineData("tree_method", "gpu_hist", "Hyperparameter 'tree_method' gpu_hist needs a GPU, which this host has not; use hist.")]
    [InlineData("eval_metric", "ndcg", "Hyperparameter 'eval_metric' value 'ndcg' is not supported. Supported: rmse, rmsle, mse, mae, mape, mphe, logloss, error, error@<t>, auc, merror, mlogloss, poisson-nloglik.")]
    [InlineData("eval_metric", "merror", "Hyperparameter 'eval_metric' value 'merror' needs a multi:softmax or multi:softprob objective, not reg:squarederror.")]
    [InlineData("num_class", "3", "Hyperparameter 'num_class' applies only to multi:softmax and multi:softprob, not to reg:squarederror.")]
    [InlineData("scale_pos_weight", "2", "Hyperparameter 'scale_pos_weight' applies to binary:logistic and binary:logitraw only, not to reg:squarederror.")]
    [InlineData("max_depth", "0", "Hyperparameter 'max_depth' 0 (no depth limit) needs 'max_leaves' > 0 to bound the trees.")]
    [InlineData("monotone_constraints", "(1,2)", "Hyperparameter 'monotone_constraints' must be a tuple of -1, 0, 1, got '(1,2)'.")]
    public void Values_that_cannot_be_honoured_are_refused_with_the_reason(string name, string value, string message)
    {
        Assert.Equal(message, Refusal(("num_round", "10"), (name, value)));
    }

    [Fact]
    public void Multiclass_objectives_need_num_class()
    {
        Assert.Equal("Hyperparameter 'num_class' is required for objective multi:softprob.", Refusal(("num_round", "10"), ("objective", "multi:softprob")));
    }

    [Fact]
    public void Hyperparameters_map_onto_what_they_mean_in_lightgbm()
    {
        var settings = XgboostSettings.Parse(new Hyperparameters(new Dictionary<string, string>
        {
            ["num_round"] = "20.0", ["eta"] = "0.2", ["gamma"] = "1.5", ["max_depth"] = "4", ["min_child_weight"] = "3", ["subsample"] = "0.8",
            ["colsample_bytree"] = "0.7", ["alpha"] = "0.1", ["lambda"] = "2", ["objective"] = "binary:logistic", ["scale_pos_weight"] = "3",
            ["eval_metric"] = "auc,error", ["nthread"] = "2", ["monotone_constraints"] = "(1,0,-1)", ["interaction_constraints"] = "[[0, 1], [2]]",
        }));

        Assert.Equal(20, settings.NumRound);
        Assert.Equal(["auc", "error"], settings.Metrics.Select(m => m.Name));
        foreach (var expected in new[]
        {
            "learning_rate=0.2", "min_gain_to_split=1.5", "min_sum_hessian_in_leaf=3", "bagging_fraction=0.8", "bagging_freq=1",
            "feature_fraction=0.7", "lambda_l1=0.1", "lambda_l2=2", "scale_pos_weight=3", "num_leaves=16", "max_depth=4", "num_threads=2",
            "monotone_constraints=1,0,-1", "interaction_constraints=[0,1],[2]",
        })
        {
            Assert.Contains(expected, settings.BoosterParameters.Split(' '));
        }
    }

    [Fact]
    public void Default_eval_metrics_are_xgboosts_per_objective()
    {
        string Default(string objective, params (string, string)[] more) =>
            XgboostSettings.Parse(new Hyperparameters(new[] { ("num_round", "1"), ("objective", objective) }.Concat(more).ToDictionary(p => p.Item1, p => p.Item2))).Metrics.Single().Name;

        Assert.Equal("logloss", Default("binary:logistic"));
        Assert.Equal("error", Default("binary:hinge"));
        Assert.Equal("rmse", Default("reg:squarederror"));
        Assert.Equal("mphe", Default("reg:pseudohubererror"));
        Assert.Equal("poisson-nloglik", Default("count:poisson"));
        Assert.Equal("mlogloss", Default("multi:softmax", ("num_class", "3")));
    }
}
