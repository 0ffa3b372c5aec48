using System.Text;
using ControlPlane.Orchestration.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlPlane.Orchestration.Tests.Storage;

/// <summary>Pipe-mode FIFOs fed from the store, and Continuous uploads, over the local store.</summary>
public sealed class StreamingTransferTests : IDisposable
{
    private readonly string _sandbox = Directory.CreateTempSubdirectory("streaming-").FullName;
    private readonly LocalObjectStore _store;

    public StreamingTransferTests() => _store = new LocalObjectStore(Path.Combine(_sandbox, "s3"));

    private string DataDirectory => Path.Combine(_sandbox, "input", "data");

    public void Dispose() => Directory.Delete(_sandbox, recursive: true);

    [Fact]
    public async Task A_Pipe_channel_streams_its_objects_into_one_FIFO_per_epoch_as_the_reader_reopens()
    {
        var objects = new[] { await PutAsync("train/a", "first,"), await PutAsync("train/b", "second") };
        PipeChannelFeeder.Prepare(DataDirectory, "train");
        using var feeding = new CancellationTokenSource();
        var feeder = new PipeChannelFeeder(_store, NullLogger<PipeChannelFeeder>.Instance)
            .FeedAsync(new PipeChannel("train", DataDirectory, objects, Gzip: false, RecordIo: false), feeding.Token);

        var epoch0 = await ReadFifoAsync("train_0");
        var epoch1 = await ReadFifoAsync("train_1");
        await feeding.CancelAsync();
        await feeder.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(("first,second", "first,second"), (epoch0, epoch1));
        Assert.False(Directory.Exists(Path.Combine(DataDirectory, "train")));
    }

    [Fact]
    public async Task RecordIO_wraps_each_object_in_one_padded_record()
    {
        var objects = new[] { await PutAsync("rec/a", "abcde") };
        PipeChannelFeeder.Prepare(DataDirectory, "rec");
        using var feeding = new CancellationTokenSource();
        var feeder = new PipeChannelFeeder(_store, NullLogger<PipeChannelFeeder>.Instance)
            .FeedAsync(new PipeChannel("rec", DataDirectory, objects, Gzip: false, RecordIo: true), feeding.Token);

        var bytes = await Task.Run(() => File.ReadAllBytes(Path.Combine(DataDirectory, "rec_0"))).WaitAsync(TimeSpan.FromSeconds(10));
        await feeding.CancelAsync();
        await feeder.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal<byte>([0x0A, 0x23, 0xD7, 0xCE, 5, 0, 0, 0, .. "abcde"u8, 0, 0, 0], bytes);
    }

    [Fact]
    public async Task A_feeder_waiting_for_its_reader_ends_when_cancelled()
    {
        PipeChannelFeeder.Prepare(DataDirectory, "idle");
        using var feeding = new CancellationTokenSource();
        var feeder = new PipeChannelFeeder(_store, NullLogger<PipeChannelFeeder>.Instance)
            .FeedAsync(new PipeChannel("idle", DataDirectory, [], Gzip: false, RecordIo: false), feeding.Token);

        await feeding.CancelAsync();

        await feeder.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_Continuous_upload_sends_a_file_once_it_has_settled_and_again_when_it_changes()
    {
        var directory = Directory.CreateDirectory(Path.Combine(_sandbox, "checkpoints")).FullName;
        await _store.CreateBucketIfMissingAsync(At("ckpt/"));
        var upload = new ContinuousUpload(_store, directory, At("ckpt/"));
        var file = Path.Combine(directory, "epoch.ckpt");
        await File.WriteAllTextAsync(file, "1");

        var firstSight = await upload.SyncAsync(CancellationToken.None);
        var settled = await upload.SyncAsync(CancellationToken.None);
        var unchanged = await upload.SyncAsync(CancellationToken.None);
        await File.WriteAllTextAsync(file, "22");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(5));
        await upload.SyncAsync(CancellationToken.None);
        var changed = await upload.SyncAsync(CancellationToken.None);

        Assert.Equal((0, 1, 0, 1), (firstSight, settled, unchanged, changed));
        Assert.Equal("22", await File.ReadAllTextAsync(Path.Combine(_sandbox, "s3", "bucket", "ckpt", "epoch.ckpt")));
    }

    private static S3Location At(string key) => S3Location.Create("bucket", key).Value!;

    private async Task<S3Location> PutAsync(string key, string content)
    {
        await _store.CreateBucketIfMissingAsync(At(key));
        await _store.PutAsync(At(key), new MemoryStream(Encoding.UTF8.GetBytes(content)));
        return At(key);
    }

    /// <summary>Reads a FIFO to its end once it exists (it appears when the previous epoch has been read).</summary>
    private async Task<string> ReadFifoAsync(string name)
    {
        var path = Path.Combine(DataDirectory, name);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!File.Exists(path))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{name} never appeared.");
            await Task.Delay(20);
        }

        return await Task.Run(() => File.ReadAllText(path)).WaitAsync(TimeSpan.FromSeconds(10));
    }
}
