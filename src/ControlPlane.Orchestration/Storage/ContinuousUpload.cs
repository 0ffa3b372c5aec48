namespace ControlPlane.Orchestration.Storage;

/// <summary>
/// S3UploadMode Continuous: a directory's files go to <c>prefix/relative/path</c> while the job runs, not only at its
/// end. Each <see cref="SyncAsync"/> uploads the files that are new or changed since their last upload and have kept
/// their size and modification time since the previous call, so a file still being written is not sent half-done (it
/// goes at the next call after it settles, and in any case in the final upload at the end of the job). Symbolic links
/// are not followed.
/// </summary>
internal sealed class ContinuousUpload(IObjectStore store, string directory, S3Location prefix)
{
    private readonly Dictionary<string, FileVersion> _observed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileVersion> _uploaded = new(StringComparer.Ordinal);

    /// <summary>Uploads what settled since the last call; returns how many files it uploaded.</summary>
    public async Task<int> SyncAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        var count = 0;
        foreach (var (file, relativePath) in FileTree.Files(directory).ToList())
        {
            var version = new FileVersion(file.Length, file.LastWriteTimeUtc);
            var settled = _observed.TryGetValue(relativePath, out var previous) && previous == version;
            _observed[relativePath] = version;
            if (!settled || (_uploaded.TryGetValue(relativePath, out var sent) && sent == version) || prefix.Append(relativePath) is not { Succeeded: true } location)
            {
                continue;
            }

            try
            {
                await store.UploadFileAsync(location.Value!, file.FullName, cancellationToken);
                _uploaded[relativePath] = version;
                count++;
            }
            catch (FileNotFoundException)
            {
                // Deleted by the program meanwhile.
            }
            catch (ObjectStoreException)
            {
                // A missing bucket, say: the upload at the end of the job reports it.
            }
        }

        return count;
    }

    private sealed record FileVersion(long Length, DateTime LastWriteTimeUtc);
}
