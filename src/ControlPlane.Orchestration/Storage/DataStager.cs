using System.Collections.Concurrent;
using System.Text.Json;
using ControlPlane.Core.Errors;

namespace ControlPlane.Orchestration.Storage;

/// <summary>How a data source's S3Uri names its objects; the members are the S3DataType wire values.</summary>
internal enum S3DataType
{
    /// <summary>Every object whose key starts with the URI's key.</summary>
    S3Prefix,

    /// <summary>The URI names a manifest: <c>[{"prefix": "s3://b/p/"}, "relative/key", …]</c>.</summary>
    ManifestFile,
}

/// <summary>How objects are spread over a job's instances; the members are the S3DataDistributionType wire values.</summary>
internal enum S3DataDistribution
{
    FullyReplicated,
    ShardedByS3Key,
}

/// <summary>One S3 channel of a training job, or one S3 input of a processing job.</summary>
internal sealed record S3DataSource(S3Location Uri, S3DataType DataType, S3DataDistribution Distribution);

/// <summary>The instance that stages data: its 0-based index among <paramref name="Count"/> instances.</summary>
internal sealed record Shard(int Index, int Count)
{
    public static readonly Shard Single = new(0, 1);
}

internal sealed record TransferredFile(S3Location Object, string LocalPath, long Size);

internal sealed record TransferSummary(IReadOnlyList<TransferredFile> Files)
{
    public long TotalBytes => Files.Sum(file => file.Size);
}

/// <summary>
/// Copies job inputs from the object store into a local directory the way SageMaker's File mode does, and job outputs
/// back. Every object is checked before anything is written, so a hostile key fails the whole transfer and nothing
/// lands outside the directory.
/// </summary>
internal sealed class DataStager(IObjectStore store)
{
    private const int Concurrency = 4;

    /// <summary>Downloads this instance's objects of <paramref name="source"/> into <paramref name="directory"/> (see <see cref="SelectAsync"/>).</summary>
    public Task<Result<TransferSummary>> StageAsync(S3DataSource source, string directory, Shard shard, CancellationToken cancellationToken) =>
        StageAsync(source, directory, shard, allowEmpty: false, cancellationToken);

    /// <summary>As <see cref="StageAsync(S3DataSource, string, Shard, CancellationToken)"/>; <paramref name="allowEmpty"/> stages an empty source as an empty directory.</summary>
    public async Task<Result<TransferSummary>> StageAsync(S3DataSource source, string directory, Shard shard, bool allowEmpty, CancellationToken cancellationToken)
    {
        var selected = await SelectAsync(source, shard, allowEmpty, cancellationToken);
        if (selected.Error is { } error)
        {
            return error;
        }

        var root = Path.GetFullPath(directory);
        var plan = new List<(S3Location Object, string LocalPath)>(selected.Value!.Count);
        foreach (var (location, relativePath) in selected.Value!)
        {
            var localPath = Path.GetFullPath(Path.Combine(root, relativePath));
            if (!localPath.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                return ApiError.Validation($"The S3 object \"{location}\" cannot be staged: its path \"{relativePath}\" leaves the input directory.");
            }

            plan.Add((location, localPath));
        }

        Directory.CreateDirectory(root);
        var staged = new ConcurrentBag<TransferredFile>();
        var missing = new ConcurrentBag<S3Location>();
        await Parallel.ForEachAsync(plan, Parallelism(cancellationToken), async (item, token) =>
        {
            if (await store.DownloadToFileAsync(item.Object, item.LocalPath, token))
            {
                staged.Add(new TransferredFile(item.Object, item.LocalPath, new FileInfo(item.LocalPath).Length));
            }
            else
            {
                missing.Add(item.Object);
            }
        });

        return missing.IsEmpty
            ? Summary(staged)
            : ApiError.Validation($"The S3 object \"{missing.OrderBy(location => location.Key, Utf8Ordinal.Comparer).First()}\" does not exist.");
    }

    /// <summary>
    /// The objects of <paramref name="source"/> that instance <paramref name="shard"/> gets, in key order (UTF-8 bytes),
    /// each with its path relative to the channel: all of them when FullyReplicated; with ShardedByS3Key, every
    /// Count-th object starting at the instance's index, so each object goes to exactly one instance and every instance
    /// computes the same split. An empty source (unless <paramref name="allowEmpty"/>: checkpoints of a first run), or a
    /// key that is not a safe relative path, is an error.
    /// </summary>
    public async Task<Result<IReadOnlyList<(S3Location Object, string RelativePath)>>> SelectAsync(S3DataSource source, Shard shard, bool allowEmpty, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard.Index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard.Index, shard.Count);

        var found = source.DataType == S3DataType.ManifestFile
            ? await ReadManifestAsync(source.Uri, cancellationToken)
            : await ListPrefixAsync(source.Uri, cancellationToken);
        if (found.Error is { } error)
        {
            return error;
        }

        var objects = found.Value!;
        if (objects.Count == 0 && !allowEmpty)
        {
            return ApiError.Validation($"No S3 objects found under S3 URL \"{source.Uri}\" given in input data source. Please ensure that the bucket exists and that objects exist under that S3 prefix.");
        }

