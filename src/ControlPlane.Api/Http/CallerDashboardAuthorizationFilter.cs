using ControlPlane.Http.Authentication;
using Hangfire.Dashboard;

namespace ControlPlane.Api.Http;

/// <summary>
/// With authentication on, the Hangfire dashboard is open to any authenticated caller (the authentication middleware
/// has already refused everyone else); it shows every account's jobs, so it is an operator's tool.
/// </summary>
internal sealed class CallerDashboardAuthorizationFilter : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) => context.GetHttpContext().Caller() is not null;
}
