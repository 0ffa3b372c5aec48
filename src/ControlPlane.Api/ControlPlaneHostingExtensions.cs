using ControlPlane.Api.Http;
using ControlPlane.Api.OpenApi;
using ControlPlane.Api.Rest;
using ControlPlane.Api.WireProtocol;
using ControlPlane.Application;
using ControlPlane.Orchestration;
using Hangfire;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace ControlPlane.Api;

internal static class ControlPlaneHostingExtensions
{
    public static WebApplicationBuilder AddControlPlane(this WebApplicationBuilder builder)
    {
        builder.Services.AddControlPlaneApplication(builder.Configuration);
        if (!IsBuildTimeDocumentGeneration)
        {
            // Registered before the engine: hosted services start in order, and job recovery reads the database.
            builder.Services.AddControlPlaneDatabaseInitializer();
        }

        builder.Services.AddControlPlaneOrchestration(builder.Configuration);

        builder.Services.AddHttpFrontDoors(builder.Configuration);
        builder.Services.AddControlPlaneOpenApi();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return builder;
    }

    /// <summary>The build runs the app to write the OpenAPI document; that run must not create a database.</summary>
    private static bool IsBuildTimeDocumentGeneration =>
        System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";

    public static WebApplication MapControlPlane(this WebApplication app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseMiddleware<FaultBarrierMiddleware>();
        app.UseMiddleware<AwsJsonProtocolMiddleware>();
        app.MapRestApi();
        app.MapJobLogs();
        app.UseHangfireDashboard("/hangfire", new DashboardOptions { DisplayStorageConnectionString = false });
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = DatabaseHealthCheck.WriteResponseAsync });
        app.MapControlPlaneOpenApi();
        return app;
    }
}
