using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Core.Errors;
using ControlPlane.Core.ServiceModel;

namespace ControlPlane.Core.Validation;

/// <summary>
/// Reads a request body against its input shape the way the SageMaker front end does: a member of the wrong JSON type
/// is a SerializationException; every broken constraint (required, length, pattern, enum, range) is collected into one
/// Coral-style ValidationException; members the model does not know are dropped. The bound value keeps only known
/// members, with timestamps normalised to epoch seconds.
/// </summary>
public static class RequestBinder
{
    public static Result<JsonObject> Bind(JsonElement body, Shape inputShape)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return ApiError.Serialization($"Expected a JSON object for {inputShape.Name}, found {Describe(body.ValueKind)}.");
        }

        var violations = new List<string>();
        try
        {
            var bound = BindStructure(body, inputShape, path: null, violations);
            return violations.Count == 0 ? bound : ApiError.Validation(FormatViolations(violations));
        }
        catch (WrongTypeException e)
        {
            return ApiError.Serialization(e.Message);
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json refuses to decode a string holding an unpaired surrogate escape.
            return ApiError.Serialization($"The request contains a string that is not valid UTF-16: {e.Message}");
        }
    }

    /// <summary>"1 validation error detected: ...", "2 validation errors detected: ...; ...".</summary>
    public static string FormatViolations(IReadOnlyCollection<string> violations) =>
        $"{violations.Count} validation error{(violations.Count == 1 ? string.Empty : "s")} detected: {string.Join("; ", violations)}";

    public static string Violation(string? value, string path, string constraint) =>
        $"Value {(value is null ? "null" : $"'{value}'")} at '{path}' failed to satisfy constraint: {constraint}";

    private static JsonObject BindStructure(JsonElement element, Shape shape, string? path, List<string> violations)
    {
        var result = new JsonObject();
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var member = shape.FindMember(property.Name);
            if (member is null || property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var memberPath = path is null ? member.PathName : $"{path}.{member.PathName}";
            result[member.Name] = BindValue(property.Value, member.Shape, memberPath, violations);
            present.Add(member.Name);
        }

        foreach (var member in shape.Members)
        {
            if (shape.Required.Contains(member.Name) && !present.Contains(member.Name))
            {
                violations.Add(Violation(null, path is null ? member.PathName : $"{path}.{member.PathName}", "Member must not be null"));
            }
        }

        return OrderLike(shape, result);
    }

    private static JsonObject OrderLike(Shape shape, JsonObject unordered)
    {
        if (unordered.Count < 2)
        {
            return unordered;
        }

        var ordered = new JsonObject();
        foreach (var member in shape.Members)
        {
            if (unordered.Remove(member.Name, out var value))
            {
                ordered[member.Name] = value;
            }
        }

        return ordered;
    }

    private static JsonNode? BindValue(JsonElement element, Shape shape, string path, List<string> violations)
    {
        switch (shape.Type)
        {
            case ShapeType.Structure:
                Expect(element, JsonValueKind.Object, shape, path);
                return BindStructure(element, shape, path, violations);

            case ShapeType.List:
                {
                    Expect(element, JsonValueKind.Array, shape, path);
                    var array = new JsonArray();
                    var index = 0;
                    foreach (var item in element.EnumerateArray())
                    {
                        index++;
                        array.Add(item.ValueKind == JsonValueKind.Null ? null : BindValue(item, shape.Element!, $"{path}.{index}.member", violations));
                    }

                    CheckLength(index, shape, path, () => Render(element), violations);
                    return array;
                }

            case ShapeType.Map:
                {
                    Expect(element, JsonValueKind.Object, shape, path);
                    var map = new JsonObject();
                    var count = 0;
                    foreach (var entry in element.EnumerateObject())
                    {
                        count++;
                        var keyViolations = StringViolations(entry.Name, shape.Key!);
                        if (keyViolations.Count > 0)
                        {
                            violations.Add(Violation(entry.Name, path, $"Map keys must satisfy constraint: [{string.Join(", ", keyViolations)}]"));
                        }

                        var valueViolations = new List<string>();
                        var value = entry.Value.ValueKind == JsonValueKind.Null ? null : BindValue(entry.Value, shape.Value!, $"{path}.{entry.Name}", valueViolations);
                        if (valueViolations.Count > 0)
                        {
                            violations.AddRange(valueViolations);
                        }

                        map[entry.Name] = value;
                    }

                    CheckLength(count, shape, path, () => Render(element), violations);
                    return map;
                }

            case ShapeType.String:
                {
                    Expect(element, JsonValueKind.String, shape, path);
                    var text = element.GetString()!;
                    foreach (var constraint in StringViolations(text, shape))
                    {
                        violations.Add(Violation(text, path, constraint));
                    }

                    return JsonValue.Create(text);
                }

            case ShapeType.Blob:
                {
                    Expect(element, JsonValueKind.String, shape, path);
                    if (!element.TryGetBytesFromBase64(out var bytes))
                    {
                        throw new WrongTypeException($"Value at '{path}' is not valid base64.");
                    }

                    CheckLength(bytes.Length, shape, path, () => element.GetString()!, violations);
                    return JsonValue.Create(element.GetString());
                }

            case ShapeType.Boolean:
                if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    throw WrongType(element, shape, path);
                }

                return JsonValue.Create(element.GetBoolean());

            case ShapeType.Integer:
                {
                    Expect(element, JsonValueKind.Number, shape, path);
                    if (!element.TryGetInt32(out var number))
                    {
                        throw new WrongTypeException($"Value '{element.GetRawText()}' at '{path}' cannot be converted to an Integer.");
                    }

                    CheckRange(number, shape, path, violations);
                    return JsonValue.Create(number);
                }

            case ShapeType.Long:
                {
                    Expect(element, JsonValueKind.Number, shape, path);
                    if (!element.TryGetInt64(out var number))
                    {
                        throw new WrongTypeException($"Value '{element.GetRawText()}' at '{path}' cannot be converted to a Long.");
                    }

                    CheckRange(number, shape, path, violations);
                    return JsonValue.Create(number);
                }

            case ShapeType.Float:
            case ShapeType.Double:
                {
                    Expect(element, JsonValueKind.Number, shape, path);
                    var number = element.GetDouble();
                    if (!double.IsFinite(number) || (shape.Type == ShapeType.Float && Math.Abs(number) > float.MaxValue))
                    {
                        throw new WrongTypeException($"Value '{element.GetRawText()}' at '{path}' cannot be converted to a {(shape.Type == ShapeType.Float ? "Float" : "Double")}.");
                    }

                    CheckRange(number, shape, path, violations);
                    return JsonValue.Create(number);
                }

            case ShapeType.Timestamp:
                return JsonValue.Create(ReadTimestamp(element, path));

            default:
                throw new InvalidOperationException($"Unhandled shape type {shape.Type}.");
        }
    }

    /// <summary>Epoch seconds from a JSON number (what SDKs send), a numeric string or an ISO-8601 string.</summary>
    private static double ReadTimestamp(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Number when element.TryGetDouble(out var seconds) && double.IsFinite(seconds) && Math.Abs(seconds) < 253402300800:
                return seconds;
            case JsonValueKind.String:
                var text = element.GetString()!;
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed) && Math.Abs(parsed) < 253402300800)
                {
                    return parsed;
                }

                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
                {
                    return instant.ToUnixTimeMilliseconds() / 1000.0;
                }

                break;
        }

        throw new WrongTypeException($"Value '{Truncate(element.GetRawText())}' at '{path}' cannot be converted to a Timestamp.");
    }

    internal static List<string> StringViolations(string text, Shape shape)
    {
        var found = new List<string>(0);
        if (shape.Enum is { } values && !values.Contains(text, StringComparer.Ordinal))
        {
            found.Add($"Member must satisfy enum value set: [{string.Join(", ", values)}]");
        }

        if (!shape.MatchesPattern(text))
        {
            found.Add($"Member must satisfy regular expression pattern: ^{shape.Pattern}");
        }

        if (shape.Min is { } min && text.Length < min)
        {
            found.Add($"Member must have length greater than or equal to {min}");
        }

        if (shape.Max is { } max && text.Length > max)
        {
            found.Add($"Member must have length less than or equal to {max}");
        }

        return found;
    }

    private static void CheckLength(int length, Shape shape, string path, Func<string> render, List<string> violations)
    {
        if (shape.Min is { } min && length < min)
        {
            violations.Add(Violation(render(), path, $"Member must have length greater than or equal to {min}"));
        }

        if (shape.Max is { } max && length > max)
        {
            violations.Add(Violation(render(), path, $"Member must have length less than or equal to {max}"));
        }
    }

    private static void CheckRange(double value, Shape shape, string path, List<string> violations)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        if (shape.Min is { } min && value < min)
        {
            violations.Add(Violation(text, path, $"Member must have value greater than or equal to {min.ToString(CultureInfo.InvariantCulture)}"));
        }

        if (shape.Max is { } max && value > max)
        {
            violations.Add(Violation(text, path, $"Member must have value less than or equal to {max.ToString(CultureInfo.InvariantCulture)}"));
        }
    }

    private static void Expect(JsonElement element, JsonValueKind kind, Shape shape, string path)
    {
        if (element.ValueKind != kind)
        {
            throw WrongType(element, shape, path);
        }
    }

    private static WrongTypeException WrongType(JsonElement element, Shape shape, string path) =>
        new($"Unexpected {Describe(element.ValueKind)} at '{path}': expected {Article(shape.Type)}.");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "start of structure or map",
        JsonValueKind.Array => "start of list",
        JsonValueKind.String => "string value",
        JsonValueKind.Number => "number value",
        JsonValueKind.True or JsonValueKind.False => "boolean value",
        JsonValueKind.Null => "null",
        _ => "value",
    };

    private static string Article(ShapeType type) => type switch
    {
        ShapeType.Structure => "a structure",
        ShapeType.List => "a list",
        ShapeType.Map => "a map",
        ShapeType.String => "a string",
        ShapeType.Integer => "an integer",
        ShapeType.Long => "a long",
        ShapeType.Float => "a float",
        ShapeType.Double => "a double",
        ShapeType.Boolean => "a boolean",
        ShapeType.Timestamp => "a timestamp",
        ShapeType.Blob => "a base64 blob",
        _ => type.ToString(),
    };

    /// <summary>Renders lists and maps as the Java front end prints them: [a, b] and {k=v}.</summary>
    private static string Render(JsonElement element)
    {
        var builder = new StringBuilder();
        Append(builder, element);
        return Truncate(builder.ToString());

        static void Append(StringBuilder builder, JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Array:
                    builder.Append('[');
                    var first = true;
                    foreach (var item in element.EnumerateArray())
                    {
                        builder.Append(first ? string.Empty : ", ");
                        Append(builder, item);
                        first = false;
                    }

                    builder.Append(']');
                    break;
                case JsonValueKind.Object:
                    builder.Append('{');
                    var firstEntry = true;
                    foreach (var property in element.EnumerateObject())
                    {
                        builder.Append(firstEntry ? string.Empty : ", ").Append(property.Name).Append('=');
                        Append(builder, property.Value);
                        firstEntry = false;
                    }

                    builder.Append('}');
                    break;
                case JsonValueKind.String:
                    builder.Append(element.GetString());
                    break;
                default:
                    builder.Append(element.GetRawText());
                    break;
            }
        }
    }

    private static string Truncate(string text) => text.Length <= 1024 ? text : string.Concat(text.AsSpan(0, 1024), "...");

    private sealed class WrongTypeException(string message) : Exception(message);
}
