using System.Text.Encodings.Web;
using System.Text.Json;

namespace ControlPlane.Core.Documents;

/// <summary>How the service writes JSON: compact, and without escaping characters that JSON does not require escaped.</summary>
public static class JsonDefaults
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };
}
