using System.Net;
using ControlPlane.Core.Hosting;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway;

/// <summary>A production variant as the gateway routes to it.</summary>
internal sealed class VariantTarget(VariantRoute route)
{
    private int _next = Random.Shared.Next();

    public string Name { get; } = route.Name;

    public double Weight { get; } = route.Weight;

    /// <summary>The destination prefixes (<c>http://127.0.0.1:port/</c>) of the healthy instances.</summary>
    public IReadOnlyList<string> Instances { get; } = [.. route.Instances.Select(address => $"http://{address}/")];

    /// <summary>Round robin over the instances, starting somewhere new for each call.</summary>
    public int NextStart() => Interlocked.Increment(ref _next) & int.MaxValue;
}

/// <summary>An endpoint as the gateway routes to it: whether it serves, and its variants.</summary>
internal sealed class EndpointTarget(EndpointRoute route)
{
    private readonly VariantTarget[] _variants = [.. route.Variants.Select(v => new VariantTarget(v))];
    private readonly double _totalWeight = route.Variants.Sum(v => v.Weight);

    public string Status { get; } = route.Status;

    /// <summary>Its supervisor published a fleet: from just before InService until the endpoint is deleted or fails.</summary>
    public bool Serves { get; } = route.Variants.Count > 0;

    public VariantTarget? Variant(string name) => Array.Find(_variants, v => v.Name == name);

    /// <summary>A variant at random, each with probability weight / total weight; null when every weight is 0.</summary>
    public VariantTarget? PickByWeight()
    {
        if (_totalWeight <= 0)
        {
            return null;
        }

        var point = Random.Shared.NextDouble() * _totalWeight;
        foreach (var variant in _variants)
        {
            point -= variant.Weight;
            if (point < 0)
            {
                return variant;
            }
        }

        return Array.FindLast(_variants, v => v.Weight > 0);
    }
}

/// <summary>One version of the route table, indexed for lookups.</summary>
internal sealed class RouteSnapshot(RouteTable table)
{
    public string AccountId { get; } = table.AccountId;

    public string Region { get; } = table.Region;

    public IReadOnlyDictionary<string, EndpointTarget> Endpoints { get; } =
        table.Endpoints.ToDictionary(e => e.Name, e => new EndpointTarget(e), StringComparer.Ordinal);
}

/// <summary>
/// Follows the control plane's route table (<c>GET /internal/routes</c>, conditional on the last ETag) every
/// RoutePollInterval. While the control plane cannot be reached the last table stays in force.
/// </summary>
internal sealed partial class RouteCache(IOptions<GatewayOptions> options, ILogger<RouteCache> logger) : BackgroundService
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = options.Value.ControlPlaneUrl, Timeout = TimeSpan.FromSeconds(5) };
    private volatile RouteSnapshot? _current;
    private string? _etag;
    private bool _reachable = true;

    /// <summary>The routes in force; null until the control plane answered once.</summary>
    public RouteSnapshot? Current => _current;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RoutePollInterval);
        do
        {
            await RefreshAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, RouteTable.Path);
            if (_etag is not null)
            {
                request.Headers.IfNoneMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue(_etag));
            }

            using var response = await _http.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.NotModified)
            {
                response.EnsureSuccessStatusCode();
                var table = await response.Content.ReadFromJsonAsync<RouteTable>(cancellationToken);
                _current = new RouteSnapshot(table!);
                _etag = response.Headers.ETag?.Tag;
                LogRoutes(logger, table!.Version, table.Endpoints.Count);
            }

            if (!_reachable)
            {
                LogReachable(logger, options.Value.ControlPlaneUrl);
                _reachable = true;
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
        {
            if (_reachable)
            {
                LogUnreachable(logger, options.Value.ControlPlaneUrl, e.Message);
                _reachable = false;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Routes version {Version}: {Count} endpoints")]
    private static partial void LogRoutes(ILogger logger, string version, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The control plane at {Url} cannot be reached ({Reason}); the last routes stay in force")]
    private static partial void LogUnreachable(ILogger logger, Uri url, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The control plane at {Url} answers again")]
    private static partial void LogReachable(ILogger logger, Uri url);
}
