using System.Text.Json.Nodes;
using ControlPlane.Orchestration.BuiltInAlgorithms;
using ControlPlane.Orchestration.Runtimes;
using ControlPlane.Orchestration.Training;
using Microsoft.Extensions.Configuration;

namespace ControlPlane.Orchestration.Tests.BuiltInAlgorithms;

public sealed class BuiltInAlgorithmTests
{
    [Theory]
    [InlineData("382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1", "linear-learner")]
    [InlineData("174872318107.dkr.ecr.us-west-2.amazonaws.com/linear-learner:latest", "linear-learner")]
    [InlineData("390948362332.dkr.ecr.cn-north-1.amazonaws.com.cn/linear-learner:1", "linear-learner")]
    [InlineData("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1", "xgboost")]
    [InlineData("246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:0.90-1-cpu-py3", "xgboost")]
    [InlineData("141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.5-1", "xgboost")]
    [InlineData("811284229777.dkr.ecr.us-east-1.amazonaws.com/xgboost:1", "xgboost")]
    [InlineData("685385470294.dkr.ecr.eu-west-1.amazonaws.com/xgboost:latest", "xgboost")]
    [InlineData("linear-learner:1", "linear-learner")]
    [InlineData("sagemaker-xgboost:1.7-1", "xgboost")]
    [InlineData("sagemaker-xgboost:1.3-1", "xgboost")]
    [InlineData("xgboost:1", "xgboost")]
    public void The_sagemaker_sdks_image_uris_and_our_local_names_are_built_ins(string image, string algorithm)
    {
        Assert.Equal(algorithm, BuiltInImageNames.AlgorithmOf(image));
    }

    [Theory]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1")]
    [InlineData("683313688378.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1")]
    [InlineData("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:9.9-9")]
    [InlineData("sagemaker-xgboost:1.7-10")]
    [InlineData("xgboost:2")]
    [InlineData("127.0.0.1:5000/linear-learner:1")]
    [InlineData("local/scripted-trainer:1")]
    public void Other_accounts_versions_and_registries_are_not(string image)
    {
        Assert.Null(BuiltInImageNames.AlgorithmOf(image));
    }

    private static ContainerSpec Spec(string image) => new("c", image, null, ["train"], new Dictionary<string, string> { ["USER_VAR"] = "1" }, [], null, "algo-1",
        ResourceLimits.ForInstanceType(null), false, [], new Dictionary<string, string>(), "/tmp");

    [Fact]
    public void A_built_in_image_runs_the_algorithms_image_told_which_algorithm()
    {
        var spec = BuiltInAlgorithmContainer.Apply(Spec("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"), new BuiltInAlgorithmOptions { Image = "registry/algorithms:7" });

        Assert.Equal("registry/algorithms:7", spec.Image);
        Assert.Equal("xgboost", spec.Environment["CONTROLPLANE_ALGORITHM"]);
        Assert.Equal("1", spec.Environment["USER_VAR"]);
    }

    [Fact]
    public void Other_images_run_unchanged()
    {
        var original = Spec("local/scripted-trainer:1");

        Assert.Same(original, BuiltInAlgorithmContainer.Apply(original, new BuiltInAlgorithmOptions()));
    }

    [Fact]
    public void The_process_runtime_runs_the_shipped_algorithms_program_for_the_algorithms_image_unless_configured()
    {
        var defaults = ContainerRuntimeOptions.FromConfiguration(new ConfigurationBuilder().Build());
        var configured = ContainerRuntimeOptions.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ControlPlane:BuiltInAlgorithms:Image"] = "mine/algorithms:2",
            ["ControlPlane:Containers:ProcessImages:mine/algorithms:2"] = "/opt/my-algorithms train-wrapper",
        }).Build());

        var command = defaults.ProcessCommandFor(new BuiltInAlgorithmOptions().Image)!;
        Assert.EndsWith("dotnet", command[0], StringComparison.Ordinal);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "ControlPlane.Algorithms.dll"), command[1]);
        Assert.Equal(["/opt/my-algorithms", "train-wrapper"], configured.ProcessCommandFor("mine/algorithms:2"));
    }

    [Fact]
    public void A_built_in_xgboost_job_collects_train_and_validation_metrics_from_its_log()
    {
        var job = new JsonObject { ["AlgorithmSpecification"] = new JsonObject { ["TrainingImage"] = "sagemaker-xgboost:1.7-1" } };
        var collector = new MetricCollector(job);

        collector.Observe("[0]\ttrain-auc:0.81000\ttrain-error:0.20000\tvalidation-auc:0.79000\tvalidation-error:0.22000", DateTimeOffset.UnixEpoch);
        collector.Observe("[1]\ttrain-auc:0.85000\ttrain-error:0.15000\tvalidation-auc:0.83000\tvalidation-error:0.18000", DateTimeOffset.UnixEpoch);

        var final = collector.FinalMetricDataList().Select(m => (m!["MetricName"]!.GetValue<string>(), m["Value"]!.GetValue<double>())).ToList();
        Assert.Equal(
            [("train:auc", 0.85), ("train:error", 0.15), ("validation:auc", 0.83), ("validation:error", 0.18)],
            final.Select(m => (m.Item1, Math.Round(m.Item2, 5))));
    }

    [Fact]
    public void A_built_in_linear_learner_job_collects_its_quality_metrics()
    {
        var job = new JsonObject { ["AlgorithmSpecification"] = new JsonObject { ["TrainingImage"] = "linear-learner:1" } };
        var collector = new MetricCollector(job);

        collector.Observe("#quality_metric: host=algo-1, epoch=2, train binary_classification_cross_entropy_objective <loss>=0.41", DateTimeOffset.UnixEpoch);
        collector.Observe("#quality_metric: host=algo-1, epoch=2, validation binary_classification_cross_entropy_objective <loss>=0.45", DateTimeOffset.UnixEpoch);
        collector.Observe("#quality_metric: host=algo-1, validation binary_classification_accuracy <score>=0.93", DateTimeOffset.UnixEpoch);

        var final = collector.FinalMetricDataList().ToDictionary(m => m!["MetricName"]!.GetValue<string>(), m => Math.Round(m!["Value"]!.GetValue<double>(), 5));
        Assert.Equal(new Dictionary<string, double> { ["train:objective_loss"] = 0.41, ["validation:objective_loss"] = 0.45, ["validation:binary_classification_accuracy"] = 0.93 }, final);
    }

    [Fact]
    public void A_jobs_own_metric_definitions_replace_the_built_in_ones()
    {
        var job = new JsonObject
        {
            ["AlgorithmSpecification"] = new JsonObject
            {
                ["TrainingImage"] = "xgboost:1",
                ["MetricDefinitions"] = new JsonArray(new JsonObject { ["Name"] = "mine", ["Regex"] = "validation-auc:([0-9.]+)" }),
            },
        };
        var collector = new MetricCollector(job);

        collector.Observe("[0]\ttrain-auc:0.81000\tvalidation-auc:0.79000", DateTimeOffset.UnixEpoch);

        Assert.Equal(["mine"], collector.FinalMetricDataList().Select(m => m!["MetricName"]!.GetValue<string>()));
    }
}
