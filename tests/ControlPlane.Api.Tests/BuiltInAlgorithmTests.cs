using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>
/// SageMaker's built-in algorithms through the service: a job naming a built-in image (an ECR URI of the SageMaker SDK
/// or our local name) runs the algorithms program with no configuration, its metrics reach FinalMetricDataList
/// through the built-in metric definitions, and the model.tar.gz it leaves unpacks and serves. The same specification
/// runs on each container runtime.
/// </summary>
public abstract class BuiltInAlgorithmTests : IAsyncLifetime
{
    private ServiceProcess _service = null!;

    protected abstract string XgboostImage { get; }

    protected abstract string LinearLearnerImage { get; }

    protected abstract string[] RuntimeArguments();

    /// <summary>Runs <c>serve</c> on an unpacked model directory; returns the base address and what stops it.</summary>
    protected abstract Task<(Uri Address, IAsyncDisposable Server)> ServeAsync(string modelDirectory);

    private WireDoor Wire => new(_service.Http);

    private string Store => Path.Combine(_service.DataDirectory, "s3");

    public async Task InitializeAsync()
    {
        _service = await ServiceProcess.StartAsync(RuntimeArguments());
        await _service.WaitForOutputAsync("all the dispatchers started", TimeSpan.FromSeconds(60));
        Seed("bucket/train/part-1.csv", BinaryCsv(3000, seed: 1));
        Seed("bucket/validation/part-1.csv", BinaryCsv(1000, seed: 2));
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task An_xgboost_job_completes_with_train_and_validation_metrics_and_its_model_serves()
    {
        var name = Requests.Unique("xgb");
        await Wire.InvokeAsync("CreateTrainingJob", Job(name, XgboostImage, new JsonObject
        {
            ["num_round"] = "40", ["objective"] = "binary:logistic", ["eval_metric"] = "auc,logloss", ["max_depth"] = "4", ["eta"] = "0.2",
        }));
        var job = await WaitForEndAsync(name);

        Assert.True(job["TrainingJobStatus"]!.GetValue<string>() == "Completed", job.ToJsonString() + _service.Output);
        var metrics = job["FinalMetricDataList"]!.AsArray().ToDictionary(m => m!["MetricName"]!.GetValue<string>(), m => m!["Value"]!.GetValue<double>());
        Assert.Equal(["train:auc", "train:logloss", "validation:auc", "validation:logloss"], metrics.Keys.Order(StringComparer.Ordinal));
        Assert.InRange(metrics["validation:auc"], 0.85, 1);
        Assert.True(metrics["train:logloss"] < 0.6);

        using var model = Unpack($"bucket/output/{name}/output/model.tar.gz");
        Assert.True(File.Exists(Path.Combine(model.Path, "model", "controlplane-model.json")));
        var (address, server) = await ServeAsync(Path.Combine(model.Path, "model"));
        await using (server)
        {
            using var http = new HttpClient { BaseAddress = address };
            var rows = new[] { "3,0,0,-3", "-3,0,0,3", "0.5,1,1,0" };
            using var response = await http.PostAsync("/invocations", new StringContent(string.Join('\n', rows), Encoding.UTF8, "text/csv"));
            var body = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var scores = body.TrimEnd('\n').Split('\n').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(3, scores.Length);
            Assert.True(scores[0] > 0.8 && scores[1] < 0.2, body);
        }
    }

    [Fact]
    public async Task An_xgboost_job_with_a_bad_hyperparameter_fails_with_a_client_error()
    {
        var name = Requests.Unique("xgbbad");
        await Wire.InvokeAsync("CreateTrainingJob", Job(name, XgboostImage, new JsonObject { ["num_round"] = "10", ["eta"] = "7" }));
        var job = await WaitForEndAsync(name);

        Assert.Equal("Failed", job["TrainingJobStatus"]!.GetValue<string>());
        Assert.Equal("ClientError: Hyperparameter 'eta' must be in [0, 1], got '7'.", job["FailureReason"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_linear_learner_job_completes_with_validation_metrics_and_its_model_serves_json()
    {
        var name = Requests.Unique("ll");
        await Wire.InvokeAsync("CreateTrainingJob", Job(name, LinearLearnerImage, new JsonObject
        {
            ["predictor_type"] = "binary_classifier", ["epochs"] = "5", ["mini_batch_size"] = "100",
        }));
        var job = await WaitForEndAsync(name);

        Assert.True(job["TrainingJobStatus"]!.GetValue<string>() == "Completed", job.ToJsonString() + _service.Output);
        var metrics = job["FinalMetricDataList"]!.AsArray().Select(m => m!["MetricName"]!.GetValue<string>()).ToList();
        Assert.Contains("validation:binary_classification_accuracy", metrics);
        Assert.Contains("validation:objective_loss", metrics);

        using var model = Unpack($"bucket/output/{name}/output/model.tar.gz");
        var (address, server) = await ServeAsync(Path.Combine(model.Path, "model"));
        await using (server)
        {
            using var http = new HttpClient { BaseAddress = address };
            using var response = await http.PostAsync("/invocations", new StringContent("3,0,0,-3\n-3,0,0,3", Encoding.UTF8, "text/csv"));
            var predictions = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["predictions"]!.AsArray();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal([1f, 0f], predictions.Select(p => p!["predicted_label"]!.GetValue<float>()));
        }
    }

    /// <summary>P(y=1) = sigmoid(2·(x0 + x1·x2 − x3)), label first, no header.</summary>
    private static string BinaryCsv(int rows, int seed)
    {
        var random = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var text = new StringBuilder();
        for (var i = 0; i < rows; i++)
        {
            var x = new[] { Gaussian(), Gaussian(), Gaussian(), Gaussian() };
            var label = random.NextDouble() < 1 / (1 + Math.Exp(-2 * (x[0] + (x[1] * x[2]) - x[3]))) ? 1 : 0;
            text.Append(label).AppendJoin("", x.Select(v => "," + v.ToString("F4", CultureInfo.InvariantCulture))).Append('\n');
        }

        return text.ToString();
    }

    private static JsonObject Job(string name, string image, JsonObject hyperparameters)
    {
        var request = Requests.TrainingJob(name);
        request["AlgorithmSpecification"]!["TrainingImage"] = image;
        request["HyperParameters"] = hyperparameters;
        request["InputDataConfig"]!.AsArray().Add(new JsonObject
        {
            ["ChannelName"] = "validation",
            ["DataSource"] = new JsonObject { ["S3DataSource"] = new JsonObject { ["S3DataType"] = "S3Prefix", ["S3Uri"] = "s3://bucket/validation/" } },
            ["ContentType"] = "text/csv",
        });
        return request;
    }

    private void Seed(string key, string content)
    {
        var path = Path.Combine(Store, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private TempTree Unpack(string key)
    {
        var tree = new TempTree();
        var model = Path.Combine(tree.Path, "model");
        Directory.CreateDirectory(model);
        using var gzip = new GZipStream(File.OpenRead(Path.Combine(Store, key)), CompressionMode.Decompress);
        TarFile.ExtractToDirectory(gzip, model, overwriteFiles: false);
        return tree;
    }

    private Task<JsonObject> WaitForEndAsync(string name) => WaitForAsync(name, TimeSpan.FromSeconds(180));

    private async Task<JsonObject> WaitForAsync(string name, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonObject? job = null;
        while (DateTime.UtcNow < deadline)
        {
            var response = await Wire.InvokeAsync("DescribeTrainingJob", Requests.Named("TrainingJobName", name));
            job = response.Body;
            if (response.Status == HttpStatusCode.OK && job["TrainingJobStatus"]!.GetValue<string>() is "Completed" or "Failed" or "Stopped")
            {
                return job;
            }

            await Task.Delay(200);
        }

        throw new Xunit.Sdk.XunitException($"Training job {name} did not end in time: {job?.ToJsonString()}\n{_service.Output}");
    }

    protected static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    protected static async Task WaitForPingAsync(Uri address, Func<string> diagnostics)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/ping")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Not answering yet.
            }

            Assert.True(DateTime.UtcNow < deadline, $"serve never answered /ping: {diagnostics()}");
            await Task.Delay(200);
        }
    }

    protected static async Task<string> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)}: {await error}");
        return (await output).Trim();
    }

