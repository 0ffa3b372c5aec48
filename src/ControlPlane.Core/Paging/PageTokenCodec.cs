using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ControlPlane.Core.Paging;

/// <summary>Where the next page of a list starts: after the row with this sort value and id.</summary>
public sealed record PageCursor(string Query, string SortValue, long Id);

/// <summary>
/// Opaque NextToken values. A token carries its cursor and the query it belongs to, sealed with an HMAC, so a forged
/// token, or one replayed against a different list or filter, is recognised and rejected.
/// </summary>
public sealed class PageTokenCodec(byte[] key)
{
    private const int MacLength = 16;

    public string Encode(PageCursor cursor)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new[] { cursor.Query, cursor.SortValue, cursor.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var mac = HMACSHA256.HashData(key, payload).AsSpan(0, MacLength);
        return $"{Base64Url.EncodeToString(payload)}.{Base64Url.EncodeToString(mac)}";
    }

    /// <summary>The cursor of a token this service issued for <paramref name="query"/>, else null.</summary>
    public PageCursor? Decode(string token, string query)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return null;
        }

        try
        {
            var payload = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
            var mac = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
            var expected = HMACSHA256.HashData(key, payload).AsSpan(0, MacLength);
            if (!CryptographicOperations.FixedTimeEquals(mac, expected))
            {
                return null;
            }

            var parts = JsonSerializer.Deserialize<string[]>(payload);
            return parts is [var tokenQuery, var sortValue, var id] && tokenQuery == query && long.TryParse(id, System.Globalization.CultureInfo.InvariantCulture, out var rowId)
                ? new PageCursor(tokenQuery, sortValue, rowId)
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A short fingerprint of a list query, stored in its tokens.</summary>
    public static string Fingerprint(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 8));
}
