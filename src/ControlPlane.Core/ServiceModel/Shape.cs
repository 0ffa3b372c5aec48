using System.Text.RegularExpressions;

namespace ControlPlane.Core.ServiceModel;

/// <summary>The wire types of botocore's service model.</summary>
public enum ShapeType
{
    Structure,
    List,
    Map,
    String,
    Integer,
    Long,
    Float,
    Double,
    Boolean,
    Timestamp,
    Blob,
}

/// <summary>One shape of the service model with its constraints, exactly as botocore ships it.</summary>
public sealed class Shape
{
    private IReadOnlyList<Member> _members = [];
    private Dictionary<string, Member> _membersByName = new(StringComparer.Ordinal);

    internal Shape(string name, ShapeType type)
    {
        Name = name;
        Type = type;
    }

    public string Name { get; }

    public ShapeType Type { get; }

    public string? Documentation { get; internal set; }

    /// <summary>Structure members in the model's order.</summary>
    public IReadOnlyList<Member> Members
    {
        get => _members;
        internal set
        {
            _members = value;
            _membersByName = value.ToDictionary(m => m.Name, StringComparer.Ordinal);
        }
    }

    public IReadOnlySet<string> Required { get; internal set; } = new HashSet<string>();

    /// <summary>The element shape of a list.</summary>
    public Shape? Element { get; internal set; }

    public Shape? Key { get; internal set; }

    public Shape? Value { get; internal set; }

    /// <summary>Minimum length (strings, lists, maps) or value (numbers).</summary>
    public double? Min { get; internal set; }

    /// <summary>Maximum length (strings, lists, maps) or value (numbers).</summary>
    public double? Max { get; internal set; }

    /// <summary>The pattern as the model writes it (unanchored; applied as a full match).</summary>
    public string? Pattern { get; internal set; }

    internal Regex? PatternRegex { get; set; }

    public IReadOnlyList<string>? Enum { get; internal set; }

    public bool IsException { get; internal set; }

    public Member? FindMember(string name) => _membersByName.GetValueOrDefault(name);

    public bool MatchesPattern(string value) => PatternRegex is null || PatternRegex.IsMatch(value);

    public override string ToString() => $"{Name} ({Type})";
}

/// <summary>A member of a structure shape.</summary>
public sealed class Member
{
    internal Member(string name, Shape shape, string? documentation)
    {
        Name = name;
        Shape = shape;
        Documentation = documentation;
        PathName = char.ToLowerInvariant(name[0]) + name[1..];
    }

    public string Name { get; }

    public Shape Shape { get; }

    public string? Documentation { get; }

    /// <summary>The member's name in validation messages: lower-case first letter, as AWS prints it.</summary>
    public string PathName { get; }
}

/// <summary>An operation of the service model.</summary>
public sealed record OperationModel(string Name, Shape? Input, Shape? Output, IReadOnlyList<Shape> Errors, string? Documentation);
