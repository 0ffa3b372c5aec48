using Microsoft.AspNetCore.Http;

namespace ControlPlane.Http.Authentication;

/// <summary>
/// Who an authenticated request comes from: the access key, the account whose resources it acts on, and whether the
/// key is an operator's (see <see cref="AccessKeyOptions.Operator"/>).
/// </summary>
public sealed record Caller(string AccessKeyId, string AccountId, bool IsOperator = false);

public static class CallerHttpContextExtensions
{
    /// <summary>The authenticated caller; null when authentication is off (<c>Mode=none</c>) or the path is open.</summary>
    public static Caller? Caller(this HttpContext context) => context.Features.Get<Caller>();
}
