using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ControlPlane.Orchestration.Transform;

/// <summary>
/// Reads records as JSON for DataProcessing and writes selections back in the record's format. A CSV row becomes a
/// JSON array of its fields' raw text (quotes kept), so a selection writes back exactly the fields it picked.
/// </summary>
internal static class RecordCodec
{
    public static JsonNode? Parse(ReadOnlySpan<byte> record, RecordFormat format) => format switch
    {
        RecordFormat.Csv => new JsonArray([.. SplitCsv(Encoding.UTF8.GetString(record)).Select(field => (JsonNode?)JsonValue.Create(field))]),
        RecordFormat.Json => JsonNode.Parse(record),
        _ => throw new InvalidOperationException("Only CSV and JSON records can be filtered or joined."),
    };

    public static byte[] Write(JsonNode? node, RecordFormat format)
    {
        if (format == RecordFormat.Json) return Encoding.UTF8.GetBytes(node?.ToJsonString() ?? "null");
        var text = node switch
        {
            JsonArray fields => string.Join(',', fields.Select(Field)),
            _ => Field(node),
        };
        return Encoding.UTF8.GetBytes(text);
    }

    /// <summary>Output that is not JSON (a CSV prediction such as <c>0.93</c>, say) joins as a string.</summary>
    public static JsonNode? ParseLenient(ReadOnlySpan<byte> output)
    {
        try
        {
            return JsonNode.Parse(output);
        }
        catch (JsonException)
        {
            return JsonValue.Create(Encoding.UTF8.GetString(output));
        }
    }

    private static string Field(JsonNode? node) => node switch
    {
        null => "",
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    private static List<string> SplitCsv(string row)
    {
        var fields = new List<string>();
        var inQuotes = false;
        var start = 0;
        for (var i = 0; i < row.Length; i++)
        {
            var c = row[i];
            if (c == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (c == ',' && !inQuotes)
            {
                fields.Add(row[start..i]);
                start = i + 1;
            }
        }

        fields.Add(row[start..]);
        return fields;
    }
}
