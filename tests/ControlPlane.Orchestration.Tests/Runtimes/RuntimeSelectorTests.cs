using ControlPlane.Application;
using ControlPlane.Orchestration.Runtimes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlPlane.Orchestration.Tests.Runtimes;

[Collection(DockerCollection.Name)]
public sealed class RuntimeSelectorTests
{
    private static async Task<IContainerRuntime> SelectAsync(ContainerRuntimeOptions options) =>
        await new RuntimeSelector(options, NullLoggerFactory.Instance).SelectAsync(RuntimeTestSupport.TimeoutToken());

    [Fact]
    public async Task Auto_picks_Docker_when_the_engine_answers()
    {
        var runtime = await SelectAsync(new ContainerRuntimeOptions());

        Assert.Equal("docker", runtime.Name);
        ((IDisposable)runtime).Dispose();
    }

    [Fact]
    public async Task Auto_falls_back_to_Process_when_no_engine_answers()
    {
        var runtime = await SelectAsync(new ContainerRuntimeOptions { DockerEndpoint = new Uri("unix:///nonexistent/docker.sock") });

        Assert.Equal("process", runtime.Name);
    }

    [Theory]
    [InlineData(RuntimeKind.Docker, "docker")]
    [InlineData(RuntimeKind.Process, "process")]
    public async Task A_configured_runtime_is_used_without_asking(RuntimeKind kind, string name)
    {
        var runtime = await SelectAsync(new ContainerRuntimeOptions { Runtime = kind, DockerEndpoint = new Uri("unix:///nonexistent/docker.sock") });

        Assert.Equal(name, runtime.Name);
        (runtime as IDisposable)?.Dispose();
    }

    [Fact]
    public async Task The_service_registration_reads_the_ControlPlane_Containers_section()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ControlPlane:Containers:Runtime"] = "process" })
            .Build();
        var dataDirectory = Path.Combine(Path.GetTempPath(), "controlplane-tests", Guid.NewGuid().ToString("N"));
        await using var provider = new ServiceCollection().AddLogging().Configure<ControlPlaneOptions>(o => o.DataDirectory = dataDirectory)
            .AddContainerRuntime(configuration).BuildServiceProvider();

        Assert.Equal("process", provider.GetRequiredService<IContainerRuntime>().Name);
        Assert.NotNull(provider.GetRequiredService<ILoggerFactory>());
        Assert.Matches("^[0-9a-f]{32}$", await File.ReadAllTextAsync(Path.Combine(dataDirectory, "instance-id")));
        Directory.Delete(dataDirectory, recursive: true);
    }
}
