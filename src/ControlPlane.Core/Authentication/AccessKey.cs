using System.Security.Cryptography;
using System.Text;

namespace ControlPlane.Core.Authentication;

/// <summary>
/// An access key the service accepts: the secret it signs with and the account whose resources it acts on. The API
/// key, when set, authenticates the same caller on the routes that accept one (browsers and scripts that cannot sign).
/// An operator's key also opens what spans every account (the Hangfire dashboard).
/// </summary>
public sealed record AccessKey(string AccessKeyId, string SecretAccessKey, string AccountId, string? ApiKey = null, bool IsOperator = false)
{
    /// <summary>The secret is never part of a string that may reach a log.</summary>
    public override string ToString() => $"AccessKey {{ AccessKeyId = {AccessKeyId}, AccountId = {AccountId} }}";
}

/// <summary>The configured access keys, looked up by id, API key or id and secret, in constant time where a secret is compared.</summary>
public sealed class AccessKeyRing
{
    private readonly Dictionary<string, AccessKey> _byId;
    private readonly (byte[] Digest, AccessKey Key)[] _byApiKey;

    public AccessKeyRing(IEnumerable<AccessKey> keys)
    {
        _byId = new Dictionary<string, AccessKey>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (!_byId.TryAdd(key.AccessKeyId, key))
            {
                throw new ArgumentException($"The access key id {key.AccessKeyId} is configured twice.", nameof(keys));
            }
        }

        _byApiKey = [.. _byId.Values.Where(k => !string.IsNullOrEmpty(k.ApiKey)).Select(k => (Digest(k.ApiKey!), k))];
    }

    public int Count => _byId.Count;

    public AccessKey? Find(string accessKeyId) => _byId.GetValueOrDefault(accessKeyId);

    /// <summary>The key whose API key this is. Every configured API key is compared, each in constant time.</summary>
    public AccessKey? FindByApiKey(string apiKey)
    {
        var digest = Digest(apiKey);
        AccessKey? found = null;
        foreach (var (candidate, key) in _byApiKey)
        {
            if (CryptographicOperations.FixedTimeEquals(candidate, digest))
            {
                found = key;
            }
        }

        return found;
    }

    /// <summary>The key when the secret is its secret (HTTP Basic authentication: user = id, password = secret).</summary>
    public AccessKey? FindBySecret(string accessKeyId, string secretAccessKey) =>
        Find(accessKeyId) is { } key && CryptographicOperations.FixedTimeEquals(Digest(key.SecretAccessKey), Digest(secretAccessKey)) ? key : null;

    /// <summary>Comparing digests keeps the comparison's time independent of where, and whether, the lengths differ.</summary>
    private static byte[] Digest(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
