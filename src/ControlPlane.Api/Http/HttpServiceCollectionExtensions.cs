using ControlPlane.Api.WireProtocol;
using ControlPlane.Application;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Http;

internal static class HttpServiceCollectionExtensions
{
    /// <summary>What both front doors share: request context, body limits and the error shape.</summary>
    public static IServiceCollection AddHttpFrontDoors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<RequestContextFactory>();
        services.AddSingleton<ApiResponseWriter>();
        services.AddTransient<RequestIdMiddleware>();
        services.AddTransient<AwsJsonProtocolMiddleware>();
        services.AddTransient<FaultBarrierMiddleware>();

        // Kestrel's own limit sits above ours, so an oversized body reaches our reader and gets a SageMaker-shaped 400.
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ControlPlaneOptions>>((kestrel, options) =>
        {
            kestrel.Limits.MaxRequestBodySize = (long)options.Value.MaxRequestBodyBytes * 2;
            kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
            kestrel.AddServerHeader = false;
        });
        return services;
    }
}
