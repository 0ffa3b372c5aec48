using ControlPlane.Api;

// The content root is the build output, where the repository's appsettings.json is copied; relative data paths
// still resolve against the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddControlPlane();

var app = builder.Build();
app.MapControlPlane();
app.Run();
