namespace ControlPlane.Orchestration.Storage;

/// <summary>
/// Objects as files: <c>s3://bucket/key</c> is <c>&lt;root&gt;/bucket/key</c>. Writes go to a temporary file that is
/// then renamed into place, so a reader never sees half an object. Paths are checked to stay under the root and not
/// to pass through a symbolic link, so the store never reads or writes outside its root.
/// </summary>
internal sealed class LocalObjectStore : IObjectStore
{
    // Never a bucket: bucket names start with a letter or digit. On the root's file system, so the final rename is atomic.
    private const string StagingDirectoryName = ".staging";

    private readonly string _root;
    private readonly string _staging;

    public LocalObjectStore(string root)
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _staging = Path.Combine(_root, StagingDirectoryName);
    }

    public IAsyncEnumerable<ObjectEntry> ListAsync(S3Location prefix, CancellationToken cancellationToken = default)
    {
        // Only the directory named by the prefix up to its last '/' can hold matching keys.
        var directoryKey = prefix.Key[..(prefix.Key.LastIndexOf('/') + 1)];
        var directory = Resolve(prefix.Bucket, directoryKey);
        if (!Directory.Exists(directory))
        {
            return AsyncEnumerable.Empty<ObjectEntry>();
        }

        var entries = new List<ObjectEntry>();
        foreach (var (file, relativePath) in FileTree.Files(directory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = directoryKey + relativePath;
            if (key.StartsWith(prefix.Key, StringComparison.Ordinal))
            {
                entries.Add(new ObjectEntry(key, file.Length, file.LastWriteTimeUtc, ETag: null));
            }
        }

        entries.Sort((a, b) => Utf8Ordinal.Comparer.Compare(a.Key, b.Key));
        return entries.ToAsyncEnumerable();
    }

    public Task<bool> ExistsAsync(S3Location location, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(ResolveObject(location)));

    public Task<Stream?> OpenReadAsync(S3Location location, CancellationToken cancellationToken = default)
    {
        var path = ResolveObject(location);
        if (!File.Exists(path))
        {
            return Task.FromResult<Stream?>(null);
        }

        try
        {
            return Task.FromResult<Stream?>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, useAsync: true));
        }
        catch (FileNotFoundException)
        {
            // Deleted since the check above.
            return Task.FromResult<Stream?>(null);
        }
    }

    public async Task<bool> DownloadToFileAsync(S3Location location, string filePath, CancellationToken cancellationToken = default)
    {
        await using var source = await OpenReadAsync(location, cancellationToken);
        if (source is null)
        {
            return false;
        }

        await AtomicFile.WriteAsync(filePath, source, cancellationToken);
        return true;
    }

    public Task PutAsync(S3Location location, Stream content, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(ResolveWritableObject(location), content, _staging, cancellationToken);

    public async Task UploadFileAsync(S3Location location, string filePath, CancellationToken cancellationToken = default)
    {
        await using var source = new FileStream(filePath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        await PutAsync(location, source, cancellationToken);
    }

    public Task DeleteAsync(S3Location location, CancellationToken cancellationToken = default)
    {
        var path = ResolveObject(location);
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        return Task.CompletedTask;
    }

    public Task CreateBucketIfMissingAsync(S3Location location, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Resolve(location.Bucket, ""));
        return Task.CompletedTask;
    }

    private string ResolveObject(S3Location location)
    {
        return location.NamesObject
            ? Resolve(location.Bucket, location.Key)
            : throw new ArgumentException($"'{location}' names a prefix, not an object.", nameof(location));
    }

    private string ResolveWritableObject(S3Location location)
    {
        var path = ResolveObject(location);
        return Directory.Exists(Resolve(location.Bucket, ""))
            ? path
            : throw new ObjectStoreException($"The bucket '{location.Bucket}' does not exist.");
    }

    /// <summary>
    /// The path of a key, refused (rather than trusted to <see cref="S3Location"/>'s rules alone) when it would leave the
    /// root or when any part of it that exists is a symbolic link, which could point anywhere.
    /// </summary>
    private string Resolve(string bucket, string key)
    {
        var path = Path.GetFullPath(Path.Combine(_root, bucket, key));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ObjectStoreException($"The key 's3://{bucket}/{key}' resolves outside the object store.");
        }

        var current = _root;
        foreach (var segment in Path.GetRelativePath(_root, path).Split(Path.DirectorySeparatorChar))
        {
            current = Path.Combine(current, segment);
            var info = new FileInfo(current);
            if (info.LinkTarget is not null)
            {
                throw new ObjectStoreException($"The key 's3://{bucket}/{key}' passes through a symbolic link in the object store.");
            }

            if (!info.Exists && !Directory.Exists(current))
            {
                break;
            }
        }

        return path;
    }
}
