using System.Text.Json;
using ControlPlane.Algorithms.Data;

namespace ControlPlane.Algorithms.Serving;

/// <summary>
/// An <c>/invocations</c> body as dense feature rows (contract 7.1): CSV and libsvm rows, RecordIO-protobuf records,
/// JSON <c>{"instances":[...]}</c> and JSON Lines instances, each instance <c>{"features":[...]}</c> or
/// <c>{"data":{"features":{"values":[...], "keys":[...], "shape":[n]}}}</c>. A malformed payload throws
/// <see cref="AlgorithmException"/> saying where.
/// </summary>
internal static class PayloadReader
{
    public const string Json = "application/json";
    public const string JsonLines = "application/jsonlines";

    public static List<float[]> Read(string mediaType, byte[] body, int featureCount)
    {
        var rows = new List<float[]>();
        var record = new FeatureRecord();
        void Add()
        {
            if (record.Dimension > featureCount || (record.IsDense && record.Count != featureCount))
            {
                throw new AlgorithmException(record.IsDense
                    ? $"{record.Position}: {record.Count} features, the model takes {featureCount}."
                    : $"{record.Position}: feature index {record.Dimension - 1} is beyond the model's {featureCount} features.");
            }

            var row = new float[featureCount];
            record.CopyTo(row);
            rows.Add(row);
        }

        if (DataFormats.Parse(mediaType) is { } format)
        {
            using var reader = RecordReaders.Open(format, new MemoryStream(body, writable: false), "payload", RecordLayout.Inference);
            while (reader.Read(record))
            {
                Add();
            }
        }
        else if (mediaType == Json)
        {
            ReadJson(body, record, Add);
        }
        else if (mediaType == JsonLines)
        {
            ReadJsonLines(body, record, Add);
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(mediaType), mediaType, "not a payload type");
        }

        return rows.Count > 0 ? rows : throw new AlgorithmException("The payload holds no records.");
    }

    private static void ReadJson(byte[] body, FeatureRecord record, Action add)
    {
        using var document = Parse(body, "payload");
        if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("instances", out var instances) || instances.ValueKind != JsonValueKind.Array)
        {
            throw new AlgorithmException("payload: a JSON request is {\"instances\": [{\"features\": [...]}, ...]}.");
        }

        var index = 0;
        foreach (var instance in instances.EnumerateArray())
        {
            record.Position = $"payload instance {index++}";
            ReadInstance(instance, record);
            add();
        }
    }

    private static void ReadJsonLines(byte[] body, FeatureRecord record, Action add)
    {
        var lineNumber = 0;
        foreach (var line in Lines(body))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var position = $"payload line {lineNumber}";
            using var document = Parse(System.Text.Encoding.UTF8.GetBytes(line), position);
            record.Position = position;
            ReadInstance(document.RootElement, record);
            add();
        }
    }

    private static JsonDocument Parse(byte[] json, string position)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new AlgorithmException($"{position}: not valid JSON ({e.Message}).");
        }
    }

    private static void ReadInstance(JsonElement instance, FeatureRecord record)
    {
        var position = record.Position;
        if (instance.ValueKind == JsonValueKind.Object && instance.TryGetProperty("features", out var dense) && dense.ValueKind == JsonValueKind.Array)
        {
            RecordIoProtobufReader.Load(record, new RecordTensor(Numbers(dense, position), null, []));
        }
        else if (instance.ValueKind == JsonValueKind.Object && instance.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty("features", out var tensor) && tensor.ValueKind == JsonValueKind.Object
            && tensor.TryGetProperty("values", out var values) && values.ValueKind == JsonValueKind.Array)
        {
            List<long>? keys = tensor.TryGetProperty("keys", out var k) ? [.. Numbers(k, position).Select(key => (long)key)] : null;
            List<long> shape = tensor.TryGetProperty("shape", out var s) ? [.. Numbers(s, position).Select(size => (long)size)] : [];
            RecordIoProtobufReader.Load(record, new RecordTensor(Numbers(values, position), keys, shape));
        }
        else
        {
            throw new AlgorithmException($"{position}: an instance is {{\"features\": [...]}} or {{\"data\": {{\"features\": {{\"values\": [...]}}}}}}.");
        }

        record.Position = position;
    }

    private static List<float> Numbers(JsonElement array, string position)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new AlgorithmException($"{position}: expected an array of numbers, got {array.ValueKind}.");
        }

        var numbers = new List<float>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            numbers.Add(item.ValueKind == JsonValueKind.Number && item.TryGetSingle(out var value)
                ? value
                : throw new AlgorithmException($"{position}: '{item.GetRawText()}' is not a number."));
        }

        return numbers;
    }

    private static IEnumerable<string> Lines(byte[] body)
    {
        using var reader = new StreamReader(new MemoryStream(body, writable: false));
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }
}
