using System.Globalization;
using System.Text;

namespace ControlPlane.Algorithms.Data;

/// <summary>
/// <c>text/csv</c>: no header, comma-separated numbers, the label first when training (contract 7.1), then the
/// instance weight with XGBoost's <c>csv_weights=1</c>. An empty feature field is a missing value (NaN), as XGBoost
/// reads it; blank lines are skipped.
/// </summary>
internal sealed class CsvRecordReader(Stream stream, string name, RecordLayout layout) : IRecordReader
{
    private readonly LineReader _lines = new(stream);
    private int _columns = -1;

    public bool Read(FeatureRecord record)
    {
        ReadOnlySpan<byte> line;
        do
        {
            if (!_lines.TryReadLine(out line))
            {
                return false;
            }
        }
        while (line.Trim((byte)' ').IsEmpty);

        record.Clear(dense: true);
        record.Position = $"{name} line {_lines.LineNumber}";
        var column = 0;
        var leading = (layout.HasLabel ? 1 : 0) + (layout.CsvWeights ? 1 : 0);
        while (true)
        {
            var comma = line.IndexOf((byte)',');
            var field = comma >= 0 ? line[..comma] : line;
            var value = Parse(field.Trim((byte)' '), column, record, missingAllowed: column >= leading);
            if (layout.HasLabel && column == 0)
            {
                record.Label = value;
                record.HasLabel = true;
            }
            else if (layout.CsvWeights && column == (layout.HasLabel ? 1 : 0))
            {
                record.Weight = value;
                record.HasWeight = true;
            }
            else
            {
                record.Add(value);
            }

            column++;
            if (comma < 0)
            {
                break;
            }

            line = line[(comma + 1)..];
        }

        if (column <= leading)
        {
            throw new AlgorithmException($"{record.Position}: the row has {column} column(s); expected {(layout.HasLabel ? "the label, " : string.Empty)}{(layout.CsvWeights ? "the weight, " : string.Empty)}then at least one feature.");
        }

        if (_columns >= 0 && column != _columns)
        {
            throw new AlgorithmException($"{record.Position}: the row has {column} columns, the rows before it {_columns}.");
        }

        _columns = column;
        return true;
    }

    private static float Parse(ReadOnlySpan<byte> field, int column, FeatureRecord record, bool missingAllowed)
    {
        if (field.IsEmpty && missingAllowed)
        {
            return float.NaN;
        }

        if (float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        throw new AlgorithmException($"{record.Position}: column {column + 1} ('{Encoding.UTF8.GetString(field)}') is not a number.");
    }

    public void Dispose() => _lines.Dispose();
}
