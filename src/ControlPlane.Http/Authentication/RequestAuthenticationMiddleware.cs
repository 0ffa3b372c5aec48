using System.Text;
using ControlPlane.Core.Authentication;
using ControlPlane.Core.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace ControlPlane.Http.Authentication;

/// <summary>
/// With <c>Mode=sigv4</c>, lets a request through only with a valid AWS Signature Version 4 from a configured access
/// key (any path but the open ones), or, on the API-key paths, <c>X-Api-Key</c> or HTTP Basic with an access key id
/// and secret. The caller becomes the request's <see cref="Caller"/>; a refusal is SageMaker's error shape with AWS's
/// code. A signed body is read (within the body limit) and hashed before anything else sees it; the handlers, and a
/// forwarder, read the same bytes from memory.
/// </summary>
internal sealed partial class RequestAuthenticationMiddleware(SigV4Verifier verifier, AccessKeyRing keys, AuthenticationPaths paths, ILogger<RequestAuthenticationMiddleware> logger) : IMiddleware
{
    public const string ApiKeyHeader = "X-Api-Key";
    private const string BasicScheme = "Basic ";

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path;
        if (Matches(path, paths.OpenPaths))
        {
            await next(context);
            return;
        }

        var result = await AuthenticateAsync(context, path);
        if (!result.Succeeded)
        {
            LogRefused(logger, context.Request.Method, path.Value ?? string.Empty, result.Error!.Code);
            await RefuseAsync(context, result.Error, path);
            return;
        }

        context.Features.Set(new Caller(result.Value!.AccessKeyId, result.Value.AccountId, result.Value.IsOperator));
        await next(context);
    }

    private async Task<Result<AccessKey>> AuthenticateAsync(HttpContext context, PathString path)
    {
        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        var apiKeyPath = Matches(path, paths.ApiKeyPaths);
        if (apiKeyPath && request.Headers.TryGetValue(ApiKeyHeader, out var apiKey))
        {
            return keys.FindByApiKey(apiKey.ToString()) is { } key ? key : SigV4Errors.UnrecognizedClient;
        }

        if (apiKeyPath && authorization.StartsWith(BasicScheme, StringComparison.OrdinalIgnoreCase))
        {
            return Basic(context, authorization[BasicScheme.Length..]);
        }

        var signed = new HttpSignedRequest(request);
        if (!SigV4Verifier.IsPresent(signed))
        {
            return SigV4Errors.MissingAuthenticationToken;
        }

        var pending = verifier.Authenticate(signed);
        if (!pending.Succeeded)
        {
            return pending.Error!;
        }

        var body = await RequestBody.ReadAsync(context, paths.MaxBodyBytes);
        if (!body.Succeeded)
        {
            return paths.BodyErrorCode is { } code ? body.Error! with { Code = code } : body.Error!;
        }

        return verifier.Verify(pending.Value!, signed, body.Value!);
    }

    /// <summary>
    /// HTTP Basic, for browsers: user = access key id, password = its secret. Browsers send Basic credentials with
    /// cross-site requests too, so a state-changing request must come from this host (its Origin, when sent, is ours).
    /// </summary>
    private Result<AccessKey> Basic(HttpContext context, string encoded)
    {
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded.Trim()));
        }
        catch (FormatException)
        {
            return SigV4Errors.Incomplete("The Basic credentials are not base64 of <AccessKeyId>:<SecretAccessKey>.");
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || keys.FindBySecret(decoded[..colon], decoded[(colon + 1)..]) is not { } key)
        {
            return SigV4Errors.UnrecognizedClient;
        }

        var request = context.Request;
        var safe = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method);
        var origin = request.Headers.Origin.ToString();
        if (!safe && origin.Length > 0 && !(Uri.TryCreate(origin, UriKind.Absolute, out var originUri) && string.Equals(originUri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)))
        {
            return new ApiError(ErrorCodes.InvalidSignature, $"A {request.Method} with Basic credentials must come from this host, not from {origin}.", 403);
        }

        return key;
    }

    private Task RefuseAsync(HttpContext context, ApiError error, PathString path)
    {
        if (error.Code == ErrorCodes.MissingAuthenticationToken && Matches(path, paths.BrowserPaths))
        {
            // A browser asks the user for an access key id and secret only when challenged.
            context.Response.Headers[HeaderNames.WWWAuthenticate] = "Basic realm=\"ControlPlane\", charset=\"UTF-8\"";
            error = error with { StatusCode = StatusCodes.Status401Unauthorized };
        }

        var contentType = context.Request.Headers.ContainsKey("X-Amz-Target") ? AwsErrorResponse.AwsJsonContentType : "application/json";
        return AwsErrorResponse.WriteAsync(context, error, contentType);
    }

    private static bool Matches(PathString path, string[] prefixes) => prefixes.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused {Method} {Path}: {Code}")]
    private static partial void LogRefused(ILogger logger, string method, string path, string code);
}
