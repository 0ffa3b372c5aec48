using System.Runtime.CompilerServices;

namespace ControlPlane.Orchestration.Runtimes;

/// <summary>Reads the output file of a Process-runtime container: its last lines, or all of it while it grows.</summary>
internal static class LogFile
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public static async Task<IReadOnlyList<string>> TailAsync(string path, int lines, CancellationToken ct)
    {
        if (lines <= 0 || !File.Exists(path))
        {
            return [];
        }

        await using var stream = Open(path);
        // Read backwards in blocks until the block holds more line ends than lines wanted, so large logs cost little.
        const int blockSize = 64 * 1024;
        var position = stream.Length;
        var blocks = new List<byte[]>();
        var lineEnds = 0;
        while (position > 0 && lineEnds <= lines)
        {
            var size = (int)Math.Min(blockSize, position);
            position -= size;
            var block = new byte[size];
            stream.Position = position;
            await stream.ReadExactlyAsync(block, ct);
            lineEnds += block.Count(b => b == (byte)'\n');
            blocks.Insert(0, block);
        }

        var assembler = new LineAssembler();
        var all = new List<string>();
        foreach (var block in blocks)
        {
            assembler.Add(block, all);
        }

        if (assembler.Flush() is { } last)
        {
            all.Add(last);
        }

        // The first line may have been cut by the block boundary; it is only kept when it falls outside the tail anyway.
        return all.Count > lines ? all[^lines..] : all;
    }

    /// <summary>Every line from the start, then new lines as they are written, until <paramref name="hasExited"/> says the writer is gone.</summary>
    public static async IAsyncEnumerable<string> FollowAsync(string path, Func<bool> hasExited, [EnumeratorCancellation] CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            yield break;
        }

        await using var stream = Open(path);
        var assembler = new LineAssembler();
        var buffer = new byte[16 * 1024];
        var lines = new List<string>();
        var exited = false;
        while (true)
        {
            var read = await stream.ReadAsync(buffer, ct);
            if (read > 0)
            {
                assembler.Add(buffer.AsSpan(0, read), lines);
                foreach (var line in lines)
                {
                    yield return line;
                }

                lines.Clear();
                continue;
            }

            if (exited)
            {
                break;
            }

            // Read once more after seeing the exit: the last writes may have landed after the read that came up empty.
            exited = hasExited();
            if (!exited)
            {
                await Task.Delay(PollInterval, ct);
            }
        }

        if (assembler.Flush() is { } last)
        {
            yield return last;
        }
    }

    private static FileStream Open(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, useAsync: false);
}
