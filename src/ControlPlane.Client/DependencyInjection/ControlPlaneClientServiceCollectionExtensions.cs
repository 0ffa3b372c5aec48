using ControlPlane.Client;
using ControlPlane.Client.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="ISageMakerClient"/> and <see cref="ISageMakerRuntimeClient"/> as typed HTTP clients.</summary>
public static class ControlPlaneClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers the clients with options bound from the <c>ControlPlaneClient</c> section of
    /// <paramref name="configuration"/> (<c>ServiceURL</c>, <c>RuntimeServiceURL</c>, <c>Region</c>, <c>AccessKey</c>,
    /// <c>SecretKey</c>, <c>SessionToken</c>, <c>MaxErrorRetry</c>, <c>RetryBaseDelay</c>, <c>RetryMaxDelay</c>,
    /// <c>Timeout</c>), validated when the host starts.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration whose <c>ControlPlaneClient</c> section holds the options.</param>
    /// <param name="configure">Changes applied after binding, e.g. credentials from a secret store.</param>
    /// <returns>The builders of the two typed HTTP clients, to add handlers to.</returns>
    public static ControlPlaneClientBuilder AddControlPlaneClient(this IServiceCollection services, IConfiguration configuration, Action<ControlPlaneClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddControlPlaneClient(options =>
        {
            configuration.GetSection(ControlPlaneClientOptions.SectionName).Bind(options);
            configure?.Invoke(options);
        });
    }

    /// <summary>Registers the clients with options set by <paramref name="configure"/>, validated when the host starts.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builders of the two typed HTTP clients, to add handlers to.</returns>
    public static ControlPlaneClientBuilder AddControlPlaneClient(this IServiceCollection services, Action<ControlPlaneClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ControlPlaneClientOptions>().Configure(configure).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ControlPlaneClientOptions>, ControlPlaneClientOptionsValidator>();
        return new ControlPlaneClientBuilder(
            services.AddHttpClient<ISageMakerClient, SageMakerClient>(),
            services.AddHttpClient<ISageMakerRuntimeClient, SageMakerRuntimeClient>());
    }
}

/// <summary>The typed HTTP clients <c>AddControlPlaneClient</c> registered.</summary>
/// <param name="ControlPlane">The builder of <see cref="ISageMakerClient"/>'s HTTP client.</param>
/// <param name="Runtime">The builder of <see cref="ISageMakerRuntimeClient"/>'s HTTP client.</param>
public sealed record ControlPlaneClientBuilder(IHttpClientBuilder ControlPlane, IHttpClientBuilder Runtime);
