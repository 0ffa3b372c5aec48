using ControlPlane.Application;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Orchestration.Runtimes;

public static class ContainerRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IContainerRuntime"/> as a singleton chosen from <c>ControlPlane:Containers</c> (see
    /// Runtimes/README.md). The configuration is read at once, so a bad value fails at start-up.
    /// </summary>
    public static IServiceCollection AddContainerRuntime(this IServiceCollection services, IConfiguration configuration)
    {
        var options = ContainerRuntimeOptions.FromConfiguration(configuration);
        services.AddSingleton(provider => new RuntimeSelector(
            options with { InstanceId = InstanceIdentity.Of(provider.GetRequiredService<IOptions<ControlPlaneOptions>>().Value.DataDirectory) },
            provider.GetRequiredService<ILoggerFactory>()));
        // Resolved once, on first use: the auto choice waits at most DockerPingTimeoutSeconds for the engine.
        services.AddSingleton(provider => provider.GetRequiredService<RuntimeSelector>().SelectAsync(CancellationToken.None).GetAwaiter().GetResult());
        return services;
    }
}
