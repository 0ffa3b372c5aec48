using System.Text;
using ControlPlane.Core.Errors;
using ControlPlane.Orchestration.Storage;

namespace ControlPlane.Orchestration.Tests.Storage;

/// <summary>
/// What every <see cref="IObjectStore"/> must do, run against each implementation by a subclass. Each test works in a
/// bucket of its own.
/// </summary>
public abstract class ObjectStoreContract : IAsyncLifetime
{
    private const int MiB = 1024 * 1024;

    protected string Bucket { get; } = $"contract-{Guid.NewGuid():N}";

    protected abstract IObjectStore Store { get; }

    public static TheoryData<string> HostileKeys => new("../x", "a/../../x", "..", "a/..", "./x", "/etc/passwd", "a\0b", "a\\..\\..\\x", "a//b");

    public virtual async Task InitializeAsync() => await Store.CreateBucketIfMissingAsync(At(""));

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_put_object_reads_back_exists_and_is_listed_with_its_size_and_time()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        await PutTextAsync("docs/readme.txt", "hello, store");

        Assert.True(await Store.ExistsAsync(At("docs/readme.txt")));
        Assert.Equal("hello, store", await ReadTextAsync("docs/readme.txt"));
        var entry = Assert.Single(await ListAsync(""));
        Assert.Equal("docs/readme.txt", entry.Key);
        Assert.Equal(12, entry.Size);
        Assert.InRange(entry.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task A_missing_object_reads_as_null_does_not_exist_and_downloads_nothing()
    {
        var target = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}");

        Assert.Null(await Store.OpenReadAsync(At("nope")));
        Assert.False(await Store.ExistsAsync(At("nope")));
        Assert.False(await Store.DownloadToFileAsync(At("nope"), target));
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task Delete_removes_the_object_and_deleting_it_again_succeeds()
    {
        await PutTextAsync("gone.txt", "x");
        await PutTextAsync("kept.txt", "y");

        await Store.DeleteAsync(At("gone.txt"));
        await Store.DeleteAsync(At("gone.txt"));

        Assert.False(await Store.ExistsAsync(At("gone.txt")));
        Assert.Equal(["kept.txt"], (await ListAsync("")).Select(entry => entry.Key));
    }

    [Fact]
    public async Task Put_replaces_an_existing_object_whole()
    {
        await PutTextAsync("a.txt", "a much longer first version");
        await PutTextAsync("a.txt", "v2");

        Assert.Equal("v2", await ReadTextAsync("a.txt"));
        Assert.Equal(2, Assert.Single(await ListAsync("")).Size);
    }

    [Fact]
    public async Task Put_from_a_stream_that_cannot_seek_stores_every_byte()
    {
        var content = RandomBytes(300_000);

        await Store.PutAsync(At("stream.bin"), new ForwardOnlyStream(content));

        Assert.Equal(content, await ReadBytesAsync("stream.bin"));
    }

    [Fact]
    public async Task A_missing_bucket_lists_nothing_reads_as_null_and_refuses_writes()
    {
        var missing = S3Location.Create($"missing-{Guid.NewGuid():N}", "k").Value!;

        Assert.Empty(await Store.ListAsync(missing).ToListAsync());
        Assert.Null(await Store.OpenReadAsync(missing));
        await Assert.ThrowsAsync<ObjectStoreException>(() => Store.PutAsync(missing, new MemoryStream([1])));
    }

    [Fact]
    public async Task Object_operations_refuse_a_prefix_location()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.OpenReadAsync(At("dir/")));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(At(""), new MemoryStream([1])));
    }

    [Fact]
    public async Task Listing_returns_every_object_past_the_first_1000()
    {
        var keys = Enumerable.Range(0, 1100).Select(i => $"many/{i:D5}.txt").ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, token) =>
            await Store.PutAsync(At(key), new MemoryStream(Encoding.UTF8.GetBytes(key)), token));

        var listed = await ListAsync("many/");

        Assert.Equal(keys, listed.Select(entry => entry.Key));
    }

    [Fact]
    public async Task Listing_is_in_the_byte_order_of_UTF8_keys()
    {
        // UTF-16 ordinal order would put the emoji (a surrogate pair) before the fullwidth A (U+FF21).
        string[] ordered = ["B.txt", "a-b", "a/b", "a0", "ab", "\u00e9", "\uff21", "\U0001F600"];
        foreach (var key in ordered.Reverse())
        {
            await PutTextAsync(key, key);
        }

        Assert.Equal(ordered, (await ListAsync("")).Select(entry => entry.Key));
    }

    [Fact]
    public async Task A_prefix_matches_keys_by_their_characters_not_by_directories()
    {
        foreach (var key in new[] { "data/part-1", "data/part-2", "data/partition/x", "data/other", "datasets/y" })
        {
            await PutTextAsync(key, key);
        }

        Assert.Equal(["data/part-1", "data/part-2", "data/partition/x"], await KeysAsync("data/part"));
        Assert.Equal(["data/other", "data/part-1", "data/part-2", "data/partition/x"], await KeysAsync("data/"));
        Assert.Equal(["data/other", "data/part-1", "data/part-2", "data/partition/x", "datasets/y"], await KeysAsync("data"));
        Assert.Empty(await KeysAsync("data/part-1/"));
    }

    [Fact]
    public async Task A_file_larger_than_the_part_size_uploads_and_downloads_byte_for_byte()
    {
        var directory = Directory.CreateTempSubdirectory("store-contract-").FullName;
        try
        {
            var source = Path.Combine(directory, "big.bin");
            var content = RandomBytes(12 * MiB + 17);
            await File.WriteAllBytesAsync(source, content);

            await Store.UploadFileAsync(At("big/big.bin"), source);
            var target = Path.Combine(directory, "nested", "copy.bin");
            Assert.True(await Store.DownloadToFileAsync(At("big/big.bin"), target));

            Assert.Equal(content, await File.ReadAllBytesAsync(target));
            Assert.Equal(content.Length, Assert.Single(await ListAsync("big/")).Size);
            Assert.Equal(["big.bin", "nested"], Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Order());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Download_replaces_an_existing_file()
    {
        var target = Path.Combine(Path.GetTempPath(), $"replace-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(target, "an older and longer local copy");
        try
        {
            await PutTextAsync("fresh.txt", "new");

            Assert.True(await Store.DownloadToFileAsync(At("fresh.txt"), target));
            Assert.Equal("new", await File.ReadAllTextAsync(target));
        }
        finally
        {
            File.Delete(target);
        }
    }

    [Theory]
    [MemberData(nameof(HostileKeys))]
    public async Task A_key_that_could_escape_a_directory_never_becomes_a_location_so_no_store_sees_it(string key)
    {
        var location = S3Location.Create(Bucket, key);
        var parsed = S3Location.Parse($"s3://{Bucket}/{key}");

        Assert.Equal(ErrorCodes.Validation, location.Error?.Code);
        Assert.Equal(ErrorCodes.Validation, parsed.Error?.Code);
        Assert.Empty(await ListAsync(""));
    }

    protected S3Location At(string key) => S3Location.Create(Bucket, key) is { Succeeded: true } location
        ? location.Value!
        : throw new ArgumentException($"Invalid test key '{key}'.", nameof(key));

    protected Task PutTextAsync(string key, string text) => Store.PutAsync(At(key), new MemoryStream(Encoding.UTF8.GetBytes(text)));

    protected async Task<List<ObjectEntry>> ListAsync(string prefix) => await Store.ListAsync(At(prefix)).ToListAsync();

    protected static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private async Task<List<string>> KeysAsync(string prefix) => [.. (await ListAsync(prefix)).Select(entry => entry.Key)];

    private async Task<byte[]> ReadBytesAsync(string key)
    {
        await using var stream = await Store.OpenReadAsync(At(key)) ?? throw new InvalidOperationException($"{key} is missing.");
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private async Task<string> ReadTextAsync(string key) => Encoding.UTF8.GetString(await ReadBytesAsync(key));

    /// <summary>A stream that can only be read forward, with no length.</summary>
    private sealed class ForwardOnlyStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
    }
}
