using ControlPlane.Algorithms.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Algorithms.Serving;

/// <summary>
/// The hosting contract's HTTP server (5.2, 5.3): <c>GET /ping</c>, <c>POST /invocations</c> (every record of a payload
/// scored in one batch; empty body 204, unsupported content type 415, unsupported Accept 406, malformed payload 400 with
/// the reason) and <c>GET /execution-parameters</c> for batch transform.
/// </summary>
internal static class InferenceHost
{
    /// <summary>SageMaker's default MaxPayloadInMB (and the XGBoost container's MAX_CONTENT_LENGTH).</summary>
    public const int MaxPayloadInMb = 6;

    public static WebApplication Build(IScoringModel model, InferenceFormats formats, int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        // Settings come from the hosting contract's variables only, never from an appsettings.json that happens to be near.
        builder.Configuration.Sources.Clear();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenAnyIP(port);
            kestrel.Limits.MaxRequestBodySize = MaxPayloadInMb * 1024L * 1024L;
        });
        var app = builder.Build();
        app.MapGet("/ping", () => Results.Ok());
        app.MapGet("/execution-parameters", () => Results.Json(new Dictionary<string, object>
        {
            ["MaxConcurrentTransforms"] = Environment.ProcessorCount,
            ["BatchStrategy"] = "MULTI_RECORD",
            ["MaxPayloadInMB"] = MaxPayloadInMb,
        }));
        app.MapPost("/invocations", (HttpRequest request) => InvokeAsync(request, model, formats));
        return app;
    }

    private static async Task<IResult> InvokeAsync(HttpRequest request, IScoringModel model, InferenceFormats formats)
    {
        var body = new MemoryStream();
        await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        if (body.Length == 0)
        {
            return Results.NoContent();
        }

        var contentType = DataFormats.MediaType(request.ContentType ?? DataFormats.Csv);
        if (!formats.ContentTypes.Contains(contentType))
        {
            return Results.Text($"Content type '{contentType}' is not supported; use one of {string.Join(", ", formats.ContentTypes)}.", statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        var accept = formats.Negotiate(request.Headers.Accept.ToString());
        if (accept is null)
        {
            return Results.Text($"Accept '{request.Headers.Accept}' is not supported; use one of {string.Join(", ", formats.Accepts)}.", statusCode: StatusCodes.Status406NotAcceptable);
        }

        try
        {
            var rows = PayloadReader.Read(contentType, body.ToArray(), model.FeatureCount);
            return Results.Bytes(formats.Write(accept, model.Score(rows)), accept);
        }
        catch (AlgorithmException e)
        {
            return Results.Text(e.Message, statusCode: StatusCodes.Status400BadRequest);
        }
    }

    /// <summary>The port: <c>SAGEMAKER_BIND_TO_PORT</c> when set (inference pipelines, the Process runtime), else 8080.</summary>
    public static int Port() =>
        int.TryParse(Environment.GetEnvironmentVariable("SAGEMAKER_BIND_TO_PORT"), out var port) && port is > 0 and < 65536 ? port : 8080;
}
