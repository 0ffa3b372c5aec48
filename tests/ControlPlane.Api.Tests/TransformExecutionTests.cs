using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>
/// Batch transform through the service: a built-in XGBoost model trained by the service scores CSV objects from the
/// local store into <c>.out</c> objects, with SageMaker's batching, splitting, joining, failure and stop semantics.
/// The service and the model are made once per runtime (the fixture); every test runs its own transform jobs.
/// </summary>
public abstract class TransformExecutionTests(TransformFixture fixture)
{
    private JobTestService Jobs => fixture.Jobs;

    [Fact]
    public async Task Csv_objects_are_scored_in_order_the_same_by_every_batching_and_instance_count()
    {
        var rows = new Dictionary<string, List<double[]>>
        {
            ["a.csv"] = TransformFixture.Rows(300, seed: 11),
            ["nested/b.csv"] = TransformFixture.Rows(200, seed: 12),
            ["c.csv"] = TransformFixture.Rows(1, seed: 13),
        };
        var prefix = Requests.Unique("in");
        foreach (var (key, values) in rows)
        {
            Jobs.Seed($"bucket/{prefix}/{key}", TransformFixture.Csv(values));
        }

        var variants = new (string Name, Action<JsonObject> Configure)[]
        {
            ("multi", job => job["BatchStrategy"] = "MultiRecord"),
            ("single", job => { job["BatchStrategy"] = "SingleRecord"; job["MaxConcurrentTransforms"] = 2; }),
            ("two", job =>
            {
                job["BatchStrategy"] = "MultiRecord";
                job["MaxConcurrentTransforms"] = 4;
                job["MaxPayloadInMB"] = 1;
                job["TransformResources"]!["InstanceCount"] = 2;
            }),
        };
        var names = new List<string>();
        foreach (var (variant, configure) in variants)
        {
            var name = Requests.Unique(variant);
            var request = fixture.Job(name, $"s3://bucket/{prefix}/", $"s3://bucket/out-{name}/");
            configure(request);
            await Jobs.Wire.InvokeAsync("CreateTransformJob", request);
            names.Add(name);
        }

        foreach (var name in names)
        {
            var job = await Jobs.WaitForEndAsync(name, JobKind.Transform);
            Assert.True(job["TransformJobStatus"]!.GetValue<string>() == "Completed", job.ToJsonString() + await LogAsync(name));
            Assert.True(job["TransformEndTime"]!.GetValue<double>() >= job["TransformStartTime"]!.GetValue<double>());
        }

        foreach (var (key, values) in rows)
        {
            var outputs = names.Select(name => File.ReadAllText(Jobs.StorePath($"bucket/out-{name}/{key}.out"))).ToList();
            Assert.All(outputs, output => Assert.Equal(outputs[0], output));
            var scores = outputs[0].TrimEnd('\n').Split('\n').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(values.Count, scores.Count);
            var agreeing = values.Zip(scores).Count(pair => pair.First[0] > 0 == pair.Second > 0.5);
            Assert.True(agreeing >= values.Count * 0.9, $"{key}: {agreeing} of {values.Count} scores agree with the sign of x0");
        }

        Assert.Contains($"Transformed s3://bucket/{prefix}/a.csv: 300 records", await LogAsync(names[0]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_linear_learner_model_answers_each_record_as_a_json_line()
    {
        var values = TransformFixture.Rows(200, seed: 61);
        var prefix = Requests.Unique("ll");
        Jobs.Seed($"bucket/{prefix}/part.csv", TransformFixture.Csv(values));
        var name = Requests.Unique("ll");
        var request = fixture.Job(name, $"s3://bucket/{prefix}/", $"s3://bucket/out-{name}/");
        request["ModelName"] = TransformFixture.LinearLearnerModelName;
        request["TransformOutput"]!["Accept"] = "application/jsonlines";
        request["MaxConcurrentTransforms"] = 2;
        request["MaxPayloadInMB"] = 1;

        await Jobs.Wire.InvokeAsync("CreateTransformJob", request);
        var job = await Jobs.WaitForEndAsync(name, JobKind.Transform);

        Assert.True(job["TransformJobStatus"]!.GetValue<string>() == "Completed", job.ToJsonString() + await LogAsync(name));
        var predictions = File.ReadAllText(Jobs.StorePath($"bucket/out-{name}/part.csv.out")).TrimEnd('\n').Split('\n').Select(line => JsonNode.Parse(line)!).ToList();
        Assert.Equal(200, predictions.Count);
        var agreeing = values.Zip(predictions).Count(pair => (pair.First[0] > 0 ? 1 : 0) == pair.Second["predicted_label"]!.GetValue<int>());
        Assert.True(agreeing >= 180, $"{agreeing} of 200 labels agree with the sign of x0");
    }

    [Fact]
    public async Task A_bring_your_own_serving_image_answers_each_record_sent_one_at_a_time_in_order()
    {
        var prefix = Requests.Unique("byo");
        var rows = Enumerable.Range(0, 40).Select(i => $"row{i},{i}").ToList();
        Jobs.Seed($"bucket/{prefix}/rows.csv", string.Concat(rows.Select(row => row + "\n")));
        var name = Requests.Unique("byo");
        var request = fixture.Job(name, $"s3://bucket/{prefix}/", $"s3://bucket/out-{name}/");
        request["ModelName"] = TransformFixture.EchoModelName;
        request["BatchStrategy"] = "SingleRecord";
        request["MaxConcurrentTransforms"] = 4;

        await Jobs.Wire.InvokeAsync("CreateTransformJob", request);
        var job = await Jobs.WaitForEndAsync(name, JobKind.Transform);

        Assert.True(job["TransformJobStatus"]!.GetValue<string>() == "Completed", job.ToJsonString() + await LogAsync(name));
        var echoed = File.ReadAllText(Jobs.StorePath($"bucket/out-{name}/rows.csv.out")).TrimEnd('\n').Split('\n')
            .Select(line => JsonNode.Parse(line)!["body"]!.GetValue<string>().TrimEnd('\n'));
        Assert.Equal(rows, echoed);
    }

    [Fact]
    public async Task A_gzip_compressed_object_is_decompressed_before_it_is_split()
    {
        var values = TransformFixture.Rows(100, seed: 21);
        var prefix = Requests.Unique("gz");
        var path = Jobs.StorePath($"bucket/{prefix}/part.csv.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(TransformFixture.Csv(values)));
        }

        var name = Requests.Unique("gzip");
        var request = fixture.Job(name, $"s3://bucket/{prefix}/", $"s3://bucket/out-{name}/");
        request["TransformInput"]!["CompressionType"] = "Gzip";
        await Jobs.Wire.InvokeAsync("CreateTransformJob", request);

        var job = await Jobs.WaitForEndAsync(name, JobKind.Transform);
        Assert.True(job["TransformJobStatus"]!.GetValue<string>() == "Completed", job.ToJsonString() + await LogAsync(name));
        Assert.Equal(100, File.ReadAllText(Jobs.StorePath($"bucket/out-{name}/part.csv.gz.out")).TrimEnd('\n').Split('\n').Length);
    }

    [Fact]
    public async Task JoinSource_Input_with_filters_keeps_each_rows_id_beside_its_prediction()
    {
        var values = TransformFixture.Rows(50, seed: 31);
        var prefix = Requests.Unique("join");
        Jobs.Seed($"bucket/{prefix}/ids.csv", string.Concat(values.Select((row, i) => $"id{i}," + string.Join(',', row.Select(Format)) + "\n")));
        var name = Requests.Unique("join");
        var request = fixture.Job(name, $"s3://bucket/{prefix}/", $"s3://bucket/out-{name}/");
        request["DataProcessing"] = new JsonObject { ["InputFilter"] = "$[1:]", ["OutputFilter"] = "$[0,-1]", ["JoinSource"] = "Input" };
        await Jobs.Wire.InvokeAsync("CreateTransformJob", request);

        var job = await Jobs.WaitForEndAsync(name, JobKind.Transform);
        Assert.True(job["TransformJobStatus"]!.GetValue<string>() == "Completed", job.ToJsonString() + await LogAsync(name));
        var lines = File.ReadAllText(Jobs.StorePath($"bucket/out-{name}/ids.csv.out")).TrimEnd('\n').Split('\n');
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"id{i}"), lines.Select(line => line.Split(',')[0]));
        Assert.All(lines, line => Assert.InRange(double.Parse(line.Split(',')[1], CultureInfo.InvariantCulture), 0, 1));
    }

    [Fact]
    public async Task A_record_above_MaxPayloadInMB_fails_the_job_naming_its_object_and_the_other_objects_still_complete()
    {
        var prefix = Requests.Unique("big");
        Jobs.Seed($"bucket/{prefix}/big.csv", "1,2,3,4\n" + string.Join(',', Enumerable.Repeat("0.5", 300_000)) + "\n");
        Jobs.Seed($"bucket/{prefix}/small.csv", TransformFixture.Csv(TransformFixture.Rows(5, seed: 41)));
        var name = Requests.Unique("big");
        var request = fixture.Job(name, $"s3://bucket/{prefix}/", $"s3://bucket/out-{name}/");
        request["MaxPayloadInMB"] = 1;

        await Jobs.Wire.InvokeAsync("CreateTransformJob", request);
        var job = await Jobs.WaitForEndAsync(name, JobKind.Transform);

        Assert.Equal("Failed", job["TransformJobStatus"]!.GetValue<string>());
        Assert.StartsWith($"ClientError: Failed to transform s3://bucket/{prefix}/big.csv: A record of at least", job["FailureReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(File.Exists(Jobs.StorePath($"bucket/out-{name}/big.csv.out")));
        Assert.True(File.Exists(Jobs.StorePath($"bucket/out-{name}/small.csv.out")));
    }

    [Fact]
    public async Task A_record_the_model_rejects_fails_the_job_with_the_models_answer()
    {
        var prefix = Requests.Unique("bad");
        Jobs.Seed($"bucket/{prefix}/bad.csv", "1,2,3,4\nnot,a,number,here\n");
        var name = Requests.Unique("bad");
        var request = fixture.Job(name, $"s3://bucket/{prefix}/", $"s3://bucket/out-{name}/");
        request["ModelClientConfig"] = new JsonObject { ["InvocationsMaxRetries"] = 0 };

        await Jobs.Wire.InvokeAsync("CreateTransformJob", request);
        var job = await Jobs.WaitForEndAsync(name, JobKind.Transform);

        Assert.Equal("Failed", job["TransformJobStatus"]!.GetValue<string>());
        Assert.StartsWith($"ClientError: Failed to transform s3://bucket/{prefix}/bad.csv: the model answered 4", job["FailureReason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopTransformJob_mid_job_ends_it_Stopped_without_the_unfinished_output()
    {
        var prefix = Requests.Unique("long");
        Jobs.Seed($"bucket/{prefix}/long.csv", TransformFixture.Csv(TransformFixture.Rows(50_000, seed: 51)));
        var name = Requests.Unique("stop");
        var request = fixture.Job(name, $"s3://bucket/{prefix}/", $"s3://bucket/out-{name}/");
        request["BatchStrategy"] = "SingleRecord";
        await Jobs.Wire.InvokeAsync("CreateTransformJob", request);
        await Jobs.WaitForLogAsync(name, "Transforming with");

        await Jobs.Wire.InvokeAsync("StopTransformJob", Requests.Named("TransformJobName", name));
        var job = await Jobs.WaitForEndAsync(name, JobKind.Transform);

        Assert.Equal("Stopped", job["TransformJobStatus"]!.GetValue<string>());
        Assert.False(File.Exists(Jobs.StorePath($"bucket/out-{name}/long.csv.out")));
    }

    private Task<string> LogAsync(string name) => Jobs.Service.Http.GetStringAsync($"/api/transform-jobs/{name}/logs");

    private static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}

/// <summary>
/// The service for one runtime, with built-in XGBoost and Linear Learner models trained by it and registered as
/// <see cref="ModelName"/> and <see cref="LinearLearnerModelName"/>.
/// </summary>
public abstract class TransformFixture : IAsyncLifetime
{
    public const string ModelName = "xgb-scorer";

    public const string LinearLearnerModelName = "ll-scorer";

    /// <summary>A bring-your-own serving image (deploy/test-images/scripted-server) that echoes each request as JSON.</summary>
    public const string EchoModelName = "byo-echo";

    public JobTestService Jobs { get; private set; } = null!;

    protected abstract string XgboostImage { get; }

    protected abstract string LinearLearnerImage { get; }

    protected abstract string EchoImage { get; }

    protected abstract Task<string[]> RuntimeArgumentsAsync();

    public async Task InitializeAsync()
    {
        Jobs = await JobTestService.StartAsync(JobKind.Transform, await RuntimeArgumentsAsync());
        Jobs.Seed("bucket/train/part.csv", string.Concat(Rows(2000, seed: 1).Select(row => $"{(row[0] > 0 ? 1 : 0)}," + string.Join(',', row.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture))) + "\n")));
        await Task.WhenAll(
            TrainAndRegisterAsync(ModelName, XgboostImage, new JsonObject { ["num_round"] = "20", ["objective"] = "binary:logistic", ["max_depth"] = "3" }),
            TrainAndRegisterAsync(LinearLearnerModelName, LinearLearnerImage, new JsonObject { ["predictor_type"] = "binary_classifier", ["epochs"] = "5", ["mini_batch_size"] = "100" }));
        await Jobs.Wire.InvokeAsync("CreateModel", new JsonObject
        {
            ["ModelName"] = EchoModelName,
            ["ExecutionRoleArn"] = Requests.Role,
            ["PrimaryContainer"] = new JsonObject { ["Image"] = EchoImage },
        });
    }

    private async Task TrainAndRegisterAsync(string modelName, string image, JsonObject hyperparameters)
    {
        var training = Requests.TrainingJob(modelName);
        training["AlgorithmSpecification"]!["TrainingImage"] = image;
        training["HyperParameters"] = hyperparameters;
        training["OutputDataConfig"] = new JsonObject { ["S3OutputPath"] = "s3://bucket/models/" };
        await Jobs.Wire.InvokeAsync("CreateTrainingJob", training);
        var trained = await Jobs.WaitForEndAsync(modelName, JobKind.Training);
        Assert.True(trained["TrainingJobStatus"]!.GetValue<string>() == "Completed", trained.ToJsonString() + Jobs.Service.Output);
        await Jobs.Wire.InvokeAsync("CreateModel", new JsonObject
        {
            ["ModelName"] = modelName,
            ["ExecutionRoleArn"] = Requests.Role,
            ["PrimaryContainer"] = new JsonObject { ["Image"] = image, ["ModelDataUrl"] = trained["ModelArtifacts"]!["S3ModelArtifacts"]!.GetValue<string>() },
        });
    }

    public async Task DisposeAsync() => await Jobs.DisposeAsync();

    /// <summary>A CSV transform job over <paramref name="input"/>: records by line, answers by line, text/csv both ways.</summary>
    public JsonObject Job(string name, string input, string output) => new()
    {
        ["TransformJobName"] = name,
        ["ModelName"] = ModelName,
        ["TransformInput"] = new JsonObject
        {
            ["DataSource"] = new JsonObject { ["S3DataSource"] = new JsonObject { ["S3DataType"] = "S3Prefix", ["S3Uri"] = input } },
            ["ContentType"] = "text/csv",
            ["SplitType"] = "Line",
        },
        ["TransformOutput"] = new JsonObject { ["S3OutputPath"] = output, ["Accept"] = "text/csv", ["AssembleWith"] = "Line" },
        ["TransformResources"] = new JsonObject { ["InstanceType"] = "ml.m5.large", ["InstanceCount"] = 1 },
    };

    /// <summary>Rows of four features in [-1, 1]; the label the model learned is x0 &gt; 0.</summary>
    public static List<double[]> Rows(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, 4).Select(_ => Math.Round(random.NextDouble() * 2 - 1, 4)).ToArray())];
    }

    public static string Csv(IEnumerable<double[]> rows) =>
        string.Concat(rows.Select(row => string.Join(',', row.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture))) + "\n"));
}

