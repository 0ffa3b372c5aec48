using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Orchestration.Storage;

/// <summary>
/// Pipe input mode as SageMaker documents it: the channel is a FIFO <c>&lt;channel&gt;_&lt;epoch&gt;</c> next to where File
/// mode puts the channel's directory. The platform streams the channel's objects (in key order, this instance's share)
/// into <c>_0</c>; once the program has read it to the end, <c>_1</c> appears and gets the same stream when the program
/// opens it, and so on for as many epochs as the program reads. Nothing is staged on disk. CompressionType Gzip objects
/// are decompressed on the way; RecordWrapperType RecordIO wraps each object in one RecordIO record.
/// </summary>
internal sealed partial class PipeChannelFeeder(IObjectStore store, ILogger<PipeChannelFeeder> logger)
{
    /// <summary>How often a FIFO without a reader is checked again; bounds the delay between the program's open and the first byte.</summary>
    private static readonly TimeSpan ReaderPollInterval = TimeSpan.FromMilliseconds(20);

    private const uint RecordIoMagic = 0xCED7230A;

    public static string FifoPath(string dataDirectory, string channel, int epoch) => Path.Combine(dataDirectory, $"{channel}_{epoch}");

    /// <summary>Creates the first epoch's FIFO, so it exists when the program starts.</summary>
    public static void Prepare(string dataDirectory, string channel)
    {
        Directory.CreateDirectory(dataDirectory);
        Fifo.Create(FifoPath(dataDirectory, channel, 0));
    }

    /// <summary>
    /// Feeds epochs until cancelled, starting at the newest FIFO there is (after a control-plane restart the epoch the
    /// program was reading cannot be resumed mid-stream: it is fed again from its start when the program reopens it).
    /// </summary>
    public async Task FeedAsync(PipeChannel channel, CancellationToken cancellationToken)
    {
        var epoch = 0;
        while (File.Exists(FifoPath(channel.DataDirectory, channel.Name, epoch + 1)))
        {
            epoch++;
        }

        try
        {
            while (true)
            {
                var path = FifoPath(channel.DataDirectory, channel.Name, epoch);
                Fifo.Create(path);
                await using (var fifo = await Fifo.OpenForWritingAsync(path, ReaderPollInterval, cancellationToken))
                {
                    await WriteEpochAsync(channel, fifo, cancellationToken);
                }

                epoch++;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The job ended.
        }
    }

    private async Task WriteEpochAsync(PipeChannel channel, FileStream fifo, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var location in channel.Objects)
            {
                await using var content = await store.OpenReadAsync(location, cancellationToken);
                if (content is null)
                {
                    LogObjectGone(logger, location.ToString(), channel.Name);
                    continue;
                }

                await using var data = channel.Gzip ? new GZipStream(content, CompressionMode.Decompress) : content;
                if (channel.RecordIo)
                {
                    await WriteRecordAsync(data, fifo, cancellationToken);
                }
                else
                {
                    await data.CopyToAsync(fifo, cancellationToken);
                }
            }
        }
        catch (IOException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The program closed its end before the epoch's end (EPIPE): the epoch is over for it.
            LogReaderLeft(logger, channel.Name, e.Message);
        }
    }

    /// <summary>One object as one RecordIO record: magic, length, data, padding to 4 bytes (little-endian words).</summary>
    private static async Task WriteRecordAsync(Stream data, Stream fifo, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await data.CopyToAsync(buffer, cancellationToken);
        var header = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(0, 4), RecordIoMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4, 4), checked((uint)buffer.Length));
        await fifo.WriteAsync(header, cancellationToken);
        await fifo.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
        var padding = (int)((4 - (buffer.Length % 4)) % 4);
        await fifo.WriteAsync(new byte[padding], cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The S3 object {Location} of Pipe channel {Channel} no longer exists; skipped")]
    private static partial void LogObjectGone(ILogger logger, string location, string channel);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The reader of Pipe channel {Channel} closed it before its end: {Error}")]
    private static partial void LogReaderLeft(ILogger logger, string channel, string error);
}

/// <summary>One Pipe-mode channel of one instance.</summary>
/// <param name="Name">The channel name.</param>
/// <param name="DataDirectory">The host directory the program sees as /opt/ml/input/data.</param>
/// <param name="Objects">This instance's objects, in the order they are streamed.</param>
/// <param name="Gzip">CompressionType Gzip: objects are decompressed.</param>
/// <param name="RecordIo">RecordWrapperType RecordIO: each object becomes one record.</param>
internal sealed record PipeChannel(string Name, string DataDirectory, IReadOnlyList<S3Location> Objects, bool Gzip, bool RecordIo);
