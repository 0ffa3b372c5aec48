using ControlPlane.Http;

namespace ControlPlane.Api.Http;

/// <summary>Every response carries <c>x-amzn-RequestId</c>, which the SDKs surface as the request id.</summary>
internal sealed class RequestIdMiddleware : IMiddleware
{
    public const string HeaderName = "x-amzn-RequestId";

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var requestId = RequestIds.New();
        context.Items[HeaderName] = requestId;
        context.Response.Headers[HeaderName] = requestId;
        return next(context);
    }

    public static string Of(HttpContext context) => context.Items[HeaderName] as string ?? string.Empty;
}
