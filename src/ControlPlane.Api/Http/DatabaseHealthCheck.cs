using System.Text.Json;
using ControlPlane.Application.Persistence;
using ControlPlane.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ControlPlane.Api.Http;

/// <summary>GET /health: the process answers (liveness) and the database answers a query.</summary>
internal sealed class DatabaseHealthCheck(ControlPlaneDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await db.Resources.AnyAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("The database did not answer.", e);
        }
    }

    public static Task WriteResponseAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new Dictionary<string, object>
        {
            ["status"] = report.Status.ToString(),
            ["checks"] = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
        };
        return ResponseBody.WriteUtf8Async(context, JsonSerializer.Serialize(body));
    }
}
