using System.Text;
using System.Text.Json;

namespace ControlPlane.Gateway;

/// <summary>
/// Errors of the runtime API (rest-json, contract 4.2): the code in <c>x-amzn-ErrorType</c> and in <c>__type</c>,
/// <c>message</c> last (the .NET SDK's first-pass parser would take <c>OriginalMessage</c> for it otherwise).
/// </summary>
internal static class RuntimeErrors
{
    public const string ValidationErrorCode = "ValidationError";

    public static Task ValidationAsync(HttpContext context, string message) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, ValidationErrorCode, message, null);

    public static Task ServiceUnavailableAsync(HttpContext context, string message) =>
        WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "ServiceUnavailable", message, null);

    /// <summary>ModelError 424: the model answered with an error status, or not at all.</summary>
    public static Task ModelErrorAsync(HttpContext context, ModelFailure failure, string endpointName, string accountId, string region)
    {
        var logs = $"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#logEventViewer:group=/aws/sagemaker/Endpoints/{endpointName} in account {accountId}";
        var kind = failure.StatusCode is >= 400 and < 500 ? "client" : "server";
        var message = $"Received {kind} error ({failure.StatusCode}) from primary with message \"{failure.Message}\". See {logs} for more information.";
        return WriteAsync(context, StatusCodes.Status424FailedDependency, "ModelError", message, writer =>
        {
            writer.WriteNumber("OriginalStatusCode", failure.StatusCode);
            writer.WriteString("OriginalMessage", failure.Message);
            writer.WriteString("LogStreamArn", $"arn:aws:logs:{region}:{accountId}:log-group:/aws/sagemaker/Endpoints/{endpointName}");
        });
    }

    private static async Task WriteAsync(HttpContext context, int status, string code, string message, Action<Utf8JsonWriter>? members)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.Headers["x-amzn-ErrorType"] = code;
        using var body = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteString("__type", code);
            members?.Invoke(writer);
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }

        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length), context.RequestAborted);
    }
}

/// <summary>What the model did instead of answering 2xx: its status code (0 when it did not answer) and its message.</summary>
internal sealed record ModelFailure(int StatusCode, string Message)
{
    public static readonly ModelFailure TimedOut = new(0, "Your invocation timed out while waiting for a response from container primary. Review the latency metrics for each container in Amazon CloudWatch, resolve the issue, and try again.");

    private const int ModelMessageLength = 4096;

    /// <summary>The model answered a non-2xx status: that status and the start of its text.</summary>
    public static async Task<ModelFailure> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return new ModelFailure((int)response.StatusCode, text.Length <= ModelMessageLength ? text : text[..ModelMessageLength]);
    }

    /// <summary>The call reached the container (or may have) but no answer came back.</summary>
    public static ModelFailure Unanswered(Exception? exception) => new(0, $"The container failed to answer: {Describe(exception)}");

    public static string Describe(Exception? exception)
    {
        var text = new StringBuilder();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            text.Append(text.Length > 0 ? ": " : string.Empty).Append(e.Message);
        }

        return text.ToString();
    }
}
