using ControlPlane.Orchestration.Storage;

namespace ControlPlane.Orchestration.Tests.Storage;

/// <summary>The contract against the local store, plus what is particular to files on disk.</summary>
public sealed class LocalObjectStoreTests : ObjectStoreContract, IDisposable
{
    private readonly string _sandbox = Directory.CreateTempSubdirectory("local-store-").FullName;

    public LocalObjectStoreTests()
    {
        Root = Path.Combine(_sandbox, "data", "s3");
        Outside = Directory.CreateDirectory(Path.Combine(_sandbox, "outside")).FullName;
        File.WriteAllText(Path.Combine(Outside, "secret.txt"), "secret");
        Store = new LocalObjectStore(Root);
    }

    protected override IObjectStore Store { get; }

    private string Root { get; }

    private string Outside { get; }

    public override async Task DisposeAsync()
    {
        // Whatever a test did, nothing may have been written outside the store's root.
        Assert.Equal(["data", "outside"], Directory.EnumerateFileSystemEntries(_sandbox).Select(Path.GetFileName).Order());
        Assert.Equal(["data/s3"], Directory.EnumerateFileSystemEntries(Path.Combine(_sandbox, "data")).Select(path => Path.GetRelativePath(_sandbox, path)));
        Assert.Equal(["secret.txt"], Directory.EnumerateFileSystemEntries(Outside).Select(Path.GetFileName));
        Assert.Equal("secret", await File.ReadAllTextAsync(Path.Combine(Outside, "secret.txt")));
    }

    public void Dispose() => Directory.Delete(_sandbox, recursive: true);

    [Fact]
    public async Task An_object_is_the_file_at_root_bucket_key()
    {
        await PutTextAsync("a/b/c.txt", "file");

        Assert.Equal("file", await File.ReadAllTextAsync(Path.Combine(Root, Bucket, "a", "b", "c.txt")));
    }

    [Fact]
    public async Task Writes_leave_no_temporary_files_behind()
    {
        await PutTextAsync("one.txt", "1");
        await PutTextAsync("one.txt", "2");

        Assert.Equal([Path.Combine(Root, Bucket, "one.txt")], Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_directory_symlink_inside_the_root_is_neither_written_through_nor_listed()
    {
        Directory.CreateSymbolicLink(Path.Combine(Root, Bucket, "link"), Outside);

        await Assert.ThrowsAsync<ObjectStoreException>(() => PutTextAsync("link/planted.txt", "planted"));
        await Assert.ThrowsAsync<ObjectStoreException>(() => Store.OpenReadAsync(At("link/secret.txt")));
        Assert.Empty(await ListAsync(""));
    }

    [Fact]
    public async Task A_file_symlink_inside_the_root_is_not_read_or_replaced()
    {
        File.CreateSymbolicLink(Path.Combine(Root, Bucket, "secret.txt"), Path.Combine(Outside, "secret.txt"));

        await Assert.ThrowsAsync<ObjectStoreException>(() => Store.OpenReadAsync(At("secret.txt")));
        await Assert.ThrowsAsync<ObjectStoreException>(() => PutTextAsync("secret.txt", "overwritten"));
        await Assert.ThrowsAsync<ObjectStoreException>(() => Store.DeleteAsync(At("secret.txt")));
    }
}
