using System.ComponentModel.DataAnnotations;

namespace ControlPlane.Orchestration.Storage;

public enum ObjectStoreKind
{
    /// <summary>Objects as files under <c>&lt;DataDirectory&gt;/s3</c>.</summary>
    Local,

    /// <summary>Amazon S3 or an S3-compatible server.</summary>
    S3,
}

/// <summary>The <c>ControlPlane:ObjectStore</c> configuration section.</summary>
public sealed class ObjectStoreOptions : IValidatableObject
{
    public const string SectionName = "ControlPlane:ObjectStore";

    public ObjectStoreKind Kind { get; set; } = ObjectStoreKind.Local;

    /// <summary>Used when <see cref="Kind"/> is <see cref="ObjectStoreKind.S3"/>.</summary>
    public S3StoreOptions S3 { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Kind == ObjectStoreKind.S3 ? S3.Validate() : [];
}

public sealed class S3StoreOptions
{
    /// <summary>S3's smallest part (except the last) and largest part.</summary>
    internal const long MinPartSizeBytes = 5L * 1024 * 1024;
    internal const long MaxPartSizeBytes = 5L * 1024 * 1024 * 1024;

    /// <summary>An S3-compatible server (MinIO, moto), e.g. <c>http://127.0.0.1:9000</c>; unset for AWS.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Addresses buckets as <c>host/bucket</c>, which S3-compatible servers usually need.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>The signing region; unset, the SDK's region chain (AWS_REGION, profile) decides.</summary>
    public string? Region { get; set; }

    /// <summary>With <see cref="SecretKey"/>; unset, the SDK's default credential chain is used.</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>Lets <see cref="IObjectStore.CreateBucketIfMissingAsync"/> create buckets (development servers).</summary>
    public bool CreateMissingBuckets { get; set; }

    /// <summary>Files larger than this are uploaded in parts of this size.</summary>
    public long PartSizeBytes { get; set; } = 16L * 1024 * 1024;

    internal IEnumerable<ValidationResult> Validate()
    {
        if (ServiceUrl is not null && !(Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            yield return new ValidationResult("ObjectStore:S3:ServiceUrl must be an absolute http or https URL.", [nameof(ServiceUrl)]);
        }

        if (string.IsNullOrEmpty(AccessKey) != string.IsNullOrEmpty(SecretKey))
        {
            yield return new ValidationResult("ObjectStore:S3:AccessKey and SecretKey must be set together.", [nameof(AccessKey), nameof(SecretKey)]);
        }

        if (PartSizeBytes is < MinPartSizeBytes or > MaxPartSizeBytes)
        {
            yield return new ValidationResult($"ObjectStore:S3:PartSizeBytes must be between {MinPartSizeBytes} and {MaxPartSizeBytes}.", [nameof(PartSizeBytes)]);
        }
    }
}
