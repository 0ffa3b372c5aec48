using ControlPlane.Core.Resources;

namespace ControlPlane.Application.Persistence;

/// <summary>
/// One SageMaker resource. The document is its Describe response, the whole truth about it; the other columns are
/// copies of the document's fields that lists filter and sort on, and the summary is its list entry.
/// </summary>
public sealed class ResourceRecord
{
    public long Id { get; set; }

    public required string AccountId { get; set; }

    public ResourceKind Kind { get; set; }

    public required string Name { get; set; }

    /// <summary>The name lower-cased: names differing only in case are the same resource, as their ARNs are.</summary>
    public required string NameKey { get; set; }

    public required string Arn { get; set; }

    public required string ArnKey { get; set; }

    public string? Status { get; set; }

    /// <summary>Epoch milliseconds.</summary>
    public long CreatedAt { get; set; }

    /// <summary>Epoch milliseconds.</summary>
    public long ModifiedAt { get; set; }

    public required string Document { get; set; }

    public required string Summary { get; set; }

    /// <summary>Optimistic concurrency: every update increments it, and a stale update fails.</summary>
    public long Version { get; set; }

    public List<TagRecord> Tags { get; set; } = [];
}

public sealed class TagRecord
{
    public long ResourceId { get; set; }

    public required string Key { get; set; }

    public required string Value { get; set; }
}

/// <summary>Values the service generates once and keeps, such as the key that seals pagination tokens.</summary>
public sealed class ServiceSetting
{
    public required string Name { get; set; }

    public required string Value { get; set; }
}
