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

    private JobTestService _jobs = null!;

    /// <summary>The TrainingImage jobs name.</summary>
    protected abstract string Image { get; }

    /// <summary>The service's runtime settings.</summary>
    protected abstract string[] RuntimeArguments();

    /// <summary>Whether the hosts of a multi-instance job find each other by name (Docker networks; not plain processes).</summary>
    protected abstract bool HostsResolveEachOther { get; }

    /// <summary>Kills the container of a job's host behind the control plane's back, as a host failure would.</summary>
    /// <param name="containerName">The container's name.</param>
    /// <param name="hostDirectory">The host's work directory.</param>
    protected abstract Task KillContainerAsync(string containerName, string hostDirectory);

    protected WireDoor Wire => _jobs.Wire;

    protected JobTestService Jobs => _jobs;

    private string Store => _jobs.Store;

    public async Task InitializeAsync()
    {
        _jobs = await JobTestService.StartAsync(JobKind.Training, RuntimeArguments());
        _jobs.Seed("bucket/train/a.csv", "1,2\n");
        _jobs.Seed("bucket/train/nested/b.csv", "3,4\n");
        _jobs.Seed("bucket/validation/v.csv", "5,6\n");
    }

    public async Task DisposeAsync() => await _jobs.DisposeAsync();

    [Fact]
    public async Task A_successful_job_goes_through_SageMakers_statuses_and_leaves_its_model_and_metrics()
    {
        var name = Requests.Unique("ok");
        var request = Job(name, new JsonObject { ["epochs"] = "3" });
        request["AlgorithmSpecification"]!["MetricDefinitions"] = new JsonArray(
            new JsonObject { ["Name"] = "train:loss", ["Regex"] = @".*\[[0-9]+\].*#011train-loss:([0-9.]+)" },
            new JsonObject { ["Name"] = "validation:loss", ["Regex"] = @"validation-loss:([0-9.]+)" });

        await Wire.InvokeAsync("CreateTrainingJob", request);
        var job = await _jobs.WaitForEndAsync(name);

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
        Assert.Equal("trained", _jobs.ReadTarEntry($"bucket/out/{name}/output/model.tar.gz", "model.txt"));
        Assert.Equal("all epochs done", _jobs.ReadTarEntry($"bucket/out/{name}/output/output.tar.gz", "report.txt"));

        var log = await _jobs.LogAsync(name);
        Assert.Contains("args=['train'] host=algo-1 hosts=['algo-1']", log, StringComparison.Ordinal);
        Assert.Contains("channel train files=['a.csv', 'nested/b.csv'] mode=File content_type=text/csv", log, StringComparison.Ordinal);
        Assert.Contains("channel validation files=['v.csv']", log, StringComparison.Ordinal);
        Assert.Contains("env TRAINING_JOB_NAME=" + name, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failure_file_becomes_the_FailureReason()
    {
        var name = Requests.Unique("fail");
        await Wire.InvokeAsync("CreateTrainingJob", Job(name, new JsonObject { ["fail"] = "eta must be positive" }));

        var job = await _jobs.WaitForEndAsync(name);

        Assert.Equal(("Failed", "Failed"), (job["TrainingJobStatus"]!.GetValue<string>(), job["SecondaryStatus"]!.GetValue<string>()));
        Assert.Equal("eta must be positive", job["FailureReason"]!.GetValue<string>());
        Assert.False(File.Exists(Path.Combine(Store, "bucket", "out", name, "output", "model.tar.gz")));
    }

    [Fact]
    public async Task A_non_zero_exit_without_a_failure_file_is_an_AlgorithmError_with_the_last_log_lines()
    {
        var name = Requests.Unique("exit");
        await Wire.InvokeAsync("CreateTrainingJob", Job(name, new JsonObject { ["exit_code"] = "7", ["epochs"] = "1" }));

        var job = await _jobs.WaitForEndAsync(name);

        Assert.Equal("Failed", job["TrainingJobStatus"]!.GetValue<string>());
        Assert.StartsWith("AlgorithmError: The training container exited with code 7.", job["FailureReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("exiting without a failure file", job["FailureReason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_a_running_job_sends_SIGTERM_uploads_what_the_model_directory_holds_and_ends_Stopped()
    {
        var name = Requests.Unique("stop");
        await Wire.InvokeAsync("CreateTrainingJob", Job(name, new JsonObject { ["epochs"] = "100", ["sleep"] = "1" }));
        await _jobs.WaitForLogAsync(name, "[0]");

        var stop = await Wire.InvokeAsync("StopTrainingJob", Requests.Named("TrainingJobName", name));
        var job = await _jobs.WaitForEndAsync(name);
        var stopAgain = await Wire.InvokeAsync("StopTrainingJob", Requests.Named("TrainingJobName", name));

        Assert.Equal(HttpStatusCode.OK, stop.Status);
        Assert.Equal(("Stopped", "Stopped"), (job["TrainingJobStatus"]!.GetValue<string>(), job["SecondaryStatus"]!.GetValue<string>()));
        Assert.Contains("Stopping", job["SecondaryStatusTransitions"]!.AsArray().Select(t => t!["Status"]!.GetValue<string>()));
        Assert.Equal("stopped", _jobs.ReadTarEntry($"bucket/out/{name}/output/model.tar.gz", "model.txt"));
        Assert.Equal(("ValidationException", "The request was rejected because the training job is in status Stopped."), (stopAgain.ErrorCode, stopAgain.Message));
    }

    [Fact]
    public async Task A_job_over_MaxRuntimeInSeconds_ends_Stopped_with_MaxRuntimeExceeded()
    {
        var name = Requests.Unique("slow");
        var request = Job(name, new JsonObject { ["epochs"] = "100", ["sleep"] = "1" });
        request["StoppingCondition"] = new JsonObject { ["MaxRuntimeInSeconds"] = 2 };

        await Wire.InvokeAsync("CreateTrainingJob", request);
        var job = await _jobs.WaitForEndAsync(name);

        Assert.Equal(("Stopped", "MaxRuntimeExceeded"), (job["TrainingJobStatus"]!.GetValue<string>(), job["SecondaryStatus"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Missing_input_data_fails_the_job_with_a_ClientError()
    {
        var name = Requests.Unique("nodata");
        var request = Job(name, []);
        request["InputDataConfig"]![0]!["DataSource"]!["S3DataSource"]!["S3Uri"] = "s3://no-such-bucket/train/";

        await Wire.InvokeAsync("CreateTrainingJob", request);
        var job = await _jobs.WaitForEndAsync(name);

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
        var job = await _jobs.WaitForEndAsync(name);

        Assert.Equal("Failed", job["TrainingJobStatus"]!.GetValue<string>());
        Assert.StartsWith("ClientError: The training image local/not-configured:1 could not be pulled", job["FailureReason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_survives_a_kill_9_of_the_control_plane_and_reaches_its_true_end()
    {
        var name = Requests.Unique("crash");
        await Wire.InvokeAsync("CreateTrainingJob", Job(name, new JsonObject { ["epochs"] = "6", ["sleep"] = "1" }));
        await _jobs.WaitForLogAsync(name, "[0]");

        await _jobs.Service.CrashAndRestartAsync();
        var job = await _jobs.WaitForEndAsync(name);

        Assert.Equal("Completed", job["TrainingJobStatus"]!.GetValue<string>());
        Assert.Equal("trained", _jobs.ReadTarEntry($"bucket/out/{name}/output/model.tar.gz", "model.txt"));
        Assert.Contains("re-attached", _jobs.Service.Output, StringComparison.Ordinal);
        var log = await _jobs.LogAsync(name);
        Assert.Contains("training done", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checkpoints_are_restored_before_the_program_starts_and_saved_back_to_S3()
    {
        var name = Requests.Unique("ckpt");
        _jobs.Seed($"bucket/ckpt/{name}/previous.ckpt", "earlier run");
        var request = Job(name, new JsonObject { ["epochs"] = "2", ["checkpoint"] = "yes" });
        request["CheckpointConfig"] = new JsonObject { ["S3Uri"] = $"s3://bucket/ckpt/{name}/" };

        await Wire.InvokeAsync("CreateTrainingJob", request);
        var job = await _jobs.WaitForEndAsync(name);
        var log = await _jobs.LogAsync(name);

        Assert.Equal("Completed", job["TrainingJobStatus"]!.GetValue<string>());
        Assert.Contains("checkpoints found=['previous.ckpt']", log, StringComparison.Ordinal);
        Assert.Equal("1", File.ReadAllText(Path.Combine(Store, "bucket", "ckpt", name, "epoch-1.ckpt")));
    }

    [Fact]
    public async Task A_job_created_with_a_worker_starts_within_seconds_not_at_the_next_15_second_poll()
    {
        var name = Requests.Unique("fast");
        await Wire.InvokeAsync("CreateTrainingJob", Job(name, new JsonObject { ["epochs"] = "1" }));

        var started = await _jobs.WaitForAsync(name, job => job["TrainingStartTime"] is not null, TimeSpan.FromSeconds(60));

        // The job starts at once in the creating process (Hangfire's SQLite storage would poll every 15 s by default); the
        // latency itself is measured in bench/. The bound leaves room for a heavily loaded shared machine.
        Assert.InRange(started["TrainingStartTime"]!.GetValue<double>() - started["CreationTime"]!.GetValue<double>(), 0, 10.0);
    }

    [Fact]
    public async Task Pipe_mode_streams_a_channel_into_one_FIFO_per_epoch_without_staging_it()
    {
        var name = Requests.Unique("pipe");
        var request = Job(name, new JsonObject { ["epochs"] = "1", ["pipe_epochs"] = "2" });
        request["AlgorithmSpecification"]!["TrainingInputMode"] = "Pipe";
        request["InputDataConfig"]![1]!["InputMode"] = "File";

        await Wire.InvokeAsync("CreateTrainingJob", request);
        var job = await _jobs.WaitForEndAsync(name);
        var log = await _jobs.LogAsync(name);

        Assert.Equal("Completed", job["TrainingJobStatus"]!.GetValue<string>());
        Assert.Contains("channel train pipe staged=False", log, StringComparison.Ordinal);
        Assert.Contains("pipe train epoch 0 data=b'1,2\\n3,4\\n'", log, StringComparison.Ordinal);
        Assert.Contains("pipe train epoch 1 data=b'1,2\\n3,4\\n'", log, StringComparison.Ordinal);
        Assert.Contains("channel validation files=['v.csv'] mode=File", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pipe_mode_decompresses_Gzip_channels()
    {
        var name = Requests.Unique("pipegz");
        Directory.CreateDirectory(_jobs.StorePath($"bucket/gz-{name}"));
        using (var file = File.Create(_jobs.StorePath($"bucket/gz-{name}/part.csv.gz")))
        using (var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write("7,8\n"u8);
        }

        var request = Job(name, new JsonObject { ["epochs"] = "1" });
        request["InputDataConfig"]![0]!["InputMode"] = "Pipe";
        request["InputDataConfig"]![0]!["CompressionType"] = "Gzip";
        request["InputDataConfig"]![0]!["DataSource"]!["S3DataSource"]!["S3Uri"] = $"s3://bucket/gz-{name}/";

        await Wire.InvokeAsync("CreateTrainingJob", request);
        var job = await _jobs.WaitForEndAsync(name);

        Assert.Equal("Completed", job["TrainingJobStatus"]!.GetValue<string>());
        Assert.Contains("pipe train epoch 0 data=b'7,8\\n'", await _jobs.LogAsync(name), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FastFile_channels_are_served_as_staged_files()
    {
        var name = Requests.Unique("fastfile");
        var request = Job(name, new JsonObject { ["epochs"] = "1" });
        request["AlgorithmSpecification"]!["TrainingInputMode"] = "FastFile";

        await Wire.InvokeAsync("CreateTrainingJob", request);
        var job = await _jobs.WaitForEndAsync(name);

        Assert.Equal("Completed", job["TrainingJobStatus"]!.GetValue<string>());
        Assert.Contains("channel train files=['a.csv', 'nested/b.csv'] mode=FastFile", await _jobs.LogAsync(name), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_instances_run_one_container_per_host_and_ShardedByS3Key_splits_the_objects_between_them()
    {
        var name = Requests.Unique("multi");
        // A host whose program has exited leaves the network: the hosts stay up a while so each can find the other.
        var request = Job(name, HostsResolveEachOther ? new JsonObject { ["epochs"] = "1", ["sleep"] = "15", ["resolve_hosts"] = "yes" } : new JsonObject { ["epochs"] = "1" });
        request["ResourceConfig"]!["InstanceCount"] = 2;
        request["InputDataConfig"]![0]!["DataSource"]!["S3DataSource"]!["S3DataDistributionType"] = "ShardedByS3Key";

        await Wire.InvokeAsync("CreateTrainingJob", request);
        var job = await _jobs.WaitForEndAsync(name);
        var first = await _jobs.LogAsync(name, "algo-1");
        var second = await _jobs.LogAsync(name, "algo-2");
        using var noSuchHost = await _jobs.Service.Http.GetAsync($"/api/training-jobs/{name}/logs?host=algo-3");

        Assert.True(job["TrainingJobStatus"]!.GetValue<string>() == "Completed", job.ToJsonString());
        Assert.Contains("host=algo-1 hosts=['algo-1', 'algo-2']", first, StringComparison.Ordinal);
        Assert.Contains("host=algo-2 hosts=['algo-1', 'algo-2']", second, StringComparison.Ordinal);
        Assert.Contains("channel train files=['a.csv']", first, StringComparison.Ordinal);
        Assert.Contains("channel train files=['nested/b.csv']", second, StringComparison.Ordinal);
        Assert.Contains("channel validation files=['v.csv']", first, StringComparison.Ordinal);
        Assert.Contains("channel validation files=['v.csv']", second, StringComparison.Ordinal);
        if (HostsResolveEachOther)
        {
            Assert.Contains("resolved algo-2 to ", first, StringComparison.Ordinal);
            Assert.Contains("resolved algo-1 to ", second, StringComparison.Ordinal);
        }

        var model = _jobs.ReadTar($"bucket/out/{name}/output/model.tar.gz");
        Assert.Equal(("trained", "algo-1", "algo-2"), (model["model.txt"], model["host-algo-1.txt"], model["host-algo-2.txt"]));
        Assert.Equal(HttpStatusCode.BadRequest, noSuchHost.StatusCode);
    }

    [Fact]
    public async Task One_failing_host_fails_the_job_with_its_failure_reason()
    {
        var name = Requests.Unique("multifail");
        var request = Job(name, new JsonObject { ["epochs"] = "1", ["fail"] = "host trouble" });
        request["ResourceConfig"]!["InstanceCount"] = 2;

        await Wire.InvokeAsync("CreateTrainingJob", request);
        var job = await _jobs.WaitForEndAsync(name);

        Assert.Equal(("Failed", "host trouble"), (job["TrainingJobStatus"]!.GetValue<string>(), job["FailureReason"]!.GetValue<string>()));
        Assert.False(File.Exists(_jobs.StorePath($"bucket/out/{name}/output/model.tar.gz")));
    }

    [Fact]
    public async Task Stopping_a_two_instance_job_stops_every_host()
    {
        var name = Requests.Unique("multistop");
        var request = Job(name, new JsonObject { ["epochs"] = "100", ["sleep"] = "1" });
        request["ResourceConfig"]!["InstanceCount"] = 2;
        await Wire.InvokeAsync("CreateTrainingJob", request);
        await _jobs.WaitForLogAsync(name, "[0]", "algo-1");
        await _jobs.WaitForLogAsync(name, "[0]", "algo-2");

        await Wire.InvokeAsync("StopTrainingJob", Requests.Named("TrainingJobName", name));
        var job = await _jobs.WaitForEndAsync(name);

        Assert.Equal("Stopped", job["TrainingJobStatus"]!.GetValue<string>());
        Assert.Contains("got SIGTERM", await _jobs.LogAsync(name, "algo-1"), StringComparison.Ordinal);
        Assert.Contains("got SIGTERM", await _jobs.LogAsync(name, "algo-2"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checkpoints_reach_S3_while_the_job_still_runs()
    {
        var name = Requests.Unique("ckptlive");
        var request = Job(name, new JsonObject { ["epochs"] = "3", ["sleep"] = "4", ["checkpoint"] = "yes" });
        request["CheckpointConfig"] = new JsonObject { ["S3Uri"] = $"s3://bucket/ckpt/{name}/" };
        await Wire.InvokeAsync("CreateTrainingJob", request);
        await _jobs.WaitForLogAsync(name, "[0]");

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        while (!File.Exists(_jobs.StorePath($"bucket/ckpt/{name}/epoch-0.ckpt")) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var describe = await Wire.InvokeAsync("DescribeTrainingJob", Requests.Named("TrainingJobName", name));

        Assert.True(File.Exists(_jobs.StorePath($"bucket/ckpt/{name}/epoch-0.ckpt")), "epoch-0.ckpt was not uploaded while the job ran.");
        Assert.Equal("InProgress", describe.Body["TrainingJobStatus"]!.GetValue<string>());
        await Wire.InvokeAsync("StopTrainingJob", Requests.Named("TrainingJobName", name));
        await _jobs.WaitForEndAsync(name);
    }

    [Fact]
    public async Task RetryStrategy_restarts_a_job_whose_container_the_platform_lost()
    {
        var name = Requests.Unique("retry");
        var request = Job(name, new JsonObject { ["epochs"] = "4", ["sleep"] = "1" });
        request["RetryStrategy"] = new JsonObject { ["MaximumRetryAttempts"] = 1 };
        await Wire.InvokeAsync("CreateTrainingJob", request);
        await _jobs.WaitForLogAsync(name, "[0]");

        await _jobs.Service.CrashAndRestartAsync(() => KillContainerAsync(ContainerName(name), _jobs.HostDirectory(name)));
        var job = await _jobs.WaitForEndAsync(name);

        Assert.Equal("Completed", job["TrainingJobStatus"]!.GetValue<string>());
        var statuses = job["SecondaryStatusTransitions"]!.AsArray().Select(t => t!["Status"]!.GetValue<string>()).ToList();
        Assert.Equal(["Starting", "Downloading", "Training", "Restarting", "Starting", "Downloading", "Training", "Uploading", "Completed"], statuses);
        Assert.StartsWith("Restarting the training job after an internal error (retry 1 of 1)", job["SecondaryStatusTransitions"]![3]!["StatusMessage"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_RetryStrategy_a_lost_container_fails_the_job_with_an_InternalServerError()
    {
        var name = Requests.Unique("lost");
        await Wire.InvokeAsync("CreateTrainingJob", Job(name, new JsonObject { ["epochs"] = "4", ["sleep"] = "1" }));
        await _jobs.WaitForLogAsync(name, "[0]");

        await _jobs.Service.CrashAndRestartAsync(() => KillContainerAsync(ContainerName(name), _jobs.HostDirectory(name)));
        var job = await _jobs.WaitForEndAsync(name);

        Assert.Equal("Failed", job["TrainingJobStatus"]!.GetValue<string>());
        Assert.StartsWith("InternalServerError: The training containers are gone", job["FailureReason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetryStrategy_does_not_retry_a_program_that_fails_by_itself()
    {
        var name = Requests.Unique("noretry");
        var request = Job(name, new JsonObject { ["exit_code"] = "2", ["epochs"] = "1" });
        request["RetryStrategy"] = new JsonObject { ["MaximumRetryAttempts"] = 3 };

        await Wire.InvokeAsync("CreateTrainingJob", request);
        var job = await _jobs.WaitForEndAsync(name);

        Assert.Equal("Failed", job["TrainingJobStatus"]!.GetValue<string>());
        Assert.DoesNotContain("Restarting", job["SecondaryStatusTransitions"]!.AsArray().Select(t => t!["Status"]!.GetValue<string>()));
    }

    protected static string ContainerName(string job, string host = "algo-1") => $"cp-{Requests.AccountId}-train-{job}-{host}";

    protected JsonObject Job(string name, JsonObject hyperparameters)
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
}

/// <summary>The training specification on the Process runtime: the image is mapped to the script run by python3.</summary>
public sealed class ProcessRuntimeTrainingTests : TrainingExecutionTests
{
    protected override string Image => "local/scripted-trainer:1";

    /// <summary>Plain processes share the host's network and names: the hostnames are not set.</summary>
    protected override bool HostsResolveEachOther => false;

    protected override string[] RuntimeArguments() =>
    [
        "--ControlPlane:Containers:Runtime", "process",
        $"--ControlPlane:Containers:ProcessImages:{Image}=/usr/bin/python3 {Path.Combine(TrainerDirectory, "scripted_trainer.py")}",
    ];

    /// <summary>SIGKILL to the container's whole session (the wrapper runs setsid), so no exit code is recorded.</summary>
    protected override async Task KillContainerAsync(string containerName, string hostDirectory)
    {
        var state = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(hostDirectory, containerName + ".state.json")))!;
        var pid = state["Pid"]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var kill = System.Diagnostics.Process.Start("kill", ["-KILL", "--", "-" + pid]);
        await kill.WaitForExitAsync();
    }
}

/// <summary>
/// The training specification on Docker: the image is built on our base image, pushed to the local registry
/// (deploy/setup.sh starts it on 127.0.0.1:5000) and pulled by the service through its registry URI.
/// </summary>
public sealed class DockerRuntimeTrainingTests : TrainingExecutionTests
{
    private static readonly Lazy<Task> Published = new(() => TestImages.BuildAndPushAsync(TrainerDirectory, "127.0.0.1:5000/controlplane-tests/scripted-trainer:1"));

    protected override string Image => "127.0.0.1:5000/controlplane-tests/scripted-trainer:1";

    protected override bool HostsResolveEachOther => true;

    protected override string[] RuntimeArguments()
    {
        Published.Value.GetAwaiter().GetResult();
        return ["--ControlPlane:Containers:Runtime", "docker"];
    }

    protected override Task KillContainerAsync(string containerName, string hostDirectory) => TestImages.DockerAsync("rm", "-f", containerName);

    /// <summary>The service's first single-instance job, which fills the sandbox pool after it starts (the normal way); its name.</summary>
    private async Task<string> RunFirstSingleInstanceJobAsync()
    {
        var first = Requests.Unique("sbxfirst");
        await Wire.InvokeAsync("CreateTrainingJob", Job(first, new JsonObject { ["epochs"] = "1" }));
        Assert.Equal("Completed", (await Jobs.WaitForEndAsync(first))["TrainingJobStatus"]!.GetValue<string>());
        return first;
    }

    /// <summary>The ids of this service's network sandboxes that are running.</summary>
    private async Task<string[]> SandboxesAsync()
    {
        var instance = (await File.ReadAllTextAsync(Path.Combine(Jobs.Service.DataDirectory, "instance-id"))).Trim();
        var output = await HostingService.DockerAsync("ps", "-q", "--no-trunc", "--filter", $"label=controlplane.instance={instance}", "--filter", "label=controlplane.role=network-sandbox");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// The pool's running sandboxes, once it has filled (<paramref name="atLeast"/>, the default pool size); between
    /// jobs, after the last claimed one has gone, these are the ready ones. (The pool counts one ready a moment after
    /// the engine lists it running.)
    /// </summary>
    private async Task<string[]> WaitForReadySandboxAsync(int atLeast = 2)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (await SandboxesAsync() is { } ready && ready.Length >= atLeast)
            {
                await Task.Delay(200);
                return ready;
            }

            Assert.True(DateTime.UtcNow < deadline, $"No network sandbox became ready.\n{Jobs.Service.Output}");
            await Task.Delay(100);
        }
    }

    private static async Task WaitUntilGoneAsync(string container)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await HostingService.DockerAsync("ps", "-aq", "--no-trunc", "--filter", $"id={container}")).Trim().Length > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Container {container} is still there.");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_single_instance_job_runs_in_a_ready_network_sandbox_that_goes_with_it_whether_it_completes_fails_or_is_stopped()
    {
        var first = await RunFirstSingleInstanceJobAsync();
        Assert.DoesNotMatch($"Started container {ContainerName(first)} .* in network sandbox", Jobs.Service.Output);

        foreach (var (prefix, hyperparameters, expected) in new[]
        {
            ("sbxok", new JsonObject { ["epochs"] = "1", ["resolve_hosts"] = "yes" }, "Completed"),
            ("sbxfail", new JsonObject { ["epochs"] = "1", ["fail"] = "sandboxed trouble" }, "Failed"),
            ("sbxstop", new JsonObject { ["epochs"] = "100", ["sleep"] = "1" }, "Stopped"),
        })
        {
            var ready = await WaitForReadySandboxAsync();
            var name = Requests.Unique(prefix);
            await Wire.InvokeAsync("CreateTrainingJob", Job(name, hyperparameters));
            if (expected == "Stopped")
            {
                await Jobs.WaitForLogAsync(name, "[0]");
                Assert.StartsWith("container:", (await HostingService.DockerAsync("inspect", "-f", "{{.HostConfig.NetworkMode}}", ContainerName(name))).Trim(), StringComparison.Ordinal);
                await Wire.InvokeAsync("StopTrainingJob", Requests.Named("TrainingJobName", name));
            }

            var job = await Jobs.WaitForEndAsync(name);

            Assert.Equal(expected, job["TrainingJobStatus"]!.GetValue<string>());
            var started = System.Text.RegularExpressions.Regex.Match(Jobs.Service.Output, $@"Started container {ContainerName(name)} \([0-9a-f]+\) from {System.Text.RegularExpressions.Regex.Escape(Image)} in network sandbox ([0-9a-f]+)");
            Assert.True(started.Success, Jobs.Service.Output);
            var sandbox = started.Groups[1].Value;
            Assert.Contains(sandbox, ready);
            if (expected == "Completed")
            {
                Assert.Matches(@"resolved algo-1 to 172\.[0-9.]+", await Jobs.LogAsync(name));
                Assert.Contains("host=algo-1", await Jobs.LogAsync(name), StringComparison.Ordinal);
            }

            await WaitUntilGoneAsync(sandbox);
        }
    }

    [Fact]
    public async Task After_a_kill_9_the_restarted_control_plane_keeps_a_running_jobs_sandbox_until_the_job_ends_and_sweeps_the_ready_ones()
    {
        await RunFirstSingleInstanceJobAsync();
        var readyBefore = await WaitForReadySandboxAsync();
        var name = Requests.Unique("sbxcrash");
        await Wire.InvokeAsync("CreateTrainingJob", Job(name, new JsonObject { ["epochs"] = "8", ["sleep"] = "1" }));
        await Jobs.WaitForLogAsync(name, "[0]");
        var joined = (await HostingService.DockerAsync("inspect", "-f", "{{.HostConfig.NetworkMode}}", ContainerName(name))).Trim();
        Assert.StartsWith("container:", joined, StringComparison.Ordinal);
        var sandbox = joined["container:".Length..];
        Assert.Contains(sandbox, readyBefore);
        // The engine dates containers to the second: the ready ones must be older than the next process.
        await Task.Delay(1100);
        var ready = (await SandboxesAsync()).Where(s => s != sandbox).ToList();

        await Jobs.Service.CrashAndRestartAsync();
        await Jobs.Service.WaitForOutputAsync("re-attached", TimeSpan.FromSeconds(60));
        await Jobs.WaitForLogAsync(name, "[2]");
        var whileRunning = await SandboxesAsync();
        var job = await Jobs.WaitForEndAsync(name);

        Assert.Contains(sandbox, whileRunning);
        Assert.Empty(ready.Intersect(whileRunning));
        Assert.Equal("Completed", job["TrainingJobStatus"]!.GetValue<string>());
        await WaitUntilGoneAsync(sandbox);
    }

    [Fact]
    public async Task Two_instance_and_isolated_jobs_start_on_networks_of_their_own_and_leave_the_sandbox_ready()
    {
        await RunFirstSingleInstanceJobAsync();
        var ready = await WaitForReadySandboxAsync();
        var multi = Requests.Unique("sbxmulti");
        var multiRequest = Job(multi, new JsonObject { ["epochs"] = "1" });
        multiRequest["ResourceConfig"]!["InstanceCount"] = 2;
        var isolated = Requests.Unique("sbxiso");
        var isolatedRequest = Job(isolated, new JsonObject { ["epochs"] = "1" });
        isolatedRequest["EnableNetworkIsolation"] = true;

        await Wire.InvokeAsync("CreateTrainingJob", multiRequest);
        var multiJob = await Jobs.WaitForEndAsync(multi);
        await Wire.InvokeAsync("CreateTrainingJob", isolatedRequest);
        var isolatedJob = await Jobs.WaitForEndAsync(isolated);

        Assert.Equal(("Completed", "Completed"), (multiJob["TrainingJobStatus"]!.GetValue<string>(), isolatedJob["TrainingJobStatus"]!.GetValue<string>()));

        Assert.Contains("host=algo-2", await Jobs.LogAsync(multi, "algo-2"), StringComparison.Ordinal);
        Assert.DoesNotContain("in network sandbox", string.Join('\n', Jobs.Service.Output.Split('\n').Where(l => l.Contains(multi, StringComparison.Ordinal) || l.Contains(isolated, StringComparison.Ordinal))), StringComparison.Ordinal);
        Assert.Equal(ready.Order(), (await SandboxesAsync()).Order());
    }

    [Fact]
    public async Task A_container_left_under_the_jobs_container_name_is_replaced_when_the_job_starts()
    {
        // What a worker that died between starting a container and keeping its id leaves behind.
        var name = Requests.Unique("orphan");
        await TestImages.DockerAsync("create", "--name", ContainerName(name), "--label", "controlplane.managed=true", Image, "train");

        await Wire.InvokeAsync("CreateTrainingJob", Job(name, new JsonObject { ["epochs"] = "1" }));
        var job = await Jobs.WaitForEndAsync(name);

        Assert.Equal("Completed", job["TrainingJobStatus"]!.GetValue<string>());
    }
}
