using System.Text.Json.Nodes;
using ControlPlane.Core.ServiceModel;

namespace ControlPlane.Core.Documents;

/// <summary>
/// Copies a document onto another shape: the members the target shape knows, recursively, and nothing else. A
/// Describe response echoes its Create request this way, and list summaries are projections of stored documents.
/// </summary>
public static class ShapeProjection
{
    public static JsonObject Project(JsonObject source, Shape target, params string[] excluded)
    {
        var result = new JsonObject();
        foreach (var member in target.Members)
        {
            if (excluded.Contains(member.Name) || !source.TryGetPropertyValue(member.Name, out var value) || value is null)
            {
                continue;
            }

            result[member.Name] = ProjectValue(value, member.Shape);
        }

        return result;
    }

    private static JsonNode? ProjectValue(JsonNode value, Shape target) => (target.Type, value) switch
    {
        (ShapeType.Structure, JsonObject obj) => Project(obj, target),
        (ShapeType.List, JsonArray array) => new JsonArray(array.Select(item => item is null ? null : ProjectValue(item, target.Element!)).ToArray()),
        (ShapeType.Map, JsonObject map) => new JsonObject(map.Select(entry => KeyValuePair.Create(entry.Key, entry.Value is null ? null : ProjectValue(entry.Value, target.Value!)))),
        _ => value.DeepClone(),
    };
}
