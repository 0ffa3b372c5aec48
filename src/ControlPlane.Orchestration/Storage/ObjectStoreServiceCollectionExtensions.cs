using ControlPlane.Application;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ControlPlane.Orchestration.Storage;

public static class ObjectStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IObjectStore"/> as <c>ControlPlane:ObjectStore:Kind</c> chooses; the local store lives under
    /// <see cref="ControlPlaneOptions.DataDirectory"/>, which <c>AddControlPlaneApplication</c> binds.
    /// </summary>
    public static IServiceCollection AddObjectStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ObjectStoreOptions>()
            .Bind(configuration.GetSection(ObjectStoreOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton<IObjectStore>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<ObjectStoreOptions>>().Value;
            return options.Kind switch
            {
                ObjectStoreKind.S3 => new S3ObjectStore(options.S3),
                _ => new LocalObjectStore(Path.Combine(Path.GetFullPath(provider.GetRequiredService<IOptions<ControlPlaneOptions>>().Value.DataDirectory), "s3")),
            };
        });
        services.AddSingleton<DataStager>();
        return services;
    }
}
