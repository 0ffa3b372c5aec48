using ControlPlane.Api.WireProtocol;
using ControlPlane.Application;
using ControlPlane.Http.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Http;

internal static class HttpServiceCollectionExtensions
{
    public const int MaxRequestHeaderCount = 100;
    public const int MaxRequestLineBytes = 8 * 1024;

    /// <summary>What both front doors share: request context, body limits and the error shape.</summary>
    public static IServiceCollection AddHttpFrontDoors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<RequestContextFactory>();
        services.AddSingleton<ApiResponseWriter>();
        // Singletons: the middleware factory would otherwise build each of them anew for every request.
        services.AddSingleton<RequestIdMiddleware>();
        services.AddSingleton<AwsJsonProtocolMiddleware>();
        services.AddSingleton<FaultBarrierMiddleware>();
        services.AddControlPlaneAuthentication(configuration, provider => new AuthenticationPaths(
            OpenPaths: ["/health"],
            // The inference gateway reads each account's routes (/internal/routes) with Basic credentials of that account.
            ApiKeyPaths: ["/api", "/swagger", "/openapi", "/hangfire", "/internal"],
            BrowserPaths: ["/swagger", "/openapi", "/hangfire"],
            MaxBodyBytes: provider.GetRequiredService<IOptions<ControlPlaneOptions>>().Value.MaxRequestBodyBytes));

        // Kestrel's own limit sits above ours, so an oversized body reaches our reader and gets a SageMaker-shaped 400.
        // Headers and the request line beyond their limits are refused by Kestrel itself: 431 and 414, never a 500.
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ControlPlaneOptions>>((kestrel, options) =>
        {
            kestrel.Limits.MaxRequestBodySize = (long)options.Value.MaxRequestBodyBytes * 2;
            kestrel.Limits.MaxRequestHeadersTotalSize = options.Value.MaxRequestHeadersBytes;
            kestrel.Limits.MaxRequestHeaderCount = MaxRequestHeaderCount;
            kestrel.Limits.MaxRequestLineSize = MaxRequestLineBytes;
            kestrel.AddServerHeader = false;
        });

        // No I/O queues: a response's send then runs from the thread pool like the rest of the request, instead of
        // being handed to a queue that takes its own turn on the pool: one thread switch fewer per request, and on a
        // small (virtualised) host a switch costs more than the request's own work.
        services.Configure<SocketTransportOptions>(sockets => sockets.IOQueueCount = 0);
        return services;
    }
}
