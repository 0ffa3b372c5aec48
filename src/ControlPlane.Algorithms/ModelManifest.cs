using System.Text.Json;
using System.Text.Json.Serialization;

namespace ControlPlane.Algorithms;

/// <summary>
/// <c>controlplane-model.json</c> beside the algorithm's own files in model.tar.gz: which algorithm wrote the model and
/// for how many features, so <c>serve</c> needs nothing but the unpacked artifact.
/// </summary>
internal sealed record ModelManifest(
    [property: JsonPropertyName("algorithm")] string Algorithm,
    [property: JsonPropertyName("feature_count")] int FeatureCount,
    [property: JsonPropertyName("format_version")] int FormatVersion)
{
    public const string FileName = "controlplane-model.json";
    public const int CurrentFormat = 1;

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public void Write(string modelDirectory) => File.WriteAllText(Path.Combine(modelDirectory, FileName), JsonSerializer.Serialize(this, Options));

    public static ModelManifest? Read(string modelDirectory)
    {
        var path = Path.Combine(modelDirectory, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(path), Options) : null;
    }
}