    /// <summary>A temporary directory deleted afterwards.</summary>
    protected sealed class TempTree : IDisposable
    {
        public TempTree() => Directory.CreateDirectory(Path);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "controlplane-tests", Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // A file a container wrote as root may resist; the temp cleaner takes it.
            }
            catch (UnauthorizedAccessException)
            {
                // Likewise.
            }
        }
    }
}

/// <summary>On the Process runtime: local image names, and the program shipped beside the service runs the job and serves.</summary>
public sealed class ProcessRuntimeBuiltInAlgorithmTests : BuiltInAlgorithmTests
{
    protected override string XgboostImage => "sagemaker-xgboost:1.7-1";

    protected override string LinearLearnerImage => "linear-learner:1";

    protected override string[] RuntimeArguments() => ["--ControlPlane:Containers:Runtime", "process"];

    protected override async Task<(Uri Address, IAsyncDisposable Server)> ServeAsync(string modelDirectory)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(Path.GetDirectoryName(RepositoryPaths.ServiceAssembly)!, "ControlPlane.Algorithms.dll"));
        start.ArgumentList.Add("serve");
        start.Environment["CONTROLPLANE_ML_ROOT"] = Path.GetDirectoryName(modelDirectory);
        start.Environment["SAGEMAKER_BIND_TO_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var address = new Uri($"http://127.0.0.1:{port}");
        var server = new ProcessServer(process);
        try
        {
            await WaitForPingAsync(address, () => { lock (output) { return output.ToString(); } });
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return (address, server);
    }

    private sealed class ProcessServer(Process process) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }
}

