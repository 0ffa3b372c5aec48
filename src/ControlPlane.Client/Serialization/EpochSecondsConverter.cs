using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ControlPlane.Client.Serialization;

/// <summary>
/// Timestamps as the JSON 1.1 protocol sends them: a number of seconds since the epoch, with a millisecond fraction
/// (contract §1.3). Values read are UTC <see cref="DateTime"/>s, as the AWS SDK for .NET gives them.
/// </summary>
internal sealed class EpochSecondsConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var seconds = reader.TokenType switch
        {
            JsonTokenType.Number => reader.GetDouble(),
            // Some services send numeric strings; accepting them costs nothing.
            JsonTokenType.String when double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => throw new JsonException($"A timestamp must be a number of epoch seconds, not {reader.TokenType}."),
        };
        return DateTime.UnixEpoch.AddMilliseconds(Math.Round(seconds * 1000));
    }

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
    {
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        writer.WriteNumberValue(Math.Round((decimal)(utc - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerSecond, 3));
    }
}
