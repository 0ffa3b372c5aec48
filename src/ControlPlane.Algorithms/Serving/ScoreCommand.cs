using System.Diagnostics;
using System.Globalization;

namespace ControlPlane.Algorithms.Serving;

/// <summary>
/// <c>score &lt;model dir&gt; &lt;input&gt; &lt;output&gt; [content type] [accept]</c>: scores a whole file inside this
/// process with what <c>serve</c> runs per request (payload reader, model, response writer), in 6 MB slices of whole
/// lines. Offline batch scoring without HTTP, and the in-process baseline of bench/transform.sh.
/// </summary>
internal static class ScoreCommand
{
    private const int SliceBytes = 6 << 20;

    public static async Task<int> RunAsync(string modelDirectory, string input, string output, string contentType, string? accept)
    {
        var loaded = ModelLoader.Load(modelDirectory);
        if (loaded.Error is { } error)
        {
            await Console.Error.WriteLineAsync(error);
            return 1;
        }

        var (name, model) = loaded.Model!.Value;
        var formats = InferenceFormats.For(name);
        var responseType = formats.Negotiate(accept) ?? formats.DefaultAccept;
        var clock = Stopwatch.StartNew();
        long rows = 0;
        await using var reader = File.OpenRead(input);
        await using var writer = File.Create(output);
        var buffer = new byte[SliceBytes];
        var filled = 0;
        while (true)
        {
            var read = await reader.ReadAsync(buffer.AsMemory(filled));
            filled += read;
            var end = read == 0 ? filled : Array.LastIndexOf(buffer, (byte)'\n', filled - 1) + 1;
            if (end <= 0 && read != 0)
            {
                throw new AlgorithmException($"A line of {input} is longer than {SliceBytes} bytes.");
            }

            if (end > 0)
            {
                var features = PayloadReader.Read(contentType, buffer[..end], model.FeatureCount);
                rows += features.Count;
                await writer.WriteAsync(formats.Write(responseType, model.Score(features)));
                Array.Copy(buffer, end, buffer, 0, filled - end);
                filled -= end;
            }

            if (read == 0)
            {
                break;
            }
        }

        var seconds = clock.Elapsed.TotalSeconds;
        await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"scored {rows} rows in {seconds:0.000} s ({rows / seconds:0} rows/s)"));
        return 0;
    }
}
