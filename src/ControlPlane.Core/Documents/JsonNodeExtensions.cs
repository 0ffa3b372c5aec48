using System.Text.Json.Nodes;

namespace ControlPlane.Core.Documents;

/// <summary>Small readers for the JSON documents resources are kept as.</summary>
public static class JsonNodeExtensions
{
    public static string? GetString(this JsonObject node, string member) =>
        node.TryGetPropertyValue(member, out var value) && value is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;

    public static int? GetInt(this JsonObject node, string member) =>
        node.TryGetPropertyValue(member, out var value) && value is JsonValue v && v.TryGetValue<int>(out var number) ? number : null;

    public static double? GetDouble(this JsonObject node, string member) =>
        node.TryGetPropertyValue(member, out var value) && value is JsonValue v ? v.GetValue<double>() : null;

    public static bool? GetBool(this JsonObject node, string member) =>
        node.TryGetPropertyValue(member, out var value) && value is JsonValue v && v.TryGetValue<bool>(out var flag) ? flag : null;

    public static JsonObject? GetObject(this JsonObject node, string member) =>
        node.TryGetPropertyValue(member, out var value) ? value as JsonObject : null;

    public static JsonArray? GetArray(this JsonObject node, string member) =>
        node.TryGetPropertyValue(member, out var value) ? value as JsonArray : null;

    public static IEnumerable<JsonObject> Objects(this JsonArray? array) => array?.OfType<JsonObject>() ?? [];

    /// <summary>Sets <paramref name="member"/> when the document does not have it yet.</summary>
    public static JsonObject Default(this JsonObject node, string member, JsonNode? value)
    {
        if (!node.ContainsKey(member))
        {
            node[member] = value;
        }

        return node;
    }

    /// <summary>The object at <paramref name="member"/>, created when absent.</summary>
    public static JsonObject Ensure(this JsonObject node, string member)
    {
        if (node.GetObject(member) is { } existing)
        {
            return existing;
        }

        var created = new JsonObject();
        node[member] = created;
        return created;
    }
}