        objects.Sort((a, b) => Utf8Ordinal.Comparer.Compare(a.Object.Key, b.Object.Key));
        foreach (var (location, relativePath) in objects)
        {
            if (S3Location.KeyError(relativePath) is not null || relativePath.Split('/').Contains(".."))
            {
                return ApiError.Validation($"The S3 object \"{location}\" cannot be staged: its path \"{relativePath}\" leaves the input directory.");
            }
        }

        return Result<IReadOnlyList<(S3Location Object, string RelativePath)>>.Success(source.Distribution == S3DataDistribution.ShardedByS3Key
            ? objects.Where((_, position) => position % shard.Count == shard.Index).ToList()
            : objects);
    }

    /// <summary>Uploads every file under <paramref name="directory"/> (not following symbolic links) to key <c>prefix/relative/path</c>.</summary>
    public async Task<Result<TransferSummary>> UploadDirectoryAsync(string directory, S3Location prefix, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
        {
            return new TransferSummary([]);
        }

        var plan = new List<TransferredFile>();
        foreach (var (file, relativePath) in FileTree.Files(root))
        {
            var location = prefix.Append(relativePath);
            if (location.Error is { } error)
            {
                return ApiError.Validation($"The output file \"{file.FullName}\" cannot be uploaded: {error.Message}");
            }

            plan.Add(new TransferredFile(location.Value!, file.FullName, file.Length));
        }

        await Parallel.ForEachAsync(plan, Parallelism(cancellationToken), async (item, token) =>
            await store.UploadFileAsync(item.Object, item.LocalPath, token));
        return Summary(plan);
    }

    private async Task<Result<List<(S3Location Object, string RelativePath)>>> ListPrefixAsync(S3Location prefix, CancellationToken cancellationToken)
    {
        // Paths are relative to the prefix up to its last '/': s3://b/train/ and s3://b/train/part both stage
        // train/part-1.csv as part-1.csv, as SageMaker does.
        var directoryLength = prefix.Key.LastIndexOf('/') + 1;
        var objects = new List<(S3Location, string)>();
        await foreach (var entry in store.ListAsync(prefix, cancellationToken))
        {
            // Zero-byte "folder" markers made by consoles and tools are not data.
            if (entry.Key.EndsWith('/'))
            {
                continue;
            }

            var location = S3Location.Create(prefix.Bucket, entry.Key);
            if (location.Error is { } error)
            {
                return ApiError.Validation($"Refusing to stage the S3 object with key \"{entry.Key}\": {error.Message}");
            }

            objects.Add((location.Value!, entry.Key[directoryLength..]));
        }

        return objects;
    }

    private async Task<Result<List<(S3Location Object, string RelativePath)>>> ReadManifestAsync(S3Location manifest, CancellationToken cancellationToken)
    {
        if (!manifest.NamesObject)
        {
            return ApiError.Validation($"The manifest file S3 URI \"{manifest}\" names a prefix, not an object.");
        }

        JsonDocument document;
        await using (var content = await store.OpenReadAsync(manifest, cancellationToken))
        {
            if (content is null)
            {
                return ApiError.Validation($"The manifest file \"{manifest}\" does not exist.");
            }

            try
            {
                document = await JsonDocument.ParseAsync(content, cancellationToken: cancellationToken);
            }
            catch (JsonException e)
            {
                return InvalidManifest(manifest, $"it is not JSON ({e.Message})");
            }
        }

        using (document)
        {
            return ManifestObjects(manifest, document.RootElement);
        }
    }

    private static Result<List<(S3Location Object, string RelativePath)>> ManifestObjects(S3Location manifest, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() == 0
            || root[0].ValueKind != JsonValueKind.Object || !root[0].TryGetProperty("prefix", out var prefixText) || prefixText.ValueKind != JsonValueKind.String)
        {
            return InvalidManifest(manifest, "it must be a JSON array whose first element is {\"prefix\": \"s3://bucket/prefix/\"}");
        }

        var prefix = S3Location.Parse(prefixText.GetString()!);
        if (prefix.Error is { } prefixError)
        {
            return InvalidManifest(manifest, prefixError.Message);
        }

        var objects = new List<(S3Location, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var element in root.EnumerateArray().Skip(1))
        {
            var relativePath = element.ValueKind == JsonValueKind.String ? element.GetString()! : null;
            if (relativePath is null || relativePath.Length == 0 || relativePath.EndsWith('/') || S3Location.KeyError(relativePath) is not null)
            {
                return InvalidManifest(manifest, $"the entry {element.GetRawText()} is not a relative object key");
            }

            // The manifest's prefix and entry are joined as written; the entry is also the path in the input directory.
            var location = S3Location.Create(prefix.Value!.Bucket, prefix.Value.Key + relativePath);
            if (location.Error is { } error)
            {
                return InvalidManifest(manifest, error.Message);
            }

            if (seen.Add(relativePath))
            {
                objects.Add((location.Value!, relativePath));
            }
        }

        return objects;
    }

    private static ApiError InvalidManifest(S3Location manifest, string reason) =>
        ApiError.Validation($"The manifest file \"{manifest}\" is invalid: {reason}.");

    private static TransferSummary Summary(IEnumerable<TransferredFile> files) =>
        new([.. files.OrderBy(file => file.Object.Key, Utf8Ordinal.Comparer)]);

    private static ParallelOptions Parallelism(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken };
}
