using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace ControlPlane.Orchestration.Transform;

/// <summary>TransformInput.SplitType wire values.</summary>
internal enum SplitType
{
    None,
    Line,
    RecordIO,
    TFRecord,
}

/// <summary>
/// Cuts an input object into records (contract §5.3 step 2) while reading it, never holding more than one record
/// and the read buffer. Line records are the bytes between newlines without the terminator (a trailing <c>\r</c> is
/// dropped too, and blank lines are skipped); RecordIO and TFRecord records are whole frames, RecordIO's with its
/// padding (the batcher drops it for single-record requests).
/// </summary>
internal static class RecordSplitter
{
    private const uint RecordIOMagic = 0xCED7230A;

    /// <summary>A record longer than <paramref name="maxRecordBytes"/> (0: no limit) throws <see cref="RecordTooLargeException"/> before it is read whole.</summary>
    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> SplitAsync(
        Stream content, SplitType split, long maxRecordBytes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(content, new StreamPipeReaderOptions(bufferSize: 1 << 16, leaveOpen: true));
        try
        {
            if (split == SplitType.None)
            {
                yield return await ReadAllAsync(reader, maxRecordBytes, cancellationToken);
                yield break;
            }

            while (true)
            {
                var read = await reader.ReadAsync(cancellationToken);
                var buffer = read.Buffer;
                while (TryCut(ref buffer, split, read.IsCompleted, maxRecordBytes, out var record))
                {
                    if (record is { } bytes) yield return bytes;
                }

                if (maxRecordBytes > 0 && buffer.Length > maxRecordBytes + 16)
                {
                    // No record ends within the limit (16: frame headers are not payload).
                    throw new RecordTooLargeException(buffer.Length, maxRecordBytes);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        throw new InvalidDataException($"The input ends inside a {split} record ({buffer.Length} bytes left over).");
                    }

                    yield break;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    /// <summary>A single-record RecordIO request carries the frame without its trailing padding.</summary>
    public static ReadOnlyMemory<byte> WithoutRecordIOPadding(ReadOnlyMemory<byte> frame) =>
        frame[..(8 + (int)(BinaryPrimitives.ReadUInt32LittleEndian(frame.Span[4..]) & 0x1FFFFFFF))];

    private static async Task<ReadOnlyMemory<byte>> ReadAllAsync(PipeReader reader, long maxRecordBytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            if (maxRecordBytes > 0 && read.Buffer.Length > maxRecordBytes)
            {
                throw new RecordTooLargeException(read.Buffer.Length, maxRecordBytes);
            }

            if (read.IsCompleted)
            {
                var all = read.Buffer.ToArray();
                reader.AdvanceTo(read.Buffer.End);
                return all;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    /// <summary>Takes one record off the front; <paramref name="record"/> is null for a skipped blank line.</summary>
    private static bool TryCut(ref ReadOnlySequence<byte> buffer, SplitType split, bool atEnd, long maxRecordBytes, out ReadOnlyMemory<byte>? record)
    {
        record = null;
        if (buffer.IsEmpty) return false;
        switch (split)
        {
            case SplitType.Line:
            {
                var newline = buffer.PositionOf((byte)'\n');
                ReadOnlySequence<byte> line;
                if (newline is { } at)
                {
                    line = buffer.Slice(0, at);
                    buffer = buffer.Slice(buffer.GetPosition(1, at));
                }
                else if (atEnd)
                {
                    line = buffer;
                    buffer = buffer.Slice(buffer.End);
                }
                else
                {
                    return false;
                }

                if (line.Length > 0 && line.Slice(line.Length - 1).FirstSpan[0] == '\r') line = line.Slice(0, line.Length - 1);
                if (!line.IsEmpty) record = line.ToArray();
                return true;
            }

            case SplitType.RecordIO:
            {
                if (buffer.Length < 8) return false;
                Span<byte> header = stackalloc byte[8];
                buffer.Slice(0, 8).CopyTo(header);
                if (BinaryPrimitives.ReadUInt32LittleEndian(header) != RecordIOMagic)
                {
                    throw new InvalidDataException("The input is not RecordIO: a record does not start with the magic number 0xCED7230A.");
                }

                var length = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) & 0x1FFFFFFF;
                if (maxRecordBytes > 0 && length > maxRecordBytes) throw new RecordTooLargeException(length, maxRecordBytes);
                long frame = 8 + length + ((4 - (length % 4)) % 4);
                if (buffer.Length < frame)
                {
                    // The last frame may lack its padding.
                    if (!(atEnd && buffer.Length >= 8 + length)) return false;
                    frame = buffer.Length;
                }

                record = buffer.Slice(0, frame).ToArray();
                buffer = buffer.Slice(frame);
                return true;
            }

            case SplitType.TFRecord:
            {
                if (buffer.Length < 12) return false;
                Span<byte> header = stackalloc byte[8];
                buffer.Slice(0, 8).CopyTo(header);
                var length = BinaryPrimitives.ReadUInt64LittleEndian(header);
                if (maxRecordBytes > 0 && length > (ulong)maxRecordBytes) throw new RecordTooLargeException((long)Math.Min(length, long.MaxValue), maxRecordBytes);
                var frame = 12 + (long)length + 4;
                if (buffer.Length < frame) return false;
                record = buffer.Slice(0, frame).ToArray();
                buffer = buffer.Slice(frame);
                return true;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(split), split, null);
        }
    }
}

/// <summary>A record (or a whole object with SplitType None) does not fit in MaxPayloadInMB.</summary>
internal sealed class RecordTooLargeException(long recordBytes, long maxBytes)
    : Exception($"A record of at least {recordBytes} bytes is larger than the maximum payload size of {maxBytes} bytes (MaxPayloadInMB).");
