using ControlPlane.Application.Operations;
using ControlPlane.Application.Persistence;
using ControlPlane.Core.Paging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ControlPlane.Application;

public static class ApplicationServiceCollectionExtensions
{
    /// <summary>The application layer: options, the SQLite database and the operations over it.</summary>
    public static IServiceCollection AddControlPlaneApplication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ControlPlaneOptions>()
            .Bind(configuration.GetSection(ControlPlaneOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddDbContextPool<ControlPlaneDbContext>((provider, builder) =>
        {
            var options = provider.GetRequiredService<IOptions<ControlPlaneOptions>>().Value;
            builder.UseSqlite(SqliteDatabase.ConnectionString(options))
                .AddInterceptors(new SqlitePragmas());
        });

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ServiceKeys>();
        services.AddSingleton(provider => new PageTokenCodec(provider.GetRequiredService<ServiceKeys>().PageTokenKey));
        services.AddSingleton<ResourceInsertQueue>();
        services.AddSingleton<ResourceDocumentReader>();
        services.AddScoped<ResourceStore>();
        services.AddScoped<ResourceOperations>();
        services.AddScoped<EndpointOperations>();
        services.AddScoped<TagOperations>();
        services.AddScoped<OperationDispatcher>();
        return services;
    }

    /// <summary>Migrates the database and loads its keys when the host starts.</summary>
    public static IServiceCollection AddControlPlaneDatabaseInitializer(this IServiceCollection services) =>
        services.AddHostedService<DatabaseInitializer>();
}
