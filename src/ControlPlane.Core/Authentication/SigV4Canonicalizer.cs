using System.Text;

namespace ControlPlane.Core.Authentication;

/// <summary>
/// The canonical request of Signature Version 4, built from the request as received (botocore's
/// <c>SigV4Auth.canonical_request</c>; contract section 1.6).
/// </summary>
internal static class SigV4Canonicalizer
{
    public static string CanonicalRequest(ISignedRequest request, IReadOnlyList<string> signedHeaders, string signedHeadersText, string payloadHash, bool dropSignatureParameter)
    {
        var builder = new StringBuilder(256);
        builder.Append(request.Method).Append('\n');
        AppendEncoded(builder, request.RawPath.Length == 0 ? "/" : request.RawPath, keepSlash: true);
        builder.Append('\n');
        AppendQuery(builder, request.RawQuery, dropSignatureParameter);
        builder.Append('\n');
        foreach (var name in signedHeaders)
        {
            builder.Append(name).Append(':');
            AppendTrimmed(builder, request.Header(name) ?? string.Empty);
            builder.Append('\n');
        }

        return builder.Append('\n').Append(signedHeadersText).Append('\n').Append(payloadHash).ToString();
    }

    /// <summary>The query's parameters, decoded.</summary>
    public static IEnumerable<(string Name, string Value)> Parameters(string rawQuery)
    {
        foreach (var pair in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? string.Empty : pair[(equals + 1)..];
            yield return (Decode(name), Decode(value));
        }
    }

    /// <summary>A '+' is a space, as in form encoding: botocore puts one on the wire and signs <c>%20</c>.</summary>
    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    /// <summary>The parameters re-encoded with RFC 3986's unreserved set, sorted by name then value.</summary>
    private static void AppendQuery(StringBuilder builder, string rawQuery, bool dropSignatureParameter)
    {
        if (rawQuery.Length == 0)
        {
            return;
        }

        var encoded = Parameters(rawQuery)
            .Where(p => !(dropSignatureParameter && p.Name == SigV4Verifier.SignatureParameter))
            .Select(p => (Name: Encode(p.Name), Value: Encode(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        var first = true;
        foreach (var (name, value) in encoded)
        {
            builder.Append(first ? string.Empty : "&").Append(name).Append('=').Append(value);
            first = false;
        }
    }

    private static string Encode(string text)
    {
        var builder = new StringBuilder(text.Length);
        AppendEncoded(builder, text, keepSlash: false);
        return builder.ToString();
    }

    /// <summary>
    /// URI-encodes every byte outside <c>A-Za-z0-9-_.~</c>. A path is encoded as received, so an already-encoded path
    /// is encoded again, as the SDKs do for every service but S3.
    /// </summary>
    private static void AppendEncoded(StringBuilder builder, string text, bool keepSlash)
    {
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(Convert.ToHexString([b]));
            }
        }
    }

    /// <summary>Trims the value and collapses each run of whitespace inside it to one space (botocore: <c>' '.join(v.split())</c>).</summary>
    private static void AppendTrimmed(StringBuilder builder, string value)
    {
        var pendingSpace = false;
        var started = false;
        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = started;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
            started = true;
        }
    }
}
