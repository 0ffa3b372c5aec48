using System.Globalization;
using System.Text;

namespace ControlPlane.Algorithms.Data;

/// <summary>
/// <c>text/libsvm</c>: <c>&lt;label&gt;[:&lt;weight&gt;] &lt;index&gt;:&lt;value&gt; ...</c> with zero-based indices in ascending
/// order (contract 7.1); inference rows may omit the label. Everything after <c>#</c> is a comment; blank lines are skipped.
/// </summary>
internal sealed class LibSvmRecordReader(Stream stream, string name, RecordLayout layout) : IRecordReader
{
    private readonly LineReader _lines = new(stream);

    public bool Read(FeatureRecord record)
    {
        ReadOnlySpan<byte> line;
        do
        {
            if (!_lines.TryReadLine(out line))
            {
                return false;
            }

            var comment = line.IndexOf((byte)'#');
            if (comment >= 0)
            {
                line = line[..comment];
            }
        }
        while (line.Trim(" \t"u8).IsEmpty);

        record.Clear(dense: false);
        record.Position = $"{name} line {_lines.LineNumber}";
        var first = true;
        while (NextToken(ref line, out var token))
        {
            var colon = token.IndexOf((byte)':');
            if (first && layout.HasLabel)
            {
                first = false;
                record.Label = Number(colon >= 0 ? token[..colon] : token, "label", record);
                record.HasLabel = true;
                if (colon >= 0)
                {
                    record.Weight = Number(token[(colon + 1)..], "weight", record);
                    record.HasWeight = true;
                }

                continue;
            }

            // An inference row may start with a label anyway: a first token without ':' is taken as one and dropped.
            if (first && colon < 0)
            {
                first = false;
                continue;
            }

            first = false;
            if (colon <= 0)
            {
                throw new AlgorithmException($"{record.Position}: '{Encoding.UTF8.GetString(token)}' is not <index>:<value>.");
            }

            var indexText = token[..colon];
            if (indexText.SequenceEqual("qid"u8))
            {
                throw new AlgorithmException($"{record.Position}: qid (ranking groups) is not supported.");
            }

            if (!int.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                throw new AlgorithmException($"{record.Position}: feature index '{Encoding.UTF8.GetString(indexText)}' is not a non-negative integer.");
            }

            if (record.Count > 0 && index <= record.Indices[record.Count - 1])
            {
                throw new AlgorithmException($"{record.Position}: feature index {index} does not come after {record.Indices[record.Count - 1]}; indices must be ascending.");
            }

            record.Add(index, Number(token[(colon + 1)..], $"the value of feature {index}", record));
        }

        if (layout.HasLabel && !record.HasLabel)
        {
            throw new AlgorithmException($"{record.Position}: the row has no label.");
        }

        return true;
    }

    private static bool NextToken(ref ReadOnlySpan<byte> line, out ReadOnlySpan<byte> token)
    {
        line = line.TrimStart(" \t"u8);
        if (line.IsEmpty)
        {
            token = default;
            return false;
        }

        var end = line.IndexOfAny(" \t"u8);
        token = end >= 0 ? line[..end] : line;
        line = end >= 0 ? line[end..] : default;
        return true;
    }

    private static float Number(ReadOnlySpan<byte> text, string what, FeatureRecord record) =>
        float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new AlgorithmException($"{record.Position}: {what} '{Encoding.UTF8.GetString(text)}' is not a number.");

    public void Dispose() => _lines.Dispose();
}
