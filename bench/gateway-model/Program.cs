// A SageMaker serving container reduced to nothing but HTTP (contract 5.2): GET /ping → 200, POST /invocations echoes
// the body with its Content-Type. It listens on $SAGEMAKER_BIND_TO_PORT (the Process runtime sets it) or 8080.
var port = Environment.GetEnvironmentVariable("SAGEMAKER_BIND_TO_PORT") ?? "8080";
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
var app = builder.Build();
app.MapGet("/ping", () => Results.Ok());
app.MapPost("/invocations", async context =>
{
    using var body = new MemoryStream();
    await context.Request.Body.CopyToAsync(body);
    context.Response.ContentType = context.Request.ContentType ?? "application/octet-stream";
    context.Response.ContentLength = body.Length;
    await context.Response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length));
});
app.Run();
