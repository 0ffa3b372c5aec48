namespace ControlPlane.Orchestration.Storage;

/// <summary>
/// Orders keys as S3 lists them: by their UTF-8 bytes, which is code point order. Plain ordinal comparison of UTF-16
/// differs for characters above U+E000, which sort after surrogate pairs in UTF-16 but before them in UTF-8.
/// </summary>
internal sealed class Utf8Ordinal : IComparer<string>
{
    public static readonly Utf8Ordinal Comparer = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            if (x[i] != y[i])
            {
                return CodePointRank(x[i]) - CodePointRank(y[i]);
            }
        }

        return x.Length - y.Length;
    }

    // Moves surrogates above U+E000..U+FFFF so that UTF-16 code units compare in code point order.
    private static int CodePointRank(char c) => c >= '\uE000' ? c - 0x800 : char.IsSurrogate(c) ? c + 0x2000 : c;
}
