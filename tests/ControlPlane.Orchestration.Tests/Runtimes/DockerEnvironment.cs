using System.Formats.Tar;
using ControlPlane.Orchestration.Runtimes;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using ContainerSpec = ControlPlane.Orchestration.Runtimes.ContainerSpec;

namespace ControlPlane.Orchestration.Tests.Runtimes;

/// <summary>
/// The real Docker engine and the local registry (started by <c>deploy/setup.sh</c>, which CI runs first), the test
/// image built from <c>deploy/test-images/echo-trainer</c> and pushed to the registry once per run, and the cleanup
/// of everything the tests create: containers carry <see cref="RuntimeTestSupport.RunLabel"/> with this run's id and
/// networks are named <c>cpt-&lt;run id&gt;-*</c>. Without an engine the tests fail; they never skip.
/// </summary>
public sealed class DockerEnvironment : IAsyncLifetime
{
    public const string Registry = "127.0.0.1:5000";

    public const string Repository = Registry + "/controlplane-test/echo-trainer";

    private static readonly Uri Endpoint = new("unix:///var/run/docker.sock");

    private readonly DockerClientConfiguration _configuration = new(Endpoint);

    public DockerEnvironment()
    {
        Client = _configuration.CreateClient();
        Runtime = new DockerRuntime(new ContainerRuntimeOptions { DockerEndpoint = Endpoint }, NullLogger<DockerRuntime>.Instance);
    }

    public string RunId { get; } = Guid.NewGuid().ToString("N")[..8];

    /// <summary>The test image in the registry, also present on the engine.</summary>
    public string Image => Repository + ":test";

    /// <summary>The same image under a tag that is in the registry but not on the engine, for the pull test.</summary>
    public string PullOnlyImage => $"{Repository}:pull-{RunId}";

    public DockerClient Client { get; }

    internal DockerRuntime Runtime { get; }

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await Client.System.PingAsync(cts.Token);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                $"No Docker engine answers at {Endpoint} ({e.Message}). The runtime tests need it and the registry on {Registry}: run `bash deploy/setup.sh` first.", e);
        }

        await BuildAsync(cts.Token);
        await PushAsync("test", cts.Token);
        await Client.Images.TagImageAsync(Image, new ImageTagParameters { RepositoryName = Repository, Tag = $"pull-{RunId}" }, cts.Token);
        await PushAsync($"pull-{RunId}", cts.Token);
        await Client.Images.DeleteImageAsync(PullOnlyImage, new ImageDeleteParameters { NoPrune = true }, cts.Token);
    }

    public async Task DisposeAsync()
    {
        var containers = await Client.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{RuntimeTestSupport.RunLabel}={RunId}"] = true } },
            });
        foreach (var container in containers)
        {
            await Client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true });
        }

        var networks = await Client.Networks.ListNetworksAsync(
            new NetworksListParameters { Filters = new Dictionary<string, IDictionary<string, bool>> { ["name"] = new Dictionary<string, bool> { [$"cpt-{RunId}-"] = true } } });
        foreach (var network in networks)
        {
            await Client.Networks.DeleteNetworkAsync(network.ID);
        }

        await DeleteQuietlyAsync(PullOnlyImage);
        Runtime.Dispose();
        Client.Dispose();
        _configuration.Dispose();
        var temp = Path.Join(Path.GetTempPath(), $"cpt-{RunId}");
        if (Directory.Exists(temp))
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    public string NetworkName(string name) => $"cpt-{RunId}-{name}";

    public ContainerSpec Spec(string name, params string[] arguments) => RuntimeTestSupport.Spec(RunId, name, Image, arguments);

    private async Task BuildAsync(CancellationToken ct)
    {
        using var context = new MemoryStream();
        await TarFile.CreateFromDirectoryAsync(RuntimeTestSupport.EchoTrainerDirectory, context, includeBaseDirectory: false, ct);
        context.Position = 0;
        var progress = new Messages();
        await Client.Images.BuildImageFromDockerfileAsync(
            new ImageBuildParameters { Tags = [Image], Dockerfile = "Dockerfile", Remove = true, ForceRemove = true },
            context,
            authConfigs: null,
            headers: null,
            progress,
            ct);
        progress.ThrowOnError($"docker build of {RuntimeTestSupport.EchoTrainerDirectory}");
    }

    private async Task PushAsync(string tag, CancellationToken ct)
    {
        var progress = new Messages();
        await Client.Images.PushImageAsync(Repository, new ImagePushParameters { Tag = tag }, new AuthConfig(), progress, ct);
        progress.ThrowOnError($"docker push {Repository}:{tag} (is the registry on {Registry} up? run `bash deploy/setup.sh`)");
    }

    private async Task DeleteQuietlyAsync(string image)
    {
        try
        {
            await Client.Images.DeleteImageAsync(image, new ImageDeleteParameters { NoPrune = true });
        }
        catch (DockerApiException)
        {
        }
    }

    /// <summary>Build and push report failures inside the response stream; this keeps them, synchronously.</summary>
    private sealed class Messages : IProgress<JSONMessage>
    {
        private string? _error;

        public void Report(JSONMessage value) => _error ??= value.Error?.Message is { Length: > 0 } message ? message : null;

        public void ThrowOnError(string what)
        {
            if (_error is not null)
            {
                throw new InvalidOperationException($"{what} failed: {_error}");
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<DockerEnvironment>
{
    public const string Name = "Docker engine";
}
