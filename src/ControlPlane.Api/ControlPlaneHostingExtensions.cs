using ControlPlane.Api.Hosting;
using ControlPlane.Api.Http;
using ControlPlane.Api.OpenApi;
using ControlPlane.Api.Rest;
using ControlPlane.Api.WireProtocol;
using ControlPlane.Application;
using ControlPlane.Http.Authentication;
using ControlPlane.Orchestration;
using Hangfire;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace ControlPlane.Api;

/// <summary>
/// One build, three roles (<c>ControlPlane:Role</c>): <c>all</c> (the default) serves the API and runs jobs;
/// <c>api</c> serves the API and leaves jobs to worker processes; <c>worker</c> runs jobs and serves only /health and
/// the Hangfire dashboard. Processes of one deployment share the data directory (or, scaled out, the databases).
/// </summary>
internal static class ControlPlaneHostingExtensions
{
    private const string RoleKey = "ControlPlane:Role";

    public static WebApplicationBuilder AddControlPlane(this WebApplicationBuilder builder)
    {
        var role = builder.Configuration[RoleKey] ?? "all";
        if (role is not ("all" or "api" or "worker"))
        {
            throw new InvalidOperationException($"{RoleKey} must be all, api or worker, not '{role}'.");
        }

        if (role == "api")
        {
            builder.Configuration.AddInMemoryCollection([KeyValuePair.Create<string, string?>($"{OrchestrationOptions.SectionName}:RunWorkers", "false")]);
        }

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
        if (role != "worker" && !IsBuildTimeDocumentGeneration)
        {
            builder.Services.AddHostedService<GatewayLauncher>();
        }

        return builder;
    }

    /// <summary>The build runs the app to write the OpenAPI document; that run must not create a database.</summary>
    private static bool IsBuildTimeDocumentGeneration =>
        System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";

    public static WebApplication MapControlPlane(this WebApplication app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseMiddleware<FaultBarrierMiddleware>();
        app.UseControlPlaneAuthentication();
        if (app.Configuration[RoleKey] != "worker")
        {
            app.UseMiddleware<AwsJsonProtocolMiddleware>();
            app.MapRestApi();
            app.MapJobLogs();
            app.MapRouteTable();
            app.MapAsyncInvocations();
            app.MapControlPlaneOpenApi();
        }

        // Without authentication Hangfire's default applies: the dashboard answers local requests only.
        var dashboard = new DashboardOptions { DisplayStorageConnectionString = false };
        if (app.Services.IsAuthenticationEnabled())
        {
            dashboard.Authorization = [new OperatorDashboardAuthorizationFilter()];
        }

        app.UseHangfireDashboard("/hangfire", dashboard);
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = DatabaseHealthCheck.WriteResponseAsync });
        return app;
    }
}
