using System.Text;
using System.Text.RegularExpressions;

namespace ControlPlane.Core.ServiceModel;

/// <summary>
/// The service model's patterns are Java regexes, applied by the service as full matches. .NET reads most of them the
/// same way; these are the constructs it reads differently, rewritten to Java's meaning:
/// <list type="bullet">
/// <item><c>.</c> does not match any of Java's line terminators (\n \r \u0085 \u2028 \u2029);</item>
/// <item><c>\d \w \s</c> and their negations are ASCII-only in Java;</item>
/// <item><c>\p{Alnum}</c> is a POSIX class .NET lacks;</item>
/// <item>Java matches by code point: a class with a Unicode category also takes a letter outside the basic plane, and
/// a surrogate pair written inside a class is one code point, not a (reversed) range.</item>
/// </list>
/// </summary>
internal static class JavaPattern
{
    private const string LineTerminators = @"\n\r\u0085\u2028\u2029";
    private const string Whitespace = @" \t\n\x0B\f\r";
    private const string SupplementaryCodePoint = @"[\uD800-\uDBFF][\uDC00-\uDFFF]";

    public static Regex CompileFullMatch(string javaPattern) =>
        new($"^(?:{Translate(javaPattern)})\\z", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    internal static string Translate(string pattern)
    {
        var result = new StringBuilder(pattern.Length + 32);
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '[')
            {
                i = TranslateClass(pattern, i, result);
            }
            else if (c == '\\' && i + 1 < pattern.Length)
            {
                result.Append(Escape(pattern[i + 1], inClass: false) ?? pattern.Substring(i, 2));
                i++;
            }
            else
            {
                result.Append(c == '.' ? $"[^{LineTerminators}]" : c);
            }
        }

        return result.ToString();
    }

    /// <summary>Copies the character class starting at <paramref name="start"/>; returns the index of its closing bracket.</summary>
    private static int TranslateClass(string pattern, int start, StringBuilder result)
    {
        var body = new StringBuilder();
        var i = start + 1;
        var negated = i < pattern.Length && pattern[i] == '^';
        if (negated)
        {
            i++;
        }

        var hasCategory = false;
        var hasSpace = false;
        var hasNonSpace = false;
        for (; i < pattern.Length && !(pattern[i] == ']' && body.Length > 0); i++)
        {
            if (pattern[i] == '\\' && i + 1 < pattern.Length)
            {
                var escaped = pattern[i + 1];
                if (escaped == 'p' && pattern.IndexOf('}', i) is var close and > 0)
                {
                    var category = pattern.Substring(i, close - i + 1);
                    hasCategory = true;
                    body.Append(category == @"\p{Alnum}" ? "a-zA-Z0-9" : category);
                    i = close;
                    continue;
                }

                if (pattern.AsSpan(i).StartsWith(@"\uD800\uDC00-\uDBFF\uDFFF"))
                {
                    // Every code point from U+10000 to U+10FFFF, written as surrogate pairs.
                    body.Append(@"\uD800-\uDFFF");
                    i += @"\uD800\uDC00-\uDBFF\uDFFF".Length - 1;
                    continue;
                }

                hasSpace |= escaped == 's';
                hasNonSpace |= escaped == 'S';
                body.Append(Escape(escaped, inClass: true) ?? pattern.Substring(i, 2));
                i++;
                continue;
            }

            body.Append(pattern[i]);
        }

        var text = hasSpace && hasNonSpace ? @"\s\S" : body.ToString();
        if (!negated && text == @"\S")
        {
            // [\S] alone: everything but ASCII whitespace.
            result.Append($"[^{Whitespace}]");
        }
        else
        {
            var translated = $"[{(negated ? "^" : string.Empty)}{text}]";
            result.Append(hasCategory && !negated ? $"(?:{translated}|{SupplementaryCodePoint})" : translated);
        }

        return i;
    }

    /// <summary>The .NET form of a Java escape that .NET reads differently, else null (copied as written).</summary>
    private static string? Escape(char escaped, bool inClass) => escaped switch
    {
        'd' => inClass ? "0-9" : "[0-9]",
        'w' => inClass ? "a-zA-Z_0-9" : "[a-zA-Z_0-9]",
        's' => inClass ? Whitespace : $"[{Whitespace}]",
        'S' when !inClass => $"[^{Whitespace}]",
        'D' when !inClass => "[^0-9]",
        'W' when !inClass => "[^a-zA-Z_0-9]",
        _ => null,
    };
}
