namespace ControlPlane.Orchestration.Storage;

/// <summary>An object as a listing reports it. The ETag is S3's (without quotes); the local store has none.</summary>
public sealed record ObjectEntry(string Key, long Size, DateTimeOffset LastModified, string? ETag);

/// <summary>
/// Where job inputs come from and outputs go: a local directory (the embedded default) or S3. Both behave alike:
/// a missing object reads as null or false, writing to a missing bucket throws <see cref="ObjectStoreException"/>,
/// and listings come in S3's order (UTF-8 bytes of the key).
/// </summary>
public interface IObjectStore
{
    /// <summary>Every object whose key starts with <paramref name="prefix"/>'s key, across all pages; nothing for a missing bucket.</summary>
    IAsyncEnumerable<ObjectEntry> ListAsync(S3Location prefix, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(S3Location location, CancellationToken cancellationToken = default);

    /// <summary>The object's content, or null when there is no such object.</summary>
    Task<Stream?> OpenReadAsync(S3Location location, CancellationToken cancellationToken = default);

    /// <summary>Writes the object to <paramref name="filePath"/> (replacing it whole); false when there is no such object.</summary>
    Task<bool> DownloadToFileAsync(S3Location location, string filePath, CancellationToken cancellationToken = default);

    Task PutAsync(S3Location location, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Uploads a file; S3 sends files larger than the configured part size as a multipart upload.</summary>
    Task UploadFileAsync(S3Location location, string filePath, CancellationToken cancellationToken = default);

    /// <summary>Removes the object; removing one that is not there succeeds, as in S3.</summary>
    Task DeleteAsync(S3Location location, CancellationToken cancellationToken = default);

    /// <summary>Creates the bucket of <paramref name="location"/> unless it exists (S3: only when configured to).</summary>
    Task CreateBucketIfMissingAsync(S3Location location, CancellationToken cancellationToken = default);
}

/// <summary>A store refused an operation for a reason the caller can report, such as a missing bucket.</summary>
public sealed class ObjectStoreException(string message, Exception? innerException = null) : Exception(message, innerException);
