using ControlPlane.Api;
using Microsoft.Extensions.Options;

try
{
    // The content root is the build output, where the repository's appsettings.json is copied; relative data paths
    // still resolve against the working directory.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.AddControlPlane();

    var app = builder.Build();
    app.MapControlPlane();
    app.Run();
    return 0;
}
catch (OptionsValidationException e)
{
    // A setting the service cannot run with (or an unsafe one): say which, without a stack trace, and fail.
    await Console.Error.WriteLineAsync($"ControlPlane cannot start: {string.Join(Environment.NewLine, e.Failures)}");
    return 1;
}
