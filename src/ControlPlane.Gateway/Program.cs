using ControlPlane.Gateway;
using ControlPlane.Http;
using ControlPlane.Http.Authentication;
using Microsoft.Extensions.Options;

// Settings come from the command line and the environment only: the gateway may run from the control plane's build
// output, whose appsettings.json is the control plane's.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.Sources.Clear();
builder.Configuration.AddEnvironmentVariables().AddCommandLine(args);
builder.WebHost.UseUrls(builder.Configuration["urls"] ?? "http://127.0.0.1:5081");
builder.Logging.ClearProviders().AddSimpleConsole(console => console.SingleLine = true);
// Hosting starts an Activity and a logging scope for every request while its logger has any level enabled (Critical
// included); nothing here reads them, and on the forwarding path they cost per call.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Yarp", LogLevel.Warning)
    .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.Services.AddOptions<GatewayOptions>()
    .Bind(builder.Configuration.GetSection(GatewayOptions.SectionName))
    .Configure(options => options.ControlPlaneUrl = new Uri(builder.Configuration["ControlPlane:Url"] ?? options.ControlPlaneUrl.ToString()))
    .ValidateDataAnnotations()
    .ValidateOnStart();
// The same ControlPlane:Authentication settings as the control plane (it passes its own to a gateway it launches).
builder.Services.AddControlPlaneAuthentication(builder.Configuration, provider => new AuthenticationPaths(
    OpenPaths: ["/ping"],
    ApiKeyPaths: [],
    BrowserPaths: [],
    MaxBodyBytes: provider.GetRequiredService<IOptions<GatewayOptions>>().Value.MaxPayloadBytes,
    BodyErrorCode: RuntimeErrors.ValidationErrorCode));
builder.Services.AddHttpForwarder();
builder.Services.AddSingleton<RouteCache>();
builder.Services.AddHostedService(provider => provider.GetRequiredService<RouteCache>());
builder.Services.AddHostedService<ParentProcessWatch>();
builder.Services.AddSingleton<InvocationHandler>();
builder.Services.AddSingleton<AsyncInvocationForwarder>();

var app = builder.Build();
var handler = app.Services.GetRequiredService<InvocationHandler>();
var asyncInvocations = app.Services.GetRequiredService<AsyncInvocationForwarder>();
app.Use((context, next) =>
{
    // First, so that refusals carry it too.
    context.Response.Headers["x-amzn-RequestId"] = RequestIds.New();
    return next(context);
});
app.UseControlPlaneAuthentication();
app.MapPost(InvocationHandler.Route, (HttpContext context, string endpointName) => handler.InvokeAsync(context, endpointName));
app.MapPost(ResponseStreamForwarder.Route, (HttpContext context, string endpointName) => handler.InvokeWithResponseStreamAsync(context, endpointName));
app.MapPost(AsyncInvocationForwarder.Route, (HttpContext context, string endpointName) => asyncInvocations.InvokeAsync(context, endpointName));
app.MapGet("/ping", () => Results.Ok());
app.Run();
