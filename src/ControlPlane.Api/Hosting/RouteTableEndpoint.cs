using System.Security.Cryptography;
using System.Text.Json;
using ControlPlane.Application;
using ControlPlane.Application.Persistence;
using ControlPlane.Core.Hosting;
using ControlPlane.Core.Resources;
using ControlPlane.Http.Authentication;
using ControlPlane.Orchestration.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Hosting;

/// <summary>
/// <c>GET /internal/routes</c>: the <see cref="RouteTable"/> the inference gateway polls. Statuses come from the
/// database, instances from the routes each endpoint's supervisor publishes. The version is a hash of the content and
/// doubles as the ETag, so an unchanged table costs the gateway a 304. A table holds the caller's account only (the
/// configured account when authentication is off).
/// </summary>
internal static class RouteTableEndpoint
{
    public static IEndpointRouteBuilder MapRouteTable(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(RouteTable.Path, WriteAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task WriteAsync(HttpContext context, ControlPlaneDbContext db, HostingWorkspace workspace, IOptions<ControlPlaneOptions> options, CancellationToken cancellationToken)
    {
        // The caller's own account: the gateway asks for each account's routes with one of its keys.
        var account = context.Caller()?.AccountId ?? options.Value.AccountId;
        var rows = await db.Resources.AsNoTracking()
            .Where(r => r.AccountId == account && r.Kind == ResourceKind.Endpoint)
            .OrderBy(r => r.Name)
            .Select(r => new { r.Name, r.Status })
            .ToListAsync(cancellationToken);
        var endpoints = rows.Select(r => new EndpointRoute(r.Name, r.Status ?? string.Empty, workspace.ReadRoutes(account, r.Name))).ToList();
        var content = JsonSerializer.SerializeToUtf8Bytes(new RouteTable(string.Empty, account, options.Value.Region, endpoints));
        var version = Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12));
        var etag = $"\"{version}\"";
        context.Response.Headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch == etag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new RouteTable(version, account, options.Value.Region, endpoints), cancellationToken: cancellationToken);
    }
}
