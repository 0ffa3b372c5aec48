using System.Text;
using ControlPlane.Orchestration.Storage;

namespace ControlPlane.Orchestration.Tests.Storage;

/// <summary>Staging channels and processing inputs to disk, and uploading outputs, over the local store.</summary>
public sealed class DataStagerTests : IAsyncLifetime, IDisposable
{
    private const string Bucket = "stage-bucket";

    private readonly string _sandbox = Directory.CreateTempSubdirectory("stager-").FullName;
    private readonly LocalObjectStore _store;
    private readonly DataStager _stager;

    public DataStagerTests()
    {
        _store = new LocalObjectStore(Path.Combine(_sandbox, "s3"));
        _stager = new DataStager(_store);
    }

    private string Channel => Path.Combine(_sandbox, "input", "data", "train");

    public Task InitializeAsync() => _store.CreateBucketIfMissingAsync(At(""));

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => Directory.Delete(_sandbox, recursive: true);

    [Fact]
    public async Task S3Prefix_stages_every_object_under_the_prefix_at_its_key_relative_to_the_prefix()
    {
        await PutAsync("train/a.csv", "1,2\n");
        await PutAsync("train/nested/deeper/b.csv", "3,4,5\n");
        await PutAsync("training-other/c.csv", "not mine");

        var staged = await StageAsync("s3://stage-bucket/train/", S3DataType.S3Prefix);

        Assert.Null(staged.Error);
        Assert.Equal(["a.csv", "nested/deeper/b.csv"], LocalFiles(Channel));
        Assert.Equal("3,4,5\n", await File.ReadAllTextAsync(Path.Combine(Channel, "nested", "deeper", "b.csv")));
        Assert.Equal(10, staged.Value!.TotalBytes);
        Assert.Equal(["s3://stage-bucket/train/a.csv", "s3://stage-bucket/train/nested/deeper/b.csv"], staged.Value.Files.Select(file => file.Object.ToString()));
    }

    [Fact]
    public async Task A_prefix_that_is_not_a_directory_stages_paths_after_its_last_slash()
    {
        await PutAsync("train/part-1.csv", "1");
        await PutAsync("train/partition/x.csv", "2");
        await PutAsync("train/other.csv", "3");

        var staged = await StageAsync("s3://stage-bucket/train/part", S3DataType.S3Prefix);

        Assert.Null(staged.Error);
        Assert.Equal(["part-1.csv", "partition/x.csv"], LocalFiles(Channel));
    }

    [Fact]
    public async Task A_prefix_without_objects_is_an_error()
    {
        var staged = await StageAsync("s3://stage-bucket/empty/", S3DataType.S3Prefix);

        Assert.StartsWith("No S3 objects found under S3 URL \"s3://stage-bucket/empty/\"", staged.Error?.Message);
    }

    [Fact]
    public async Task ManifestFile_stages_each_listed_object_at_its_relative_key()
    {
        await PutAsync("data/one.csv", "1");
        await PutAsync("data/sub/two.csv", "22");
        await PutAsync("data/unlisted.csv", "333");
        await PutAsync("manifests/train.json", """[{"prefix": "s3://stage-bucket/data/"}, "sub/two.csv", "one.csv", "one.csv"]""");

        var staged = await StageAsync("s3://stage-bucket/manifests/train.json", S3DataType.ManifestFile);

        Assert.Null(staged.Error);
        Assert.Equal(["one.csv", "sub/two.csv"], LocalFiles(Channel));
        Assert.Equal(3, staged.Value!.TotalBytes);
    }

