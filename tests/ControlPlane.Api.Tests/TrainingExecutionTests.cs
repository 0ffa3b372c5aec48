using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>
/// Training jobs really run: a SageMaker-style training program (deploy/test-images/scripted-trainer) reads its
/// channels from the local object store and leaves model.tar.gz there, with SageMaker's statuses, metrics, failure
/// reasons, stop and MaxRuntimeInSeconds semantics, and survives a kill -9 of the control plane. The same
/// specification runs on each container runtime.
/// </summary>
public abstract class TrainingExecutionTests : IAsyncLifetime
{
    protected static readonly string TrainerDirectory = Path.Combine(RepositoryPaths.Root, "deploy", "test-images", "scripted-trainer");

    private ServiceProcess _service = null!;

    /// <summary>The TrainingImage jobs name.</summary>
    protected abstract string Image { get; }

    /// <summary>The service's runtime settings.</summary>
    protected abstract string[] RuntimeArguments();

    private WireDoor Wire => new(_service.Http);

    private string Store => Path.Combine(_service.DataDirectory, "s3");

    public async Task InitializeAsync()
    {
        _service = await ServiceProcess.StartAsync([.. RuntimeArguments(), "--ControlPlane:Orchestration:StopGracePeriod", "00:00:05"]);
        await _service.WaitForOutputAsync("all the dispatchers started", TimeSpan.FromSeconds(60));
        Seed("bucket/train/a.csv", "1,2\n");
        Seed("bucket/train/nested/b.csv", "3,4\n");
        Seed("bucket/validation/v.csv", "5,6\n");
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task A_successful_job_goes_through_SageMakers_statuses_and_leaves_its_model_and_metrics()
    {
        var name = Requests.Unique("ok");
        var request = Job(name, new JsonObject { ["epochs"] = "3" });
        request["AlgorithmSpecification"]!["MetricDefinitions"] = new JsonArray(
            new JsonObject { ["Name"] = "train:loss", ["Regex"] = @".*\[[0-9]+\].*#011train-loss:([0-9.]+)" },
            new JsonObject { ["Name"] = "validation:loss", ["Regex"] = @"validation-loss:([0-9.]+)" });

        await Wire.InvokeAsync("CreateTrainingJob", request);
        var job = await WaitForEndAsync(name);

        Assert.Equal(("Completed", "Completed"), (job["TrainingJobStatus"]!.GetValue<string>(), job["SecondaryStatus"]!.GetValue<string>()));
        Assert.Equal(
            ["Starting", "Downloading", "Training", "Uploading", "Completed"],
            job["SecondaryStatusTransitions"]!.AsArray().Select(t => t!["Status"]!.GetValue<string>()));
        Assert.Equal("Training job completed", job["SecondaryStatusTransitions"]![4]!["StatusMessage"]!.GetValue<string>());
        Assert.True(job["TrainingTimeInSeconds"]!.GetValue<int>() >= 1);
        Assert.True(job["TrainingEndTime"]!.GetValue<double>() >= job["TrainingStartTime"]!.GetValue<double>());
        var metrics = job["FinalMetricDataList"]!.AsArray().ToDictionary(m => m!["MetricName"]!.GetValue<string>(), m => m!["Value"]!.GetValue<double>());
        Assert.Equal(0.3333, metrics["train:loss"], 3);
        Assert.Equal(0.6667, metrics["validation:loss"], 3);
        Assert.Equal("trained", ReadTarEntry($"bucket/out/{name}/output/model.tar.gz", "model.txt"));
        Assert.Equal("all epochs done", ReadTarEntry($"bucket/out/{name}/output/output.tar.gz", "report.txt"));

        var log = await _service.Http.GetStringAsync($"/api/training-jobs/{name}/logs");
        Assert.Contains("args=['train'] host=algo-1 hosts=['algo-1']", log, StringComparison.Ordinal);
        Assert.Contains("channel train files=['a.csv', 'nested/b.csv'] content_type=text/csv", log, StringComparison.Ordinal);
        Assert.Contains("channel validation files=['v.csv']", log, StringComparison.Ordinal);
        Assert.Contains("env TRAINING_JOB_NAME=" + name, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failure_file_becomes_the_FailureReason()
    {
        var name = Requests.Unique("fail");
        await Wire.InvokeAsync("CreateTrainingJob", Job(name, new JsonObject { ["fail"] = "eta must be positive" }));

        var job = await WaitForEndAsync(name);

        Assert.Equal(("Failed", "Failed"), (job["TrainingJobStatus"]!.GetValue<string>(), job["SecondaryStatus"]!.GetValue<string>()));
        Assert.Equal("eta must be positive", job["FailureReason"]!.GetValue<string>());
        Assert.False(File.Exists(Path.Combine(Store, "bucket", "out", name, "output", "model.tar.gz")));
    }

    [Fact]
    public async Task A_non_zero_exit_without_a_failure_file_is_an_AlgorithmError_with_the_last_log_lines()
    {
        var name = Requests.Unique("exit");
        await Wire.InvokeAsync("CreateTrainingJob", Job(name, new JsonObject { ["exit_code"] = "7", ["epochs"] = "1" }));

        var job = await WaitForEndAsync(name);

        Assert.Equal("Failed", job["TrainingJobStatus"]!.GetValue<string>());
        Assert.StartsWith("AlgorithmError: The training container exited with code 7.", job["FailureReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("exiting without a failure file", job["FailureReason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_a_running_job_sends_SIGTERM_uploads_what_the_model_directory_holds_and_ends_Stopped()
    {
        var name = Requests.Unique("stop");
        await Wire.InvokeAsync("CreateTrainingJob", Job(name, new JsonObject { ["epochs"] = "100", ["sleep"] = "1" }));
        await WaitForLogAsync(name, "[0]");

        var stop = await Wire.InvokeAsync("StopTrainingJob", Requests.Named("TrainingJobName", name));
        var job = await WaitForEndAsync(name);
        var stopAgain = await Wire.InvokeAsync("StopTrainingJob", Requests.Named("TrainingJobName", name));

        Assert.Equal(HttpStatusCode.OK, stop.Status);
        Assert.Equal(("Stopped", "Stopped"), (job["TrainingJobStatus"]!.GetValue<string>(), job["SecondaryStatus"]!.GetValue<string>()));
        Assert.Contains("Stopping", job["SecondaryStatusTransitions"]!.AsArray().Select(t => t!["Status"]!.GetValue<string>()));
        Assert.Equal("stopped", ReadTarEntry($"bucket/out/{name}/output/model.tar.gz", "model.txt"));
        Assert.Equal(("ValidationException", "The request was rejected because the training job is in status Stopped."), (stopAgain.ErrorCode, stopAgain.Message));
    }

    [Fact]
    public async Task A_job_over_MaxRuntimeInSeconds_ends_Stopped_with_MaxRuntimeExceeded()
    {
        var name = Requests.Unique("slow");
        var request = Job(name, new JsonObject { ["epochs"] = "100", ["sleep"] = "1" });
        request["StoppingCondition"] = new JsonObject { ["MaxRuntimeInSeconds"] = 2 };

        await Wire.InvokeAsync("CreateTrainingJob", request);
        var job = await WaitForEndAsync(name);

        Assert.Equal(("Stopped", "MaxRuntimeExceeded"), (job["TrainingJobStatus"]!.GetValue<string>(), job["SecondaryStatus"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Missing_input_data_fails_the_job_with_a_ClientError()
    {
        var name = Requests.Unique("nodata");
        var request = Job(name, []);
        request["InputDataConfig"]![0]!["DataSource"]!["S3DataSource"]!["S3Uri"] = "s3://no-such-bucket/train/";

        await Wire.InvokeAsync("CreateTrainingJob", request);
        var job = await WaitForEndAsync(name);

        Assert.Equal("Failed", job["TrainingJobStatus"]!.GetValue<string>());
        Assert.StartsWith("ClientError: Channel train", job["FailureReason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_image_the_runtime_cannot_provide_fails_the_job_with_a_ClientError()
    {
        var name = Requests.Unique("noimage");
        var request = Job(name, []);
        request["AlgorithmSpecification"]!["TrainingImage"] = "local/not-configured:1";

        await Wire.InvokeAsync("CreateTrainingJob", request);
        var job = await WaitForEndAsync(name);

        Assert.Equal("Failed", job["TrainingJobStatus"]!.GetValue<string>());
        Assert.StartsWith("ClientError: The training image local/not-configured:1 could not be pulled", job["FailureReason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_survives_a_kill_9_of_the_control_plane_and_reaches_its_true_end()
    {
        var name = Requests.Unique("crash");
        await Wire.InvokeAsync("CreateTrainingJob", Job(name, new JsonObject { ["epochs"] = "6", ["sleep"] = "1" }));
        await WaitForLogAsync(name, "[0]");

        await _service.CrashAndRestartAsync();
        var job = await WaitForEndAsync(name);

        Assert.Equal("Completed", job["TrainingJobStatus"]!.GetValue<string>());
        Assert.Equal("trained", ReadTarEntry($"bucket/out/{name}/output/model.tar.gz", "model.txt"));
        Assert.Contains("re-attached", _service.Output, StringComparison.Ordinal);
        var log = await _service.Http.GetStringAsync($"/api/training-jobs/{name}/logs");
        Assert.Contains("training done", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checkpoints_are_restored_before_the_program_starts_and_saved_back_to_S3()
    {
        var name = Requests.Unique("ckpt");
        Seed($"bucket/ckpt/{name}/previous.ckpt", "earlier run");
        var request = Job(name, new JsonObject { ["epochs"] = "2", ["checkpoint"] = "yes" });
        request["CheckpointConfig"] = new JsonObject { ["S3Uri"] = $"s3://bucket/ckpt/{name}/" };

        await Wire.InvokeAsync("CreateTrainingJob", request);
        var job = await WaitForEndAsync(name);
        var log = await _service.Http.GetStringAsync($"/api/training-jobs/{name}/logs");

        Assert.Equal("Completed", job["TrainingJobStatus"]!.GetValue<string>());
        Assert.Contains("checkpoints found=['previous.ckpt']", log, StringComparison.Ordinal);
        Assert.Equal("1", File.ReadAllText(Path.Combine(Store, "bucket", "ckpt", name, "epoch-1.ckpt")));
    }

    [Fact]
    public async Task A_job_created_with_a_worker_starts_within_seconds_not_at_the_next_15_second_poll()
    {
        var name = Requests.Unique("fast");
        await Wire.InvokeAsync("CreateTrainingJob", Job(name, new JsonObject { ["epochs"] = "1" }));

        var started = await WaitForAsync(name, job => job["TrainingStartTime"] is not null, TimeSpan.FromSeconds(60));

        // Hangfire polls every 100 ms here (its SQLite storage defaults to 15 s); the latency itself is measured in bench/.
        Assert.InRange(started["TrainingStartTime"]!.GetValue<double>() - started["CreationTime"]!.GetValue<double>(), 0, 5.0);
    }

    private JsonObject Job(string name, JsonObject hyperparameters)
    {
        hyperparameters["print_env"] = "TRAINING_JOB_NAME";
        var request = Requests.TrainingJob(name);
        request["AlgorithmSpecification"]!["TrainingImage"] = Image;
        request["HyperParameters"] = hyperparameters;
        request["InputDataConfig"]!.AsArray().Add(new JsonObject
        {
            ["ChannelName"] = "validation",
            ["DataSource"] = new JsonObject { ["S3DataSource"] = new JsonObject { ["S3DataType"] = "S3Prefix", ["S3Uri"] = "s3://bucket/validation/" } },
        });
        request["OutputDataConfig"] = new JsonObject { ["S3OutputPath"] = "s3://bucket/out/" };
        return request;
    }

    private void Seed(string key, string content)
    {
        var path = Path.Combine(Store, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private string ReadTarEntry(string key, string entryName)
    {
        using var file = File.OpenRead(Path.Combine(Store, key));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.Name == entryName)
            {
                using var reader = new StreamReader(entry.DataStream!);
                return reader.ReadToEnd();
            }
        }

        throw new Xunit.Sdk.XunitException($"{key} has no {entryName}.");
    }

    /// <summary>Waits until the program has printed <paramref name="text"/>, so it is past its start-up.</summary>
    private async Task WaitForLogAsync(string name, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(await _service.Http.GetStringAsync($"/api/training-jobs/{name}/logs")).Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{name} never printed {text}.\n{_service.Output}");
            await Task.Delay(100);
        }
    }

    private Task<JsonObject> WaitForEndAsync(string name) =>
        WaitForAsync(name, job => job["TrainingJobStatus"]!.GetValue<string>() is "Completed" or "Failed" or "Stopped");

    private async Task<JsonObject> WaitForAsync(string name, Func<JsonObject, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        JsonObject? job = null;
        while (DateTime.UtcNow < deadline)
        {
            var response = await Wire.InvokeAsync("DescribeTrainingJob", Requests.Named("TrainingJobName", name));
            job = response.Body;
            if (response.Status == HttpStatusCode.OK && condition(job))
            {
                return job;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"Training job {name} did not get there in time: {job?.ToJsonString()}\n{_service.Output}");
    }
}

/// <summary>The training specification on the Process runtime: the image is mapped to the script run by python3.</summary>
public sealed class ProcessRuntimeTrainingTests : TrainingExecutionTests
{
    protected override string Image => "local/scripted-trainer:1";

    protected override string[] RuntimeArguments() =>
    [
        "--ControlPlane:Containers:Runtime", "process",
        $"--ControlPlane:Containers:ProcessImages:{Image}=/usr/bin/python3 {Path.Combine(TrainerDirectory, "scripted_trainer.py")}",
    ];
}

/// <summary>
/// The training specification on Docker: the image is built on our base image, pushed to the local registry
/// (deploy/setup.sh starts it on 127.0.0.1:5000) and pulled by the service through its registry URI.
/// </summary>
public sealed class DockerRuntimeTrainingTests : TrainingExecutionTests
{
    private static readonly Lazy<Task> Published = new(() => TestImages.BuildAndPushAsync(TrainerDirectory, "127.0.0.1:5000/controlplane-tests/scripted-trainer:1"));

    protected override string Image => "127.0.0.1:5000/controlplane-tests/scripted-trainer:1";

    protected override string[] RuntimeArguments()
    {
        Published.Value.GetAwaiter().GetResult();
        return ["--ControlPlane:Containers:Runtime", "docker"];
    }
}
