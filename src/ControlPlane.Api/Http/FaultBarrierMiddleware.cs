using ControlPlane.Core.Errors;

namespace ControlPlane.Api.Http;

/// <summary>
/// A fault in the service becomes a 500 InternalFailure in SageMaker's shape (SDKs retry those) and is logged; a
/// request Kestrel finds malformed becomes a 400. Neither leaks a stack trace.
/// </summary>
internal sealed partial class FaultBarrierMiddleware(ILogger<FaultBarrierMiddleware> logger) : IMiddleware
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            await ApiResponseWriter.WriteErrorAsync(context, ApiError.Serialization(e.Message), ApiResponseWriter.AwsJsonContentType);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            LogFault(logger, e, RequestIdMiddleware.Of(context));
            await ApiResponseWriter.WriteErrorAsync(context, ApiError.InternalFailure("The service encountered an internal error. Try again."), ApiResponseWriter.AwsJsonContentType);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {RequestId} failed")]
    private static partial void LogFault(ILogger logger, Exception exception, string requestId);
}
