using System.Text.Json;

namespace ControlPlane.Core.ServiceModel;

/// <summary>
/// The part of botocore's SageMaker model that this service implements (tools/trim-service-model.py writes it).
/// Requests are validated and the OpenAPI document is described from it, so it is the one definition of every shape.
/// </summary>
public sealed class SageMakerServiceModel
{
    private static readonly Lazy<SageMakerServiceModel> Instance = new(Load);

    private SageMakerServiceModel(IReadOnlyDictionary<string, Shape> shapes, IReadOnlyDictionary<string, OperationModel> operations, string targetPrefix, string apiVersion)
    {
        Shapes = shapes;
        Operations = operations;
        TargetPrefix = targetPrefix;
        ApiVersion = apiVersion;
    }

    public static SageMakerServiceModel Current => Instance.Value;

    public IReadOnlyDictionary<string, Shape> Shapes { get; }

    public IReadOnlyDictionary<string, OperationModel> Operations { get; }

    /// <summary>The X-Amz-Target prefix, <c>SageMaker</c>.</summary>
    public string TargetPrefix { get; }

    public string ApiVersion { get; }

    public Shape Shape(string name) => Shapes.TryGetValue(name, out var shape)
        ? shape
        : throw new KeyNotFoundException($"The service model has no shape '{name}'.");

    private static SageMakerServiceModel Load()
    {
        using var stream = typeof(SageMakerServiceModel).Assembly.GetManifestResourceStream("sagemaker-control-plane.json")
            ?? throw new InvalidOperationException("The embedded service model is missing.");
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        var shapeElements = root.GetProperty("shapes");

        var shapes = new Dictionary<string, Shape>(StringComparer.Ordinal);
        foreach (var property in shapeElements.EnumerateObject())
        {
            shapes[property.Name] = new Shape(property.Name, ParseType(property.Value.GetProperty("type").GetString()!));
        }

        foreach (var property in shapeElements.EnumerateObject())
        {
            Populate(shapes[property.Name], property.Value, shapes);
        }

        var operations = new Dictionary<string, OperationModel>(StringComparer.Ordinal);
        foreach (var property in root.GetProperty("operations").EnumerateObject())
        {
            var op = property.Value;
            operations[property.Name] = new OperationModel(
                property.Name,
                op.TryGetProperty("input", out var input) ? shapes[input.GetProperty("shape").GetString()!] : null,
                op.TryGetProperty("output", out var output) ? shapes[output.GetProperty("shape").GetString()!] : null,
                op.TryGetProperty("errors", out var errors)
                    ? errors.EnumerateArray().Select(e => shapes[e.GetProperty("shape").GetString()!]).ToArray()
                    : [],
                op.TryGetProperty("documentation", out var doc) ? doc.GetString() : null);
        }

        var metadata = root.GetProperty("metadata");
        return new SageMakerServiceModel(shapes, operations, metadata.GetProperty("targetPrefix").GetString()!, metadata.GetProperty("apiVersion").GetString()!);
    }

    private static void Populate(Shape shape, JsonElement element, Dictionary<string, Shape> shapes)
    {
        Shape Ref(JsonElement reference) => shapes[reference.GetProperty("shape").GetString()!];

        if (element.TryGetProperty("documentation", out var documentation))
        {
            shape.Documentation = documentation.GetString();
        }

        if (element.TryGetProperty("members", out var members))
        {
            shape.Members = members.EnumerateObject()
                .Select(m => new Member(m.Name, Ref(m.Value), m.Value.TryGetProperty("documentation", out var d) ? d.GetString() : null))
                .ToArray();
        }

        if (element.TryGetProperty("required", out var required))
        {
            shape.Required = required.EnumerateArray().Select(r => r.GetString()!).ToHashSet(StringComparer.Ordinal);
        }

        if (element.TryGetProperty("member", out var listMember))
        {
            shape.Element = Ref(listMember);
        }

        if (element.TryGetProperty("key", out var key))
        {
            shape.Key = Ref(key);
        }

        if (element.TryGetProperty("value", out var value))
        {
            shape.Value = Ref(value);
        }

        if (element.TryGetProperty("min", out var min))
        {
            shape.Min = min.GetDouble();
        }

        if (element.TryGetProperty("max", out var max))
        {
            shape.Max = max.GetDouble();
        }

        if (element.TryGetProperty("enum", out var enumValues))
        {
            shape.Enum = enumValues.EnumerateArray().Select(v => v.GetString()!).ToArray();
        }

        if (element.TryGetProperty("pattern", out var pattern))
        {
            shape.Pattern = pattern.GetString()!;
            shape.PatternRegex = JavaPattern.CompileFullMatch(shape.Pattern);
        }

        shape.IsException = element.TryGetProperty("exception", out var exception) && exception.GetBoolean();
    }

    private static ShapeType ParseType(string type) => type switch
    {
        "structure" => ShapeType.Structure,
        "list" => ShapeType.List,
        "map" => ShapeType.Map,
        "string" => ShapeType.String,
        "integer" => ShapeType.Integer,
        "long" => ShapeType.Long,
        "float" => ShapeType.Float,
        "double" => ShapeType.Double,
        "boolean" => ShapeType.Boolean,
        "timestamp" => ShapeType.Timestamp,
        "blob" => ShapeType.Blob,
        _ => throw new InvalidOperationException($"Unknown shape type '{type}'."),
    };
}