    [Theory]
    [InlineData("""[{"prefix": "s3://stage-bucket/data/"}, "../../../../escape.csv"]""")]
    [InlineData("""[{"prefix": "s3://stage-bucket/data/"}, "/etc/passwd"]""")]
    [InlineData("""[{"prefix": "s3://stage-bucket/data/"}, "ok.csv", "a/../../b.csv"]""")]
    [InlineData("""[{"prefix": "s3://stage-bucket/data/"}, 7]""")]
    [InlineData("""["data/ok.csv"]""")]
    [InlineData("""{"prefix": "s3://stage-bucket/data/"}""")]
    [InlineData("""[{"prefix": "s3://stage-bucket/data/"}, "ok.csv" """)]
    public async Task An_invalid_or_hostile_manifest_is_refused_before_anything_is_written(string manifest)
    {
        await PutAsync("data/ok.csv", "ok");
        await PutAsync("manifest.json", manifest);

        var staged = await StageAsync("s3://stage-bucket/manifest.json", S3DataType.ManifestFile);

        Assert.StartsWith("The manifest file \"s3://stage-bucket/manifest.json\" is invalid", staged.Error?.Message);
        Assert.False(Directory.Exists(Path.Combine(_sandbox, "input")));
    }

    [Fact]
    public async Task A_manifest_that_lists_a_missing_object_or_is_missing_itself_is_an_error()
    {
        await PutAsync("manifest.json", """[{"prefix": "s3://stage-bucket/data/"}, "absent.csv"]""");

        var missingObject = await StageAsync("s3://stage-bucket/manifest.json", S3DataType.ManifestFile);
        var missingManifest = await StageAsync("s3://stage-bucket/absent.json", S3DataType.ManifestFile);

        Assert.Equal("The S3 object \"s3://stage-bucket/data/absent.csv\" does not exist.", missingObject.Error?.Message);
        Assert.Equal("The manifest file \"s3://stage-bucket/absent.json\" does not exist.", missingManifest.Error?.Message);
    }

    [Fact]
    public async Task ShardedByS3Key_splits_the_objects_in_key_order_disjointly_and_completely_across_instances()
    {
        var keys = Enumerable.Range(0, 5).Select(i => $"train/{i}.csv").ToList();
        foreach (var key in keys)
        {
            await PutAsync(key, key);
        }

        var first = await StageAsync("s3://stage-bucket/train/", S3DataType.S3Prefix, S3DataDistribution.ShardedByS3Key, new Shard(0, 2), "host-1");
        var second = await StageAsync("s3://stage-bucket/train/", S3DataType.S3Prefix, S3DataDistribution.ShardedByS3Key, new Shard(1, 2), "host-2");
        var replicated = await StageAsync("s3://stage-bucket/train/", S3DataType.S3Prefix, S3DataDistribution.FullyReplicated, new Shard(1, 2), "host-3");

        Assert.Equal(["0.csv", "2.csv", "4.csv"], LocalFiles(Path.Combine(_sandbox, "host-1")));
        Assert.Equal(["1.csv", "3.csv"], LocalFiles(Path.Combine(_sandbox, "host-2")));
        Assert.Equal(keys, first.Value!.Files.Concat(second.Value!.Files).Select(file => file.Object.Key).Order(StringComparer.Ordinal));
        Assert.Equal(5, replicated.Value!.Files.Count);
    }

    [Fact]
    public async Task A_listed_key_that_would_leave_the_directory_fails_the_whole_stage_and_writes_nothing()
    {
        var store = new ListingOnlyStore("train/a.csv", "train/../../../../etc/cron.d/evil");
        var staged = await new DataStager(store).StageAsync(Source("s3://stage-bucket/train/", S3DataType.S3Prefix), Channel, Shard.Single, CancellationToken.None);

        Assert.Contains("train/../../../../etc/cron.d/evil", staged.Error?.Message);
        Assert.False(Directory.Exists(Path.Combine(_sandbox, "input")));
    }

