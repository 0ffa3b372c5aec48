using System.Globalization;

namespace ControlPlane.Algorithms;

/// <summary>
/// Hyperparameters as SageMaker passes them (<c>hyperparameters.json</c>: every value a string), read with typed
/// accessors that throw <see cref="AlgorithmException"/> with the name, the value and what was expected.
/// </summary>
internal sealed class Hyperparameters(IReadOnlyDictionary<string, string> values)
{
    public IReadOnlyDictionary<string, string> Values { get; } = values;

    /// <summary>Fails on the first name (in ordinal order) that is not in <paramref name="known"/>.</summary>
    public void RejectUnknown(IReadOnlySet<string> known)
    {
        var unknown = Values.Keys.Where(name => !known.Contains(name)).Order(StringComparer.Ordinal).FirstOrDefault();
        if (unknown is not null)
        {
            throw new AlgorithmException(
                $"Hyperparameter '{unknown}' is not supported. Supported hyperparameters: {string.Join(", ", known.Order(StringComparer.Ordinal))}");
        }
    }

    public bool IsSet(string name) => Values.ContainsKey(name);

    /// <summary>True when absent or set to <c>auto</c>.</summary>
    public bool IsAuto(string name) =>
        !Values.TryGetValue(name, out var value) || string.Equals(value.Trim(), "auto", StringComparison.OrdinalIgnoreCase);

    public string Require(string name) =>
        Values.TryGetValue(name, out var value) ? value : throw new AlgorithmException($"Missing required hyperparameter '{name}'.");

    public int GetInt(string name, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
    {
        if (!Values.TryGetValue(name, out var text)) return defaultValue;
        // SageMaker's SDK sends integers that passed through Python floats ("10.0"); a whole number is accepted.
        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            || number != Math.Floor(number) || number < int.MinValue || number > int.MaxValue)
        {
            throw new AlgorithmException($"Hyperparameter '{name}' must be an integer, got '{text}'.");
        }
        var value = (int)number;
        if (value < min || value > max) throw OutOfRange(name, text, min.ToString(CultureInfo.InvariantCulture), max.ToString(CultureInfo.InvariantCulture), true, true);
        return value;
    }

    /// <summary>A float in the range; <paramref name="minInclusive"/>/<paramref name="maxInclusive"/> say whether the ends are allowed.</summary>
    public double GetDouble(string name, double defaultValue, double min = double.NegativeInfinity, double max = double.PositiveInfinity,
        bool minInclusive = true, bool maxInclusive = true)
    {
        if (!Values.TryGetValue(name, out var text)) return defaultValue;
        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new AlgorithmException($"Hyperparameter '{name}' must be a number, got '{text}'.");
        }
        var belowMin = minInclusive ? value < min : value <= min;
        var aboveMax = maxInclusive ? value > max : value >= max;
        if (belowMin || aboveMax)
        {
            throw OutOfRange(name, text, min.ToString(CultureInfo.InvariantCulture), max.ToString(CultureInfo.InvariantCulture), minInclusive, maxInclusive);
        }
        return value;
    }

    /// <summary><c>true</c>/<c>false</c> in any case (also <c>1</c>/<c>0</c>).</summary>
    public bool GetBool(string name, bool defaultValue)
    {
        if (!Values.TryGetValue(name, out var text)) return defaultValue;
        return text.Trim().ToLowerInvariant() switch
        {
            "true" or "1" => true,
            "false" or "0" => false,
            _ => throw new AlgorithmException($"Hyperparameter '{name}' must be 'true' or 'false', got '{text}'."),
        };
    }

    /// <summary>One of <paramref name="allowed"/> (exact, case-sensitive, as SageMaker compares).</summary>
    public string GetChoice(string name, string defaultValue, params string[] allowed)
    {
        if (!Values.TryGetValue(name, out var text)) return defaultValue;
        var value = text.Trim();
        if (!allowed.Contains(value, StringComparer.Ordinal))
        {
            throw new AlgorithmException($"Hyperparameter '{name}' must be one of {string.Join(", ", allowed)}, got '{text}'.");
        }
        return value;
    }

    private static AlgorithmException OutOfRange(string name, string text, string min, string max, bool minInclusive, bool maxInclusive)
    {
        var low = min is "-∞" or "-2147483648" ? "(-inf" : (minInclusive ? "[" : "(") + min;
        var high = max is "∞" or "2147483647" ? "inf)" : max + (maxInclusive ? "]" : ")");
        return new AlgorithmException($"Hyperparameter '{name}' must be in {low}, {high}, got '{text}'.");
    }
}
