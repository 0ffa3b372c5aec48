namespace ControlPlane.Http.Authentication;

public enum AuthenticationMode
{
    /// <summary>Every request is anonymous and acts on the configured default account (the embedded, loopback-only default).</summary>
    None,

    /// <summary>Every request must carry an AWS Signature Version 4 from a configured access key (or, where allowed, its API key).</summary>
    SigV4,
}

/// <summary>The <c>ControlPlane:Authentication</c> configuration section.</summary>
public sealed class AuthenticationOptions
{
    public const string SectionName = "ControlPlane:Authentication";

    public AuthenticationMode Mode { get; set; } = AuthenticationMode.None;

    /// <summary>Lets <c>Mode=none</c> listen on a non-loopback address: anyone who reaches the port can run containers.</summary>
    public bool AllowAnonymousNonLoopback { get; set; }

    /// <summary>How far a request's X-Amz-Date may be from the server's clock, either way.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(15);

    public List<AccessKeyOptions> AccessKeys { get; set; } = [];
}

/// <summary>One accepted access key: <c>ControlPlane:Authentication:AccessKeys:N:{AccessKeyId,SecretAccessKey,AccountId,ApiKey,Operator}</c>.</summary>
public sealed class AccessKeyOptions
{
    public string AccessKeyId { get; set; } = string.Empty;

    public string SecretAccessKey { get; set; } = string.Empty;

    public string AccountId { get; set; } = string.Empty;

    /// <summary>Optional: the value of the <c>X-Api-Key</c> header that authenticates as this key on the REST routes, Swagger UI and the dashboard.</summary>
    public string? ApiKey { get; set; }

    /// <summary>May open the Hangfire dashboard, which shows every account's jobs; other keys see their own account only.</summary>
    public bool Operator { get; set; }

    public override string ToString() => $"AccessKey {AccessKeyId} (account {AccountId})";
}

/// <summary>What the host decides about its paths (the API and the gateway differ): which are open and which also take API keys.</summary>
/// <param name="OpenPaths">Served without authentication (for instance /health).</param>
/// <param name="ApiKeyPaths">Also accept <c>X-Api-Key</c> or HTTP Basic (access key id and secret): routes browsers and scripts use.</param>
/// <param name="BrowserPaths">Pages a browser opens: an anonymous request gets a Basic challenge so the browser asks for credentials.</param>
/// <param name="MaxBodyBytes">The largest body read to check its hash; larger ones are refused.</param>
/// <param name="BodyErrorCode">The code a body too large or unreadable is refused with, when the host's API names it otherwise (the runtime API: ValidationError).</param>
public sealed record AuthenticationPaths(string[] OpenPaths, string[] ApiKeyPaths, string[] BrowserPaths, long MaxBodyBytes, string? BodyErrorCode = null);
