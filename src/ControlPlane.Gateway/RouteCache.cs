using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ControlPlane.Core.Hosting;
using ControlPlane.Http.Authentication;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway;

/// <summary>
/// A model container as the gateway calls it: its destination prefix (<c>http://127.0.0.1:port/</c>) and its
/// <c>/invocations</c> URI, parsed once per route table rather than per call.
/// </summary>
internal sealed class InstanceTarget(string prefix)
{
    public string Prefix { get; } = prefix;

    public Uri Invocations { get; } = new(prefix + "invocations");
}

/// <summary>A production variant as the gateway routes to it.</summary>
internal sealed class VariantTarget(VariantRoute route)
{
    private int _next = Random.Shared.Next();

    public string Name { get; } = route.Name;

    public double Weight { get; } = route.Weight;

    /// <summary>The healthy instances.</summary>
    public IReadOnlyList<InstanceTarget> Instances { get; } = [.. route.Instances.Select(address => new InstanceTarget($"http://{address}/"))];

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
    public VariantTarget? PickByWeight() => WeightedChoice.Pick(_variants, static v => v.Weight, _totalWeight, Random.Shared.NextDouble());
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
/// RoutePollInterval, one table per account: with <c>Mode=sigv4</c> each account of the configured access keys,
/// asked for with one of its keys (the control plane answers a caller with its own account's endpoints only); otherwise
/// the control plane's configured account, asked anonymously. While the control plane cannot be reached the last
/// tables stay in force.
/// </summary>
internal sealed partial class RouteCache : BackgroundService
{
    private readonly GatewayOptions _options;
    private readonly ILogger<RouteCache> _logger;
    private readonly HttpClient _http;
    private readonly AccountRoutes[] _accounts;
    private readonly AccountRoutes? _anonymous;
    private readonly Dictionary<string, AccountRoutes> _byAccount;
    private bool _reachable = true;

    public RouteCache(IOptions<GatewayOptions> options, IOptions<AuthenticationOptions> authentication, ILogger<RouteCache> logger)
    {
        _options = options.Value;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = _options.ControlPlaneUrl, Timeout = TimeSpan.FromSeconds(5) };
        if (authentication.Value.Mode == AuthenticationMode.SigV4)
        {
            _accounts = [.. authentication.Value.AccessKeys.GroupBy(k => k.AccountId, StringComparer.Ordinal).Select(keys => new AccountRoutes(keys.First()))];
        }
        else
        {
            _anonymous = new AccountRoutes(null);
            _accounts = [_anonymous];
        }

        _byAccount = _accounts.Where(a => a.AccountId is not null).ToDictionary(a => a.AccountId!, StringComparer.Ordinal);
    }

    /// <summary>
    /// The routes in force for the caller's account (the anonymous table when authentication is off); null until the
    /// control plane answered once.
    /// </summary>
    public RouteSnapshot? For(Caller? caller) => Account(caller)?.Current;

    /// <summary>
    /// Sends <paramref name="request"/> to the control plane as the caller's account, with the credentials the routes are
    /// asked for with (none when authentication is off).
    /// </summary>
    public Task<HttpResponseMessage> SendAsAsync(Caller? caller, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = Account(caller)?.Credentials;
        return _http.SendAsync(request, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.RoutePollInterval);
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

    private AccountRoutes? Account(Caller? caller) => caller is null ? _anonymous : _byAccount.GetValueOrDefault(caller.AccountId);

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var account in _accounts)
            {
                await RefreshAsync(account, cancellationToken);
            }

            if (!_reachable)
            {
                LogReachable(_logger, _options.ControlPlaneUrl);
                _reachable = true;
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
        {
            if (_reachable)
            {
                LogUnreachable(_logger, _options.ControlPlaneUrl, e.Message);
                _reachable = false;
            }
        }
    }

    private async Task RefreshAsync(AccountRoutes account, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, RouteTable.Path);
        request.Headers.Authorization = account.Credentials;
        if (account.ETag is not null)
        {
            request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(account.ETag));
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.NotModified)
        {
            response.EnsureSuccessStatusCode();
            var table = await response.Content.ReadFromJsonAsync<RouteTable>(cancellationToken);
            account.Current = new RouteSnapshot(table!);
            account.ETag = response.Headers.ETag?.Tag;
            LogRoutes(_logger, table!.AccountId, table.Version, table.Endpoints.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Routes of account {AccountId} version {Version}: {Count} endpoints")]
    private static partial void LogRoutes(ILogger logger, string accountId, string version, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The control plane at {Url} cannot be reached ({Reason}); the last routes stay in force")]
    private static partial void LogUnreachable(ILogger logger, Uri url, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The control plane at {Url} answers again")]
    private static partial void LogReachable(ILogger logger, Uri url);

    /// <summary>
    /// One account's table and how to ask for it: HTTP Basic with one of the account's access keys (the internal route
    /// takes Basic credentials as the REST routes do), or nothing when authentication is off.
    /// </summary>
    private sealed class AccountRoutes(AccessKeyOptions? key)
    {
        private RouteSnapshot? _current;

        public string? AccountId { get; } = key?.AccountId;

        public AuthenticationHeaderValue? Credentials { get; } = key is null
            ? null
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key.AccessKeyId}:{key.SecretAccessKey}")));

        public RouteSnapshot? Current
        {
            get => Volatile.Read(ref _current);
            set => Volatile.Write(ref _current, value);
        }

        public string? ETag { get; set; }
    }
}
