using System.Text.Json;
using ControlPlane.Api.Http;
using ControlPlane.Application.Operations;
using ControlPlane.Core.Errors;
using ControlPlane.Core.ServiceModel;

namespace ControlPlane.Api.WireProtocol;

/// <summary>
/// The SageMaker wire protocol (AWS JSON 1.1): a POST naming its operation in <c>X-Amz-Target</c>. SDKs pointed at
/// an endpoint URL with a path post to that path, so any path is accepted when the header is present.
/// </summary>
internal sealed class AwsJsonProtocolMiddleware(ApiResponseWriter writer, RequestContextFactory contexts) : IMiddleware
{
    public const string TargetHeader = "X-Amz-Target";

    private static readonly string TargetPrefix = SageMakerServiceModel.Current.TargetPrefix + ".";

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await next(context);
            return;
        }

        if (!context.Request.Headers.TryGetValue(TargetHeader, out var targetValues))
        {
            if (context.Request.Path == "/")
            {
                await ApiResponseWriter.WriteErrorAsync(context, ApiError.UnknownOperation($"A request to / must name its operation in the {TargetHeader} header."), ApiResponseWriter.AwsJsonContentType);
                return;
            }

            await next(context);
            return;
        }

        var result = await InvokeAsync(context, targetValues.ToString());
        if (result.Succeeded)
        {
            await ApiResponseWriter.WriteBodyAsync(context, result.Value!, ApiResponseWriter.AwsJsonContentType);
        }
        else
        {
            await ApiResponseWriter.WriteErrorAsync(context, result.Error!, ApiResponseWriter.AwsJsonContentType);
        }
    }

    private async Task<Result<string>> InvokeAsync(HttpContext context, string target)
    {
        if (!target.StartsWith(TargetPrefix, StringComparison.Ordinal))
        {
            return ApiError.UnknownOperation($"The X-Amz-Target '{target}' does not name a {TargetPrefix.TrimEnd('.')} operation.");
        }

        var body = await writer.ReadBodyAsync(context);
        if (!body.Succeeded)
        {
            return body.Error!;
        }

        using var document = ParseBody(body.Value!, out var parseError);
        if (document is null)
        {
            return ApiError.Serialization(parseError!);
        }

        var dispatcher = context.RequestServices.GetRequiredService<OperationDispatcher>();
        return await dispatcher.InvokeAsync(target[TargetPrefix.Length..], document.RootElement, contexts.Create(context), context.RequestAborted);
    }

    /// <summary>An empty body is an empty request, as JS v3 and botocore send <c>{}</c> for operations without input.</summary>
    internal static JsonDocument? ParseBody(byte[] body, out string? error)
    {
        error = null;
        if (body.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return JsonDocument.Parse("{}");
        }

        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            error = $"The request body is not valid JSON: {e.Message}";
            return null;
        }
    }
}
