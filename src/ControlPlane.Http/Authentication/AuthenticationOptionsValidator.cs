using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace ControlPlane.Http.Authentication;

/// <summary>
/// Refuses to start a host whose authentication settings are unusable, or that would serve anonymous requests on a
/// non-loopback address without the operator saying so. Runs before the server binds its ports.
/// </summary>
internal sealed partial class AuthenticationOptionsValidator(IConfiguration configuration) : IValidateOptions<AuthenticationOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthenticationOptions options)
    {
        var failures = options.Mode == AuthenticationMode.SigV4 ? AccessKeyFailures(options).ToList() : AnonymousExposureFailures(options).ToList();
        if (options.MaxClockSkew <= TimeSpan.Zero)
        {
            failures.Add($"{AuthenticationOptions.SectionName}:MaxClockSkew must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<string> AccessKeyFailures(AuthenticationOptions options)
    {
        var section = AuthenticationOptions.SectionName;
        if (options.AccessKeys.Count == 0)
        {
            yield return $"{section}:Mode is sigv4 but no access key is configured: set {section}:AccessKeys:0:AccessKeyId, :SecretAccessKey and :AccountId.";
        }

        for (var i = 0; i < options.AccessKeys.Count; i++)
        {
            var key = options.AccessKeys[i];
            if (!AccessKeyIdPattern().IsMatch(key.AccessKeyId))
            {
                yield return $"{section}:AccessKeys:{i}:AccessKeyId must be 1 to 128 letters and digits.";
            }

            if (string.IsNullOrEmpty(key.SecretAccessKey))
            {
                yield return $"{section}:AccessKeys:{i}:SecretAccessKey is required.";
            }

            if (!AccountIdPattern().IsMatch(key.AccountId))
            {
                yield return $"{section}:AccessKeys:{i}:AccountId must be 12 digits.";
            }
        }

        foreach (var duplicate in options.AccessKeys.GroupBy(k => k.AccessKeyId, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return $"{section}: the access key id {duplicate.Key} is configured more than once.";
        }

        foreach (var duplicate in options.AccessKeys.Where(k => !string.IsNullOrEmpty(k.ApiKey)).GroupBy(k => k.ApiKey, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return $"{section}: two access keys ({string.Join(", ", duplicate.Select(k => k.AccessKeyId))}) have the same ApiKey.";
        }
    }

    private IEnumerable<string> AnonymousExposureFailures(AuthenticationOptions options)
    {
        if (options.AllowAnonymousNonLoopback)
        {
            yield break;
        }

        foreach (var url in ListenUrls().Where(u => !IsLoopback(u)))
        {
            yield return $"{AuthenticationOptions.SectionName}:Mode is none (no authentication), but the service would listen on {url}, which is not a loopback address: anyone who reaches it could run containers on this machine. "
                + $"Set {AuthenticationOptions.SectionName}:Mode=sigv4 with access keys, or {AuthenticationOptions.SectionName}:AllowAnonymousNonLoopback=true if the network is trusted.";
        }
    }

    /// <summary>Where Kestrel will listen: <c>urls</c> (--urls, ASPNETCORE_URLS), <c>http_ports</c>/<c>https_ports</c> (every interface) and Kestrel endpoints.</summary>
    private IEnumerable<string> ListenUrls()
    {
        foreach (var url in (configuration["urls"] ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            yield return url;
        }

        foreach (var (key, scheme) in new[] { ("http_ports", "http"), ("https_ports", "https") })
        {
            foreach (var port in (configuration[key] ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                yield return $"{scheme}://*:{port}";
            }
        }

        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (endpoint["Url"] is { Length: > 0 } url)
            {
                yield return url;
            }
        }
    }

    private static bool IsLoopback(string url)
    {
        if (url.StartsWith("unix:", StringComparison.OrdinalIgnoreCase) || url.StartsWith("pipe:", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var host = BindingAddress.Parse(url).Host;
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }

    [GeneratedRegex("^[A-Za-z0-9]{1,128}$")]
    private static partial Regex AccessKeyIdPattern();

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountIdPattern();
}
