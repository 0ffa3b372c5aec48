using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>
/// With the S3 object store (here moto_server on loopback, as MinIO or AWS in production), a training job reads its
/// channels from S3 and leaves model.tar.gz in S3.
/// </summary>
public sealed class S3BackedTrainingTests : IAsyncLifetime
{
    private const string Image = "local/scripted-trainer:1";
    private readonly HttpClient _s3 = new();
    private Process _moto = null!;
    private ServiceProcess _service = null!;

    public async Task InitializeAsync()
    {
        var port = FreePort();
        _s3.BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _moto = Process.Start(new ProcessStartInfo("moto_server", ["-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _moto.OutputDataReceived += (_, _) => { };
        _moto.ErrorDataReceived += (_, _) => { };
        _moto.BeginOutputReadLine();
        _moto.BeginErrorReadLine();
        await WaitForMotoAsync();

        // moto accepts unsigned path-style requests.
        (await _s3.PutAsync("training-data", null)).EnsureSuccessStatusCode();
        (await _s3.PutAsync("training-data/train/part-1.csv", new StringContent("1,2\n"))).EnsureSuccessStatusCode();
        (await _s3.PutAsync("training-data/train/deep/part-2.csv", new StringContent("3,4\n"))).EnsureSuccessStatusCode();

        _service = await ServiceProcess.StartAsync(
            "--ControlPlane:ObjectStore:Kind", "s3",
            "--ControlPlane:ObjectStore:S3:ServiceUrl", _s3.BaseAddress.ToString(),
            "--ControlPlane:ObjectStore:S3:ForcePathStyle", "true",
            "--ControlPlane:ObjectStore:S3:Region", "us-east-1",
            "--ControlPlane:ObjectStore:S3:AccessKey", "test",
            "--ControlPlane:ObjectStore:S3:SecretKey", "test",
            "--ControlPlane:ObjectStore:S3:CreateMissingBuckets", "true",
            "--ControlPlane:Containers:Runtime", "process",
            $"--ControlPlane:Containers:ProcessImages:{Image}=/usr/bin/python3 {Path.Combine(RepositoryPaths.Root, "deploy", "test-images", "scripted-trainer", "scripted_trainer.py")}");
        await _service.WaitForOutputAsync("all the dispatchers started", TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        _moto.Kill(entireProcessTree: true);
        await _moto.WaitForExitAsync();
        _moto.Dispose();
        _s3.Dispose();
    }

    [Fact]
    public async Task A_training_job_reads_its_channel_from_S3_and_writes_its_model_to_S3()
    {
        var name = Requests.Unique("s3job");
        var request = Requests.TrainingJob(name);
        request["AlgorithmSpecification"]!["TrainingImage"] = Image;
        request["HyperParameters"] = new JsonObject { ["epochs"] = "1" };
        request["InputDataConfig"]![0]!["DataSource"]!["S3DataSource"]!["S3Uri"] = "s3://training-data/train/";
        request["OutputDataConfig"] = new JsonObject { ["S3OutputPath"] = "s3://training-output/models" };
        var wire = new WireDoor(_service.Http);

        await wire.InvokeAsync("CreateTrainingJob", request);
        JsonObject job;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        do
        {
            await Task.Delay(200);
            job = (await wire.InvokeAsync("DescribeTrainingJob", Requests.Named("TrainingJobName", name))).Body;
        }
        while (job["TrainingJobStatus"]!.GetValue<string>() == "InProgress" && DateTime.UtcNow < deadline);
        var log = await _service.Http.GetStringAsync($"/api/training-jobs/{name}/logs");
        var model = await ReadModelWithBoto3Async($"models/{name}/output/model.tar.gz");

        Assert.True(job["TrainingJobStatus"]!.GetValue<string>() == "Completed", $"{job.ToJsonString()}\n{_service.Output}");
        Assert.Contains("channel train files=['deep/part-2.csv', 'part-1.csv']", log, StringComparison.Ordinal);
        Assert.Equal("trained", model);
    }

    /// <summary>moto refuses unsigned object reads, so the model is read back with boto3, as a user would.</summary>
    private async Task<string> ReadModelWithBoto3Async(string key)
    {
        const string Script = """
            import boto3, io, sys, tarfile
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
            archive = s3.get_object(Bucket="training-output", Key=sys.argv[2])["Body"].read()
            print(tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz").extractfile("model.txt").read().decode(), end="")
            """;
        using var python = Process.Start(new ProcessStartInfo("python3", ["-c", Script, _s3.BaseAddress!.ToString(), key])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = python.StandardOutput.ReadToEndAsync();
        var error = python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync();
        Assert.True(python.ExitCode == 0, await error);
        return await output;
    }

    private async Task WaitForMotoAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var response = await _s3.GetAsync(string.Empty);
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
