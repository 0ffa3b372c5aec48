using System.Collections.Concurrent;
using ControlPlane.Application;
using ControlPlane.Application.Operations;
using ControlPlane.Core.Resources;
using ControlPlane.Http.Authentication;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Http;

/// <summary>
/// The account, region and time a request runs with: the authenticated caller's account, or the configured account
/// when authentication is off.
/// </summary>
internal sealed class RequestContextFactory(IOptions<ControlPlaneOptions> options, TimeProvider time)
{
    private readonly ControlPlaneOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, ResourceScope> _scopes = new(StringComparer.Ordinal);

    public RequestContext Create(HttpContext context)
    {
        var account = context.Caller()?.AccountId ?? _options.AccountId;
        var scope = _scopes.GetOrAdd(account, a => new ResourceScope(_options.Partition, _options.Region, a));
        return new RequestContext(scope, time.GetUtcNow());
    }
}
