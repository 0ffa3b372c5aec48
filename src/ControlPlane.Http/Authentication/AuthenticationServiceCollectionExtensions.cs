using ControlPlane.Core.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ControlPlane.Http.Authentication;

/// <summary>How a host (the control-plane API, the inference gateway) takes on request authentication.</summary>
public static class AuthenticationServiceCollectionExtensions
{
    /// <summary>The signing name of both SageMaker APIs (sagemaker and sagemaker-runtime).</summary>
    public const string SigningService = "sagemaker";

    /// <summary>
    /// Binds and validates <c>ControlPlane:Authentication</c> (the host refuses to start on a bad or unsafe setting) and
    /// registers the verifier; <paramref name="paths"/> says which of the host's paths are open or take API keys.
    /// </summary>
    public static IServiceCollection AddControlPlaneAuthentication(this IServiceCollection services, IConfiguration configuration, Func<IServiceProvider, AuthenticationPaths> paths)
    {
        services.AddOptions<AuthenticationOptions>()
            .Bind(configuration.GetSection(AuthenticationOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthenticationOptions>, AuthenticationOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider => new AccessKeyRing(provider.GetRequiredService<IOptions<AuthenticationOptions>>().Value.AccessKeys
            .Select(k => new AccessKey(k.AccessKeyId, k.SecretAccessKey, k.AccountId, string.IsNullOrEmpty(k.ApiKey) ? null : k.ApiKey, k.Operator))));
        services.AddSingleton(provider => new SigV4Verifier(
            provider.GetRequiredService<AccessKeyRing>(),
            provider.GetRequiredService<TimeProvider>(),
            SigningService,
            provider.GetRequiredService<IOptions<AuthenticationOptions>>().Value.MaxClockSkew));
        services.AddSingleton(paths);
        services.AddSingleton<RequestAuthenticationMiddleware>();
        return services;
    }

    /// <summary>Adds the middleware when <c>Mode=sigv4</c>; place it before anything that reads the request body.</summary>
    public static IApplicationBuilder UseControlPlaneAuthentication(this IApplicationBuilder app)
    {
        var mode = app.ApplicationServices.GetRequiredService<IOptions<AuthenticationOptions>>().Value.Mode;
        return mode == AuthenticationMode.SigV4 ? app.UseMiddleware<RequestAuthenticationMiddleware>() : app;
    }

    public static bool IsAuthenticationEnabled(this IServiceProvider services) =>
        services.GetRequiredService<IOptions<AuthenticationOptions>>().Value.Mode == AuthenticationMode.SigV4;
}
