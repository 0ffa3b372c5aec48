using System.Text;

namespace ControlPlane.Orchestration.Runtimes;

/// <summary>
/// Turns chunks of UTF-8 output into lines. One per output stream: chunks cut a multi-byte character or a line
/// anywhere, and stdout and stderr must not be glued together.
/// </summary>
internal sealed class LineAssembler
{
    private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();
    private readonly StringBuilder _partial = new();
    private char[] _chars = new char[4096];

    /// <summary>Adds a chunk and appends the lines it completed (without their line ending) to <paramref name="lines"/>.</summary>
    public void Add(ReadOnlySpan<byte> chunk, List<string> lines)
    {
        var needed = _decoder.GetCharCount(chunk, flush: false);
        if (needed > _chars.Length)
        {
            _chars = new char[needed];
        }

        var count = _decoder.GetChars(chunk, _chars, flush: false);
        var start = 0;
        for (var i = 0; i < count; i++)
        {
            if (_chars[i] != '\n')
            {
                continue;
            }

            _partial.Append(_chars, start, i - start);
            lines.Add(TrimCarriageReturn(_partial.ToString()));
            _partial.Clear();
            start = i + 1;
        }

        _partial.Append(_chars, start, count - start);
    }

    /// <summary>At the end of the output: the last line if it had no line ending.</summary>
    public string? Flush()
    {
        if (_partial.Length == 0)
        {
            return null;
        }

        var line = TrimCarriageReturn(_partial.ToString());
        _partial.Clear();
        return line;
    }

    private static string TrimCarriageReturn(string line) => line.EndsWith('\r') ? line[..^1] : line;
}
