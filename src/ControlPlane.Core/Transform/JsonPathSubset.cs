using System.Globalization;
using System.Text.Json.Nodes;
using ControlPlane.Core.Errors;

namespace ControlPlane.Core.Transform;

/// <summary>
/// The JSONPath subset batch transform's DataProcessing filters accept (contract §5.3): <c>$</c>, <c>.name</c>,
/// <c>.*</c>/<c>[*]</c>, <c>['a','b']</c>, <c>[n,m]</c> (negative from the end) and <c>[start:end]</c>, mixed in one
/// bracket as in <c>$[0,5:]</c>. A segment that selects one member yields that member; one that selects several
/// yields an array (from an array) or an object keeping the selected names (from an object), as SageMaker's
/// <c>$['id','SageMakerOutput']</c> keeps both attributes.
/// </summary>
public sealed class JsonPathSubset
{
    private readonly IReadOnlyList<Segment> _segments;

    private JsonPathSubset(string text, IReadOnlyList<Segment> segments)
    {
        Text = text;
        _segments = segments;
    }

    public string Text { get; }

    /// <summary>True for <c>$</c>: the whole record, so no parsing is needed.</summary>
    public bool IsIdentity => _segments.Count == 0;

    public static Result<JsonPathSubset> Parse(string text)
    {
        if (!text.StartsWith('$'))
        {
            return Invalid(text, "it must start with '$'");
        }

        var segments = new List<Segment>();
        var position = 1;
        while (position < text.Length)
        {
            if (text[position] == '.')
            {
                var start = ++position;
                while (position < text.Length && text[position] is not ('.' or '[')) position++;
                var name = text[start..position];
                if (name.Length == 0) return Invalid(text, "a '.' must be followed by a name or '*'");
                segments.Add(name == "*" ? new Segment([new Selector.All()], Single: false) : new Segment([new Selector.Name(name)], Single: true));
            }
            else if (text[position] == '[')
            {
                var end = FindClosingBracket(text, position);
                if (end < 0) return Invalid(text, "a '[' is not closed");
                var parsed = ParseBracket(text[(position + 1)..end]);
                if (parsed is null) return Invalid(text, $"'{text[position..(end + 1)]}' is not a supported selection");
                segments.Add(parsed);
                position = end + 1;
            }
            else
            {
                return Invalid(text, $"unexpected '{text[position]}' at position {position}");
            }
        }

        return new JsonPathSubset(text, segments);
    }

    /// <summary>The selection, or null when the record has no such member (SageMaker fails the record then).</summary>
    public JsonNode? Select(JsonNode? node)
    {
        foreach (var segment in _segments)
        {
            node = segment.Apply(node);
            if (node is null) return null;
        }

        return node;
    }

    private static ApiError Invalid(string text, string why) =>
        ApiError.Validation($"The JSONPath expression '{text}' is not supported: {why}. Supported: $, .name, .*, ['a','b'], [n,m], [start:end].");

    private static int FindClosingBracket(string text, int open)
    {
        char? quote = null;
        for (var i = open + 1; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is { } q)
            {
                if (c == q) quote = null;
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == ']')
            {
                return i;
            }
        }

        return -1;
    }

    private static Segment? ParseBracket(string body)
    {
        var parts = SplitOutsideQuotes(body.Trim());
        if (parts.Count == 0) return null;
        var selectors = new List<Selector>(parts.Count);
        foreach (var raw in parts)
        {
            var part = raw.Trim();
            if (part == "*")
            {
                selectors.Add(new Selector.All());
            }
            else if (part.Length >= 2 && part[0] is '\'' or '"' && part[^1] == part[0])
            {
                selectors.Add(new Selector.Name(part[1..^1]));
            }
            else if (part.Contains(':', StringComparison.Ordinal))
            {
                var bounds = part.Split(':');
                if (bounds.Length != 2 || !TryInt(bounds[0], out var from) || !TryInt(bounds[1], out var to)) return null;
                selectors.Add(new Selector.Slice(from, to));
            }
            else if (int.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
            {
                selectors.Add(new Selector.Index(index));
            }
            else
            {
                return null;
            }
        }

        var single = selectors is [Selector.Name or Selector.Index];
        return new Segment(selectors, single);
    }

    private static bool TryInt(string text, out int? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        if (!int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)) return false;
        value = parsed;
        return true;
    }

    private static List<string> SplitOutsideQuotes(string body)
    {
        var parts = new List<string>();
        char? quote = null;
        var start = 0;
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (quote is { } q)
            {
                if (c == q) quote = null;
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == ',')
            {
                parts.Add(body[start..i]);
                start = i + 1;
            }
        }

        if (body.Length > 0) parts.Add(body[start..]);
        return parts;
    }

    private sealed record Segment(IReadOnlyList<Selector> Selectors, bool Single)
    {
        public JsonNode? Apply(JsonNode? node)
        {
            if (Single)
            {
                return Selectors[0].Pick(node).FirstOrDefault() is { } only ? Detach(only) : null;
            }

            if (node is JsonObject && Selectors.All(selector => selector is Selector.Name))
            {
                var kept = new JsonObject();
                foreach (var name in Selectors.Cast<Selector.Name>())
                {
                    if (node[name.Value] is var value && ((JsonObject)node).ContainsKey(name.Value))
                    {
                        kept[name.Value] = Detach(value);
                    }
                }

                return kept;
            }

            var selected = new JsonArray();
            foreach (var selector in Selectors)
            {
                foreach (var value in selector.Pick(node))
                {
                    selected.Add(Detach(value));
                }
            }

            return selected;
        }

        private static JsonNode? Detach(JsonNode? value) => value?.DeepClone();
    }

    private abstract record Selector
    {
        public abstract IEnumerable<JsonNode?> Pick(JsonNode? node);

        public sealed record Name(string Value) : Selector
        {
            public override IEnumerable<JsonNode?> Pick(JsonNode? node) =>
                node is JsonObject obj && obj.TryGetPropertyValue(Value, out var value) ? [value] : [];
        }

        public sealed record Index(int Value) : Selector
        {
            public override IEnumerable<JsonNode?> Pick(JsonNode? node)
            {
                if (node is not JsonArray array) return [];
                var index = Value < 0 ? array.Count + Value : Value;
                return index >= 0 && index < array.Count ? [array[index]] : [];
            }
        }

        public sealed record Slice(int? From, int? To) : Selector
        {
            public override IEnumerable<JsonNode?> Pick(JsonNode? node)
            {
                if (node is not JsonArray array) return [];
                var from = Clamp(From ?? 0, array.Count);
                var to = Clamp(To ?? array.Count, array.Count);
                return Enumerable.Range(from, Math.Max(0, to - from)).Select(i => array[i]);
            }

            private static int Clamp(int bound, int count) => Math.Clamp(bound < 0 ? count + bound : bound, 0, count);
        }

        public sealed record All : Selector
        {
            public override IEnumerable<JsonNode?> Pick(JsonNode? node) => node switch
            {
                JsonArray array => array,
                JsonObject obj => obj.Select(pair => pair.Value),
                _ => [],
            };
        }
    }
}
