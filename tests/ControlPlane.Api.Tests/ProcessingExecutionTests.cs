using System.Net;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>
/// Processing jobs really run: a SageMaker-style processing program (deploy/test-images/scripted-processor) reads its
/// inputs at their LocalPath and its outputs reach their S3Uri in the local object store, with SageMaker's statuses,
/// ExitMessage, failure reasons, stop and MaxRuntimeInSeconds semantics, and the job survives a kill -9 of the control
/// plane. The same specification runs on each container runtime.
/// </summary>
public abstract class ProcessingExecutionTests : IAsyncLifetime
{
    protected static readonly string ProcessorDirectory = Path.Combine(RepositoryPaths.Root, "deploy", "test-images", "scripted-processor");

    private JobTestService _jobs = null!;

    /// <summary>The ImageUri jobs name.</summary>
    protected abstract string Image { get; }

    /// <summary>A ContainerEntrypoint that runs the processing program.</summary>
    protected abstract string[] ProgramEntrypoint { get; }

    /// <summary>The service's runtime settings.</summary>
    protected abstract string[] RuntimeArguments();

    private WireDoor Wire => _jobs.Wire;

    private string Store => _jobs.Store;

    public async Task InitializeAsync()
    {
        _jobs = await JobTestService.StartAsync(JobKind.Processing, RuntimeArguments());
        _jobs.Seed("bucket/raw/a.csv", "1,2\n");
        _jobs.Seed("bucket/raw/nested/b.csv", "3,4\n");
        _jobs.Seed("bucket/lookup/l.csv", "x\n");
    }

    public async Task DisposeAsync() => await _jobs.DisposeAsync();

