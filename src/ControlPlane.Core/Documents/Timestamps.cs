namespace ControlPlane.Core.Documents;

/// <summary>Timestamps as the JSON 1.1 protocol writes them: epoch seconds with millisecond fractions.</summary>
public static class Timestamps
{
    public static double ToEpochSeconds(DateTimeOffset instant) => instant.ToUnixTimeMilliseconds() / 1000.0;

    public static long ToEpochMilliseconds(double epochSeconds) => (long)Math.Round(epochSeconds * 1000.0);

    public static DateTimeOffset FromEpochSeconds(double epochSeconds) => DateTimeOffset.FromUnixTimeMilliseconds(ToEpochMilliseconds(epochSeconds));
}
