using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>The deployment shape with separate workers: an API process that runs no jobs and a worker process that does.</summary>
public sealed class WorkerProcessTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "controlplane-tests", Guid.NewGuid().ToString("N"));
    private ServiceProcess _api = null!;
    private ServiceProcess? _worker;

    private string[] Runtime =>
    [
        "--ControlPlane:Containers:Runtime", "process",
        $"--ControlPlane:Containers:ProcessImages:local/scripted-trainer:1=/usr/bin/python3 {Path.Combine(RepositoryPaths.Root, "deploy", "test-images", "scripted-trainer", "scripted_trainer.py")}",
    ];

    public async Task InitializeAsync() => _api = await ServiceProcess.StartInAsync(_dataDirectory, ["--ControlPlane:Role", "api", .. Runtime]);

    public async Task DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }

        await _api.DisposeAsync();
    }

    [Fact]
    public async Task A_job_created_on_an_api_process_waits_for_a_worker_process_and_the_worker_runs_it()
    {
        var name = Requests.Unique("split");
        var request = Requests.TrainingJob(name);
        request["AlgorithmSpecification"]!["TrainingImage"] = "local/scripted-trainer:1";
        request.Remove("InputDataConfig");
        var wire = new WireDoor(_api.Http);

        await wire.InvokeAsync("CreateTrainingJob", request);
        await Task.Delay(1500);
        var waiting = await wire.InvokeAsync("DescribeTrainingJob", Requests.Named("TrainingJobName", name));

        _worker = await ServiceProcess.StartInAsync(_dataDirectory, ["--ControlPlane:Role", "worker", .. Runtime]);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string status;
        do
        {
            await Task.Delay(200);
            status = (await wire.InvokeAsync("DescribeTrainingJob", Requests.Named("TrainingJobName", name))).Body["TrainingJobStatus"]!.GetValue<string>();
        }
        while (status == "InProgress" && DateTime.UtcNow < deadline);
        using var workerApi = await _worker.Http.PostAsync("/", new StringContent("{}"));

        Assert.Equal(("InProgress", "Starting"), (waiting.Body["TrainingJobStatus"]!.GetValue<string>(), waiting.Body["SecondaryStatus"]!.GetValue<string>()));
        Assert.True(status == "Completed", $"{status}\n{_worker.Output}");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, workerApi.StatusCode);
    }
}