    [Fact]
    public async Task A_successful_job_reads_both_inputs_uploads_its_output_and_reports_its_ExitMessage()
    {
        var name = Requests.Unique("ok");
        var request = Job(name);
        request["Environment"] = new JsonObject { ["GREETING"] = "hello" };

        var created = await Wire.InvokeAsync("CreateProcessingJob", request);
        var job = await _jobs.WaitForEndAsync(name);

        Assert.Equal(HttpStatusCode.OK, created.Status);
        Assert.Equal("Completed", job["ProcessingJobStatus"]!.GetValue<string>());
        Assert.Equal("processed 3 files", job["ExitMessage"]!.GetValue<string>());
        Assert.Null(job["FailureReason"]);
        Assert.True(job["ProcessingEndTime"]!.GetValue<double>() >= job["ProcessingStartTime"]!.GetValue<double>());
        Assert.True(job["LastModifiedTime"]!.GetValue<double>() >= job["ProcessingEndTime"]!.GetValue<double>());
        Assert.Equal("1,2\n3,4\nx\n", File.ReadAllText(Path.Combine(Store, "bucket", "out", name, "result.txt")));
        Assert.Equal("3", File.ReadAllText(Path.Combine(Store, "bucket", "out", name, "summary", "count.txt")));

        var log = await _jobs.LogAsync(name);
        Assert.Contains($"args=[] job={name} host=algo-1 hosts=['algo-1']", log, StringComparison.Ordinal);
        Assert.Contains("input raw files=['a.csv', 'nested/b.csv'] mode=File download=StartOfJob", log, StringComparison.Ordinal);
        Assert.Contains("input lookup files=['l.csv']", log, StringComparison.Ordinal);
        Assert.Contains("env GREETING=hello", log, StringComparison.Ordinal);
        Assert.Contains("processing done", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContainerEntrypoint_and_ContainerArguments_replace_the_images_entrypoint()
    {
        var name = Requests.Unique("entry");
        var request = Job(name);
        request["AppSpecification"]!["ContainerEntrypoint"] = new JsonArray([.. ProgramEntrypoint.Append("from-entrypoint").Select(a => (JsonNode)JsonValue.Create(a))]);
        request["AppSpecification"]!["ContainerArguments"] = new JsonArray("x=1", "data-format");

        await Wire.InvokeAsync("CreateProcessingJob", request);
        var job = await _jobs.WaitForEndAsync(name);

        Assert.Equal("Completed", job["ProcessingJobStatus"]!.GetValue<string>());
        var log = await _jobs.LogAsync(name);
        Assert.Contains("args=['from-entrypoint', 'x=1', 'data-format']", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_zero_exit_fails_the_job_with_an_AlgorithmError_and_keeps_the_ExitMessage()
    {
        var name = Requests.Unique("fail");
        var request = Job(name);
        request["AppSpecification"]!["ContainerArguments"] = new JsonArray("fail=7");

        await Wire.InvokeAsync("CreateProcessingJob", request);
        var job = await _jobs.WaitForEndAsync(name);

        Assert.Equal("Failed", job["ProcessingJobStatus"]!.GetValue<string>());
        var reason = job["FailureReason"]!.GetValue<string>();
        Assert.StartsWith("AlgorithmError: The processing container exited with code 7.", reason, StringComparison.Ordinal);
        Assert.Contains("the data is bad, failing", reason, StringComparison.Ordinal);
        Assert.Equal("bad data", job["ExitMessage"]!.GetValue<string>());
        Assert.NotNull(job["ProcessingEndTime"]);
        Assert.False(File.Exists(Path.Combine(Store, "bucket", "out", name, "result.txt")));
    }

    [Fact]
    public async Task Stopping_a_running_job_sends_SIGTERM_and_ends_Stopped()
    {
        var name = Requests.Unique("stop");
        var request = Job(name);
        request["AppSpecification"]!["ContainerArguments"] = new JsonArray("sleep=100");
        await Wire.InvokeAsync("CreateProcessingJob", request);
        await _jobs.WaitForLogAsync(name, "tick 0");

        var stop = await Wire.InvokeAsync("StopProcessingJob", Requests.Named("ProcessingJobName", name));
        var job = await _jobs.WaitForEndAsync(name);
        var stopAgain = await Wire.InvokeAsync("StopProcessingJob", Requests.Named("ProcessingJobName", name));

        Assert.Equal(HttpStatusCode.OK, stop.Status);
        Assert.Equal("Stopped", job["ProcessingJobStatus"]!.GetValue<string>());
        Assert.Equal("stopped by SIGTERM", job["ExitMessage"]!.GetValue<string>());
        Assert.NotNull(job["ProcessingEndTime"]);
        Assert.False(File.Exists(Path.Combine(Store, "bucket", "out", name, "result.txt")));
        Assert.Contains("got SIGTERM", await _jobs.LogAsync(name), StringComparison.Ordinal);
        Assert.Equal("ValidationException", stopAgain.ErrorCode);
    }

    [Fact]
    public async Task A_job_over_MaxRuntimeInSeconds_ends_Stopped_with_a_reason()
    {
        var name = Requests.Unique("slow");
        var request = Job(name);
        request["AppSpecification"]!["ContainerArguments"] = new JsonArray("sleep=100");
        request["StoppingCondition"] = new JsonObject { ["MaxRuntimeInSeconds"] = 2 };

        await Wire.InvokeAsync("CreateProcessingJob", request);
        var job = await _jobs.WaitForEndAsync(name);

        Assert.Equal("Stopped", job["ProcessingJobStatus"]!.GetValue<string>());
        Assert.StartsWith("MaxRuntimeExceeded:", job["FailureReason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_instances_each_get_their_share_of_a_ShardedByS3Key_input_and_upload_their_outputs()
    {
        var name = Requests.Unique("multi");
        var request = Job(name);
        request["ProcessingResources"]!["ClusterConfig"]!["InstanceCount"] = 2;

        await Wire.InvokeAsync("CreateProcessingJob", request);
        var job = await _jobs.WaitForEndAsync(name);
        var first = await _jobs.LogAsync(name, "algo-1");
        var second = await _jobs.LogAsync(name, "algo-2");

        Assert.Equal("Completed", job["ProcessingJobStatus"]!.GetValue<string>());
        Assert.Contains("host=algo-1 hosts=['algo-1', 'algo-2']", first, StringComparison.Ordinal);
        Assert.Contains("host=algo-2 hosts=['algo-1', 'algo-2']", second, StringComparison.Ordinal);
        Assert.Contains("input lookup files=['l.csv']", first, StringComparison.Ordinal);
        Assert.Contains("input lookup files=[]", second, StringComparison.Ordinal);
        Assert.Equal("1,2\n3,4\nx\n", File.ReadAllText(Path.Combine(Store, "bucket", "out", name, "result-algo-1.txt")));
        Assert.Equal("1,2\n3,4\n", File.ReadAllText(Path.Combine(Store, "bucket", "out", name, "result-algo-2.txt")));
    }

    [Fact]
    public async Task Continuous_outputs_reach_S3_while_the_job_runs()
    {
        var name = Requests.Unique("continuous");
        var request = Job(name);
        request["AppSpecification"]!["ContainerArguments"] = new JsonArray("early=first", "sleep=100");
        request["ProcessingOutputConfig"]!["Outputs"]![0]!["S3Output"]!["S3UploadMode"] = "Continuous";
        await Wire.InvokeAsync("CreateProcessingJob", request);
        await _jobs.WaitForLogAsync(name, "wrote early.txt");

        var early = Path.Combine(Store, "bucket", "out", name, "early.txt");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        while (!File.Exists(early) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var describe = await Wire.InvokeAsync("DescribeProcessingJob", Requests.Named("ProcessingJobName", name));

        Assert.True(File.Exists(early), "early.txt was not uploaded while the job ran.");
        Assert.Equal("first", File.ReadAllText(early));
        Assert.Equal("InProgress", describe.Body["ProcessingJobStatus"]!.GetValue<string>());
        await Wire.InvokeAsync("StopProcessingJob", Requests.Named("ProcessingJobName", name));
        await _jobs.WaitForEndAsync(name);
    }

    [Fact]
    public async Task Pipe_mode_inputs_fail_the_job_with_a_ClientError()
    {
        var name = Requests.Unique("pipe");
        var request = Job(name);
        request["ProcessingInputs"]![0]!["S3Input"]!["S3InputMode"] = "Pipe";

        await Wire.InvokeAsync("CreateProcessingJob", request);
        var job = await _jobs.WaitForEndAsync(name);

        Assert.Equal("Failed", job["ProcessingJobStatus"]!.GetValue<string>());
        Assert.Equal("ClientError: Input raw: S3InputMode Pipe is not supported for processing jobs; use File.", job["FailureReason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Missing_input_data_fails_the_job_with_a_ClientError()
    {
        var name = Requests.Unique("nodata");
        var request = Job(name);
        request["ProcessingInputs"]![1]!["S3Input"]!["S3Uri"] = "s3://no-such-bucket/lookup/";

        await Wire.InvokeAsync("CreateProcessingJob", request);
        var job = await _jobs.WaitForEndAsync(name);

        Assert.Equal("Failed", job["ProcessingJobStatus"]!.GetValue<string>());
        Assert.StartsWith("ClientError: Input lookup", job["FailureReason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_survives_a_kill_9_of_the_control_plane_and_reaches_its_true_end()
    {
        var name = Requests.Unique("crash");
        var request = Job(name);
        request["AppSpecification"]!["ContainerArguments"] = new JsonArray("sleep=6");
        await Wire.InvokeAsync("CreateProcessingJob", request);
        await _jobs.WaitForLogAsync(name, "tick 0");

        await _jobs.Service.CrashAndRestartAsync();
        var job = await _jobs.WaitForEndAsync(name);

        Assert.Equal("Completed", job["ProcessingJobStatus"]!.GetValue<string>());
        Assert.Equal("1,2\n3,4\nx\n", File.ReadAllText(Path.Combine(Store, "bucket", "out", name, "result.txt")));
        Assert.Contains("re-attached", _jobs.Service.Output, StringComparison.Ordinal);
        Assert.Contains("processing done", await _jobs.LogAsync(name), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_logs_of_an_unknown_job_are_a_validation_error()
    {
        using var response = await _jobs.Service.Http.GetAsync("/api/processing-jobs/never-created/logs");

        Assert.False(response.IsSuccessStatusCode);
        Assert.Contains("never-created", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private JsonObject Job(string name)
    {
        var request = Requests.ProcessingJob(name);
        request["AppSpecification"] = new JsonObject { ["ImageUri"] = Image };
        request["ProcessingInputs"] = new JsonArray(
            new JsonObject
            {
                ["InputName"] = "raw",
                ["S3Input"] = new JsonObject { ["S3Uri"] = "s3://bucket/raw/", ["LocalPath"] = "/opt/ml/processing/input/raw", ["S3DataType"] = "S3Prefix" },
            },
            new JsonObject
            {
                ["InputName"] = "lookup",
                ["S3Input"] = new JsonObject
                {
                    ["S3Uri"] = "s3://bucket/lookup/", ["LocalPath"] = "/opt/ml/processing/input/lookup", ["S3DataType"] = "S3Prefix",
                    ["S3InputMode"] = "File", ["S3DataDistributionType"] = "ShardedByS3Key",
                },
            });
        request["ProcessingOutputConfig"] = new JsonObject
        {
            ["Outputs"] = new JsonArray(new JsonObject
            {
                ["OutputName"] = "result",
                ["S3Output"] = new JsonObject { ["S3Uri"] = $"s3://bucket/out/{name}", ["LocalPath"] = "/opt/ml/processing/output/result", ["S3UploadMode"] = "EndOfJob" },
            }),
        };
        return request;
    }
}

/// <summary>The processing specification on the Process runtime: the image is mapped to the script run by python3.</summary>
public sealed class ProcessRuntimeProcessingTests : ProcessingExecutionTests
{
    private static readonly string Script = Path.Combine(ProcessorDirectory, "scripted_processor.py");

    protected override string Image => "local/scripted-processor:1";

    protected override string[] ProgramEntrypoint => ["/usr/bin/python3", Script];

    protected override string[] RuntimeArguments() =>
    [
        "--ControlPlane:Containers:Runtime", "process",
        $"--ControlPlane:Containers:ProcessImages:{Image}=/usr/bin/python3 {Script}",
    ];
}

/// <summary>
/// The processing specification on Docker: the image is built on our base image, pushed to the local registry
/// (deploy/setup.sh starts it on 127.0.0.1:5000) and pulled by the service through its registry URI.
/// </summary>
public sealed class DockerRuntimeProcessingTests : ProcessingExecutionTests
{
    private static readonly Lazy<Task> Published = new(() => TestImages.BuildAndPushAsync(ProcessorDirectory, "127.0.0.1:5000/controlplane-tests/scripted-processor:1"));

    protected override string Image => "127.0.0.1:5000/controlplane-tests/scripted-processor:1";

    protected override string[] ProgramEntrypoint => ["/usr/bin/python3", "/opt/program/scripted_processor.py"];

    protected override string[] RuntimeArguments()
    {
        Published.Value.GetAwaiter().GetResult();
        return ["--ControlPlane:Containers:Runtime", "docker"];
    }
}
