using System.Text.Json.Serialization;

namespace ControlPlane.Client.Serialization;

/// <summary>
/// Source-generated serialization of every request and response (the shapes are listed in ClientJsonContext.g.cs):
/// unset members are left out as the SDKs do, timestamps travel as epoch seconds, unknown members are ignored.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(EpochSecondsConverter)])]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
