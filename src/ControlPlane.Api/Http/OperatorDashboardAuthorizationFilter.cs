using ControlPlane.Http.Authentication;
using Hangfire.Dashboard;

namespace ControlPlane.Api.Http;

/// <summary>
/// With authentication on, the Hangfire dashboard opens to operators' access keys only: it shows every account's jobs,
/// and an account may not see another's resources. The authentication middleware has already refused anonymous callers.
/// </summary>
internal sealed class OperatorDashboardAuthorizationFilter : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) => context.GetHttpContext().Caller() is { IsOperator: true };
}
