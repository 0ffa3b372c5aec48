using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ControlPlane.Core.Documents;

namespace ControlPlane.Orchestration.Training;

/// <summary>
/// MetricDefinitions applied to the container's log lines (contract section 6): the first capture group of each match
/// is a sample, and FinalMetricDataList holds each metric's last sample. Lines are matched as CloudWatch shows them, with
/// control characters escaped as '#' and three octal digits (a tab is "#011"), so SageMaker's built-in regexes work.
/// A built-in algorithm's job without definitions of its own gets the algorithm's.
/// </summary>
internal sealed class MetricCollector
{
    private readonly List<(string Name, Regex Pattern)> _definitions;
    private readonly Dictionary<string, (double Value, DateTimeOffset At)> _last = new(StringComparer.Ordinal);

    public MetricCollector(JsonObject job)
    {
        _definitions = [];
        foreach (var definition in BuiltInAlgorithms.BuiltInMetricDefinitions.For(job).Objects())
        {
            try
            {
                _definitions.Add((definition.GetString("Name")!, new Regex(definition.GetString("Regex")!, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100))));
            }
            catch (ArgumentException)
            {
                // SageMaker rejects such a regex at creation; a definition that does not compile here collects nothing.
            }
        }
    }

    public bool HasDefinitions => _definitions.Count > 0;

    public void Observe(string line, DateTimeOffset at)
    {
        if (_definitions.Count == 0)
        {
            return;
        }

        var escaped = EscapeControlCharacters(line);
        foreach (var (name, pattern) in _definitions)
        {
            try
            {
                var match = pattern.Match(escaped);
                if (match.Success && match.Groups.Count > 1
                    && double.TryParse(match.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                    && double.IsFinite(value))
                {
                    _last[name] = (value, at);
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // A pathological user regex must not stall the job.
            }
        }
    }

    public JsonArray FinalMetricDataList() => new(_last
        .OrderBy(m => m.Key, StringComparer.Ordinal)
        .Take(40)
        .Select(m => (JsonNode)new JsonObject
        {
            ["MetricName"] = m.Key,
            ["Value"] = (double)(float)m.Value.Value,
            ["Timestamp"] = Timestamps.ToEpochSeconds(m.Value.At),
        })
        .ToArray());

    internal static string EscapeControlCharacters(string line)
    {
        if (!line.Any(char.IsControl))
        {
            return line;
        }

        var builder = new StringBuilder(line.Length + 16);
        foreach (var c in line)
        {
            if (char.IsControl(c) && c < 128)
            {
                builder.Append('#').Append(Convert.ToString(c, 8).PadLeft(3, '0'));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
