using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Orchestration.Transform;

namespace ControlPlane.Orchestration.Tests.Transform;

/// <summary>
/// A model that answers each CSV line with the sum of its fields (JSON lines: {"score": sum of the array}), after a
/// random delay so that answers come back out of order.
/// </summary>
internal sealed class SummingModel(string? failOn = null, bool oneLineAnswers = false, bool trailingNewline = true) : IModelInvoker
{
    private int _inFlight;

    public ConcurrentQueue<byte[]> Requests { get; } = new();

    public int MaxInFlight { get; private set; }

    public async Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        Requests.Enqueue(payload.ToArray());
        var now = Interlocked.Increment(ref _inFlight);
        lock (Requests) MaxInFlight = Math.Max(MaxInFlight, now);
        try
        {
            await Task.Delay(Random.Shared.Next(0, 3), cancellationToken);
            var text = Encoding.UTF8.GetString(payload.Span);
            if (failOn is not null && text.StartsWith(failOn, StringComparison.Ordinal))
            {
                throw new ModelInvocationException($"the model answered 400 (BadRequest): rejected record {failOn.TrimEnd(',')}");
            }

            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Score).ToList();
            var answer = oneLineAnswers ? string.Concat(lines) : string.Join('\n', lines);
            return Encoding.UTF8.GetBytes(trailingNewline ? answer + "\n" : answer);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static string Score(string line)
    {
        if (line.StartsWith('{') || line.StartsWith('['))
        {
            var node = JsonNode.Parse(line)!;
            var values = node is JsonArray array ? array : node["features"]!.AsArray();
            return new JsonObject { ["score"] = values.Sum(value => value!.GetValue<double>()) }.ToJsonString();
        }

        return line.Split(',').Sum(field => double.Parse(field, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture);
    }
}