public sealed class ProcessTransformFixture : TransformFixture
{
    protected override string XgboostImage => "sagemaker-xgboost:1.7-1";

    protected override string LinearLearnerImage => "linear-learner:1";

    protected override string EchoImage => "local/scripted-server:1";

    protected override Task<string[]> RuntimeArgumentsAsync() => Task.FromResult<string[]>(
    [
        "--ControlPlane:Containers:Runtime", "process",
        $"--ControlPlane:Containers:ProcessImages:{EchoImage}=/usr/bin/python3 -u {Path.Combine(HostingService.ServerDirectory, "scripted_server.py")}",
    ]);
}

public sealed class DockerTransformFixture : TransformFixture
{
    protected override string XgboostImage => "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1";

    protected override string LinearLearnerImage => "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1";

    protected override string EchoImage => DockerHostingFixture.Image;

    protected override async Task<string[]> RuntimeArgumentsAsync()
    {
        await Task.WhenAll(TestImages.EnsureAlgorithmsAsync(), DockerHostingFixture.Published.Value);
        return ["--ControlPlane:Containers:Runtime", "docker", "--ControlPlane:BuiltInAlgorithms:Image", TestImages.Algorithms];
    }
}

public sealed class ProcessRuntimeTransformTests(ProcessTransformFixture fixture) : TransformExecutionTests(fixture), IClassFixture<ProcessTransformFixture>;

public sealed class DockerRuntimeTransformTests(DockerTransformFixture fixture) : TransformExecutionTests(fixture), IClassFixture<DockerTransformFixture>;
