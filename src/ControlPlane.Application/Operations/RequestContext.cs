using ControlPlane.Core.Resources;

namespace ControlPlane.Application.Operations;

/// <summary>Who is calling and when: the account and region the request's resources belong to.</summary>
public sealed record RequestContext(ResourceScope Scope, DateTimeOffset Now)
{
    public string AccountId => Scope.AccountId;
}
