using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Client.Tests.Infrastructure;

/// <summary>Clients with short retry delays, so the retry tests take milliseconds.</summary>
public static class Clients
{
    public static ControlPlaneClientOptions Options(Uri address, Action<ControlPlaneClientOptions>? configure = null)
    {
        var options = new ControlPlaneClientOptions
        {
            ServiceURL = address,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            RetryMaxDelay = TimeSpan.FromMilliseconds(50),
            Timeout = TimeSpan.FromSeconds(30),
        };
        configure?.Invoke(options);
        return options;
    }

    public static SageMakerClient For(Uri address, Action<ControlPlaneClientOptions>? configure = null) => new(Options(address, configure));
}

/// <summary>A service that records resources but runs no jobs, as an API-only deployment (one per test class).</summary>
public sealed class ApiOnlyService : IAsyncLifetime
{
    public ServiceProcess Service { get; private set; } = null!;

    public SageMakerClient Client(Action<ControlPlaneClientOptions>? configure = null) => Clients.For(Service.BaseAddress, configure);

    public async Task InitializeAsync() => Service = await ServiceProcess.StartAsync("--ControlPlane:Orchestration:RunWorkers", "false");

    public async Task DisposeAsync() => await Service.DisposeAsync();
}

/// <summary>
/// A service that runs training and processing jobs on the Process runtime with the scripted trainer and processor
/// (deploy/test-images), so jobs reach Completed, Failed and Stopped for the waiters.
/// </summary>
public sealed class JobRunningService : IAsyncLifetime
{
    public const string TrainerImage = "local/scripted-trainer:1";
    public const string ProcessorImage = "local/scripted-processor:1";

    /// <summary>A serving image (deploy/test-images/scripted-server) whose model Environment can delay its /ping.</summary>
    public const string ServerImage = "local/scripted-server:1";

    public ServiceProcess Service { get; private set; } = null!;

    public SageMakerClient Client(Action<ControlPlaneClientOptions>? configure = null) => Clients.For(Service.BaseAddress, configure);

    public async Task InitializeAsync()
    {
        var images = Path.Combine(RepositoryPaths.Root, "deploy", "test-images");
        Service = await ServiceProcess.StartAsync(
            "--ControlPlane:Containers:Runtime", "process",
            $"--ControlPlane:Containers:ProcessImages:{TrainerImage}=/usr/bin/python3 {Path.Combine(images, "scripted-trainer", "scripted_trainer.py")}",
            $"--ControlPlane:Containers:ProcessImages:{ProcessorImage}=/usr/bin/python3 {Path.Combine(images, "scripted-processor", "scripted_processor.py")}",
            $"--ControlPlane:Containers:ProcessImages:{ServerImage}=/usr/bin/python3 -u {Path.Combine(images, "scripted-server", "scripted_server.py")}",
            "--ControlPlane:Orchestration:StopGracePeriod", "00:00:05");
        await Service.WaitForOutputAsync("all the dispatchers started", TimeSpan.FromSeconds(60));
        var train = Path.Combine(Service.DataDirectory, "s3", "bucket", "train");
        Directory.CreateDirectory(train);
        await File.WriteAllTextAsync(Path.Combine(train, "a.csv"), "1,2\n");
        var raw = Path.Combine(Service.DataDirectory, "s3", "bucket", "raw");
        Directory.CreateDirectory(raw);
        await File.WriteAllTextAsync(Path.Combine(raw, "r.csv"), "3,4\n");
    }

    public async Task DisposeAsync() => await Service.DisposeAsync();
}
