using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace ControlPlane.Client;

/// <summary>
/// Checks <see cref="ControlPlaneClientOptions"/> before the first call (registered with <c>ValidateOnStart</c>), so
/// a wrong address, region or half-given credentials fail the host's start instead of the first request.
/// </summary>
public sealed partial class ControlPlaneClientOptionsValidator : IValidateOptions<ControlPlaneClientOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, ControlPlaneClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Failures(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws when <paramref name="options"/> are invalid (for clients constructed without DI).</summary>
    /// <param name="options">The options to check.</param>
    /// <exception cref="OptionsValidationException">The options are invalid; its message lists every problem.</exception>
    public static void ThrowIfInvalid(ControlPlaneClientOptions options)
    {
        var result = new ControlPlaneClientOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(ControlPlaneClientOptions), result.Failures);
        }
    }

    private static IEnumerable<string> Failures(ControlPlaneClientOptions options)
    {
        foreach (var (key, address) in new[] { (nameof(options.ServiceURL), options.ServiceURL), (nameof(options.RuntimeServiceURL), options.RuntimeServiceURL) })
        {
            if (address is not null && (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)))
            {
                yield return $"{key} must be an absolute http or https address; it is '{address}'.";
            }
        }

        if (string.IsNullOrWhiteSpace(options.Region) || !RegionPattern().IsMatch(options.Region))
        {
            yield return $"Region must be a region name such as us-east-1; it is '{options.Region}'.";
        }

        if (string.IsNullOrEmpty(options.AccessKey) != string.IsNullOrEmpty(options.SecretKey))
        {
            yield return "AccessKey and SecretKey must be given together.";
        }

        if (!string.IsNullOrEmpty(options.SessionToken) && !options.HasCredentials)
        {
            yield return "SessionToken needs AccessKey and SecretKey.";
        }

        if (options.MaxErrorRetry is < 0 or > 20)
        {
            yield return $"MaxErrorRetry must be between 0 and 20; it is {options.MaxErrorRetry}.";
        }

        if (options.RetryBaseDelay < TimeSpan.Zero || options.RetryMaxDelay < options.RetryBaseDelay)
        {
            yield return "RetryBaseDelay must not be negative and RetryMaxDelay not below it.";
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            yield return "Timeout must be positive.";
        }
    }

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionPattern();
}
