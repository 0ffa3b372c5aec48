using System.Buffers.Binary;
using System.Text;
using ControlPlane.Orchestration.Transform;

namespace ControlPlane.Orchestration.Tests.Transform;

public sealed class RecordSplitterTests
{
    [Fact]
    public async Task Line_records_drop_their_terminators_and_blank_lines()
    {
        var records = await SplitAsync("a,1\r\nb,2\n\n\nc,3", SplitType.Line);

        Assert.Equal(["a,1", "b,2", "c,3"], records);
    }

    [Fact]
    public async Task Line_records_longer_than_the_read_buffer_come_out_whole()
    {
        var longLine = new string('x', 200_000);
        var records = await SplitAsync($"{longLine}\nshort\n{longLine}\n", SplitType.Line);

        Assert.Equal([longLine, "short", longLine], records);
    }

    [Fact]
    public async Task None_makes_the_whole_object_one_record()
    {
        var records = await SplitAsync("a\nb\n", SplitType.None);

        Assert.Equal(["a\nb\n"], records);
    }

    [Fact]
    public async Task RecordIO_frames_are_cut_at_their_lengths_and_keep_their_padding()
    {
        var input = Frame("abcde").Concat(Frame("fghi")).ToArray();

        var records = await SplitBytesAsync(input, SplitType.RecordIO, 0);

        Assert.Equal(2, records.Count);
        Assert.Equal(16, records[0].Length);
        Assert.Equal("abcde", Encoding.ASCII.GetString(records[0].Span[8..13]));
        Assert.Equal(12, records[1].Length);
        Assert.Equal(13, RecordSplitter.WithoutRecordIOPadding(records[0]).Length);
    }

    [Fact]
    public async Task Data_that_is_not_RecordIO_is_refused()
    {
        await Assert.ThrowsAsync<InvalidDataException>(() => SplitBytesAsync(Encoding.ASCII.GetBytes("not recordio at all"), SplitType.RecordIO, 0));
    }

    [Fact]
    public async Task A_record_above_the_limit_is_refused_before_it_is_read_whole()
    {
        var tooLong = new string('y', 3_000_000);

        var error = await Assert.ThrowsAsync<RecordTooLargeException>(() => SplitAsync($"ok\n{tooLong}\n", SplitType.Line, maxRecordBytes: 1_000_000));

        Assert.Contains("1000000 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_whole_object_above_the_limit_is_refused_with_SplitType_None()
    {
        await Assert.ThrowsAsync<RecordTooLargeException>(() => SplitAsync(new string('z', 70_000), SplitType.None, maxRecordBytes: 65_536));
    }

    internal static byte[] Frame(string payload)
    {
        var data = Encoding.ASCII.GetBytes(payload);
        var padded = (data.Length + 3) / 4 * 4;
        var frame = new byte[8 + padded];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, 0xCED7230A);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), (uint)data.Length);
        data.CopyTo(frame, 8);
        return frame;
    }

    private static async Task<List<string>> SplitAsync(string text, SplitType split, long maxRecordBytes = 0) =>
        [.. (await SplitBytesAsync(Encoding.UTF8.GetBytes(text), split, maxRecordBytes)).Select(record => Encoding.UTF8.GetString(record.Span))];

    private static async Task<List<ReadOnlyMemory<byte>>> SplitBytesAsync(byte[] bytes, SplitType split, long maxRecordBytes)
    {
        var records = new List<ReadOnlyMemory<byte>>();
        await foreach (var record in RecordSplitter.SplitAsync(new MemoryStream(bytes), split, maxRecordBytes, CancellationToken.None))
        {
            records.Add(record);
        }

        return records;
    }
}