/// <summary>On Docker: the SageMaker SDK's ECR URIs run the algorithms image (deploy/build-algorithms-image.sh), which also serves.</summary>
public sealed class DockerRuntimeBuiltInAlgorithmTests : BuiltInAlgorithmTests
{
    private const string AlgorithmsImage = "127.0.0.1:5000/controlplane/algorithms:latest";

    private static readonly Lazy<Task> Built = new(() => RunAsync("bash", Path.Combine(RepositoryPaths.Root, "deploy", "build-algorithms-image.sh")));

    protected override string XgboostImage => "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1";

    protected override string LinearLearnerImage => "174872318107.dkr.ecr.us-west-2.amazonaws.com/linear-learner:1";

    protected override string[] RuntimeArguments()
    {
        Built.Value.GetAwaiter().GetResult();
        return ["--ControlPlane:Containers:Runtime", "docker", "--ControlPlane:BuiltInAlgorithms:Image", AlgorithmsImage];
    }

    protected override async Task<(Uri Address, IAsyncDisposable Server)> ServeAsync(string modelDirectory)
    {
        var port = FreePort();
        var container = await RunAsync("docker", "run", "-d", "--rm", "-p", $"127.0.0.1:{port}:8080", "-v", $"{modelDirectory}:/opt/ml/model:ro", AlgorithmsImage, "serve");
        var server = new ContainerServer(container);
        try
        {
            await WaitForPingAsync(new Uri($"http://127.0.0.1:{port}"), () => container);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return (new Uri($"http://127.0.0.1:{port}"), server);
    }

    private sealed class ContainerServer(string id) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await RunAsync("docker", "rm", "-f", id);
    }
}