    [Fact]
    public async Task UploadDirectory_round_trips_nested_and_hidden_files_and_skips_symlinks()
    {
        var output = Directory.CreateDirectory(Path.Combine(_sandbox, "output")).FullName;
        Directory.CreateDirectory(Path.Combine(output, "logs", "epoch-1"));
        await File.WriteAllTextAsync(Path.Combine(output, "model.bin"), "weights");
        await File.WriteAllTextAsync(Path.Combine(output, ".hidden"), "h");
        await File.WriteAllTextAsync(Path.Combine(output, "logs", "epoch-1", "loss.txt"), "0.1");
        File.CreateSymbolicLink(Path.Combine(output, "link-to-passwd"), "/etc/passwd");
        Directory.CreateSymbolicLink(Path.Combine(output, "link-to-etc"), "/etc");

        var uploaded = await _stager.UploadDirectoryAsync(output, At("jobs/j1/output"), CancellationToken.None);
        var restored = await StageAsync("s3://stage-bucket/jobs/j1/output/", S3DataType.S3Prefix);

        Assert.Null(uploaded.Error);
        Assert.Equal(["jobs/j1/output/.hidden", "jobs/j1/output/logs/epoch-1/loss.txt", "jobs/j1/output/model.bin"], (await _store.ListAsync(At("jobs/")).ToListAsync()).Select(entry => entry.Key));
        Assert.Equal(11, uploaded.Value!.TotalBytes);
        Assert.Equal([".hidden", "logs/epoch-1/loss.txt", "model.bin"], LocalFiles(Channel));
        Assert.Equal("0.1", await File.ReadAllTextAsync(Path.Combine(Channel, "logs", "epoch-1", "loss.txt")));
        Assert.Null(restored.Error);
    }

    [Fact]
    public async Task UploadDirectory_refuses_a_file_name_that_is_not_a_safe_key_and_uploads_nothing()
    {
        var output = Directory.CreateDirectory(Path.Combine(_sandbox, "output")).FullName;
        await File.WriteAllTextAsync(Path.Combine(output, "fine.txt"), "fine");
        await File.WriteAllTextAsync(Path.Combine(output, "..\\..\\evil.txt"), "evil");

        var uploaded = await _stager.UploadDirectoryAsync(output, At("out/"), CancellationToken.None);

        Assert.Contains("evil.txt", uploaded.Error?.Message);
        Assert.Empty(await _store.ListAsync(At("")).ToListAsync());
    }

    private static S3Location At(string key) => S3Location.Create(Bucket, key).Value!;

    private static S3DataSource Source(string uri, S3DataType dataType, S3DataDistribution distribution = S3DataDistribution.FullyReplicated) =>
        new(S3Location.Parse(uri).Value!, dataType, distribution);

    private static List<string> LocalFiles(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(path => Path.GetRelativePath(directory, path).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)];

    private Task PutAsync(string key, string text) => _store.PutAsync(At(key), new MemoryStream(Encoding.UTF8.GetBytes(text)));

    private Task<ControlPlane.Core.Errors.Result<TransferSummary>> StageAsync(
        string uri, S3DataType dataType, S3DataDistribution distribution = S3DataDistribution.FullyReplicated, Shard? shard = null, string? directory = null) =>
        _stager.StageAsync(Source(uri, dataType, distribution), directory is null ? Channel : Path.Combine(_sandbox, directory), shard ?? Shard.Single, CancellationToken.None);

    /// <summary>A store whose listing holds keys that no well-behaved store would hand out; nothing else may be called.</summary>
    private sealed class ListingOnlyStore(params string[] keys) : IObjectStore
    {
        public IAsyncEnumerable<ObjectEntry> ListAsync(S3Location prefix, CancellationToken cancellationToken = default) =>
            keys.Select(key => new ObjectEntry(key, 1, DateTimeOffset.UnixEpoch, ETag: null)).ToAsyncEnumerable();

        public Task<bool> ExistsAsync(S3Location location, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<Stream?> OpenReadAsync(S3Location location, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> DownloadToFileAsync(S3Location location, string filePath, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task PutAsync(S3Location location, Stream content, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task UploadFileAsync(S3Location location, string filePath, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task DeleteAsync(S3Location location, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task CreateBucketIfMissingAsync(S3Location location, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
