using System.Text.Json;
using ControlPlane.Application;
using ControlPlane.Core.Hosting;
using Microsoft.Extensions.Options;

namespace ControlPlane.Orchestration.Hosting;

/// <summary>
/// Where an endpoint's files live: its deployments' model directories, the record of its containers (state.json) and
/// its published routes (routes.json), which the API serves to the gateway. Worker and API processes of one
/// deployment share the data directory.
/// </summary>
public sealed class HostingWorkspace(IOptions<ControlPlaneOptions> options)
{
    public string EndpointsRoot => Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "endpoints");

    public string Root(string accountId, string endpointName) => Path.Combine(EndpointsRoot, accountId, endpointName);

    public string RoutesPath(string accountId, string endpointName) => Path.Combine(Root(accountId, endpointName), "routes.json");

    /// <summary>The variants an endpoint's supervisor last published, or none when it has published nothing (yet).</summary>
    public IReadOnlyList<VariantRoute> ReadRoutes(string accountId, string endpointName)
    {
        try
        {
            using var file = File.OpenRead(RoutesPath(accountId, endpointName));
            return JsonSerializer.Deserialize<List<VariantRoute>>(file) ?? [];
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }
    }
}
