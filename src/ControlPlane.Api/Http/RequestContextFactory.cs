using ControlPlane.Application;
using ControlPlane.Application.Operations;
using ControlPlane.Core.Resources;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Http;

/// <summary>The account, region and time a request runs with.</summary>
internal sealed class RequestContextFactory(IOptions<ControlPlaneOptions> options, TimeProvider time)
{
    private readonly ResourceScope _scope = new(options.Value.Partition, options.Value.Region, options.Value.AccountId);

    public RequestContext Create() => new(_scope, time.GetUtcNow());
}
