using System.Buffers;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ControlPlane.Core.Transform;

namespace ControlPlane.Orchestration.Transform;

/// <summary>
/// Turns one input object into its output (contract §5.3 steps 2–6): decompress, split into records, apply the
/// input filter, pack requests (one record each, or as many whole records as fit in MaxPayloadInMB), keep up to
/// MaxConcurrentTransforms requests in flight, and write the answers in input order, joined and filtered per record
/// when DataProcessing asks for it. Throws <see cref="TransformFailedException"/> with a message fit for the job's
/// FailureReason.
/// </summary>
internal sealed class ObjectTransformer(TransformPlan plan)
{
    private static readonly byte[] Newline = "\n"u8.ToArray();

    /// <summary>Counts what went through, for progress lines in the job's log.</summary>
    public sealed record Totals(long Records, long Requests);

    /// <summary>Transforms one object; <paramref name="progress"/> hears the records sent so far after each request is sent.</summary>
    public async Task<Totals> TransformAsync(
        Stream input, Stream output, IModelInvoker model, string objectName, CancellationToken cancellationToken, Action<long>? progress = null)
    {
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inFlight = new Queue<(Batch Batch, Task<byte[]> Answer)>();
        long records = 0, requests = 0;
        try
        {
            var content = plan.Gzip ? new GZipStream(input, CompressionMode.Decompress, leaveOpen: true) : input;
            await using (content.ConfigureAwait(false))
            {
                await foreach (var batch in BatchesAsync(content, failFast.Token))
                {
                    if (inFlight.Count == plan.MaxConcurrentTransforms)
                    {
                        await WriteOldestAsync(inFlight, output, failFast.Token);
                    }

                    inFlight.Enqueue((batch, model.InvokeAsync(batch.Payload, failFast.Token)));
                    records += batch.Count;
                    requests++;
                    progress?.Invoke(records);
                }

                while (inFlight.Count > 0)
                {
                    await WriteOldestAsync(inFlight, output, failFast.Token);
                }
            }

            return new Totals(records, requests);
        }
        catch (Exception exception) when (exception is RecordTooLargeException or InvalidDataException or ModelInvocationException or JsonException)
        {
            await failFast.CancelAsync();
            await DrainAsync(inFlight);
            throw new TransformFailedException($"Failed to transform {objectName}: {exception.Message}", exception);
        }
        catch
        {
            await failFast.CancelAsync();
            await DrainAsync(inFlight);
            throw;
        }
    }

    private static async Task DrainAsync(Queue<(Batch Batch, Task<byte[]> Answer)> inFlight)
    {
        foreach (var (_, answer) in inFlight)
        {
            try
            {
                await answer;
            }
            catch (Exception exception) when (exception is OperationCanceledException or ModelInvocationException)
            {
                // The object has failed already; these answers are not wanted.
            }
        }
    }

    private async Task WriteOldestAsync(Queue<(Batch Batch, Task<byte[]> Answer)> inFlight, Stream output, CancellationToken cancellationToken)
    {
        var (batch, answer) = inFlight.Dequeue();
        var body = await answer;
        if (!plan.DataProcessing.NeedsRecordOutputs)
        {
            await output.WriteAsync(body, cancellationToken);
            if (plan.AssembleWith == AssembleWith.Line && (body.Length == 0 || body[^1] != '\n'))
            {
                await output.WriteAsync(Newline, cancellationToken);
            }

            return;
        }

        var outputs = RecordOutputs(body, batch.Count);
        for (var i = 0; i < outputs.Count; i++)
        {
            var result = Finish(batch.Originals?[i], outputs[i]);
            await output.WriteAsync(result, cancellationToken);
            if (plan.AssembleWith == AssembleWith.Line) await output.WriteAsync(Newline, cancellationToken);
        }
    }

    /// <summary>One answer per record: the whole body for one record, else one line per record.</summary>
    private static List<ReadOnlyMemory<byte>> RecordOutputs(byte[] body, int count)
    {
        var text = body.AsMemory();
        while (text.Length > 0 && text.Span[^1] is (byte)'\n' or (byte)'\r') text = text[..^1];
        if (count == 1) return [text];
        var lines = new List<ReadOnlyMemory<byte>>(count);
        while (true)
        {
            var newline = text.Span.IndexOf((byte)'\n');
            var line = newline < 0 ? text : text[..newline];
            if (line.Length > 0 && line.Span[^1] == '\r') line = line[..^1];
            lines.Add(line);
            if (newline < 0) break;
            text = text[(newline + 1)..];
        }

        return lines.Count == count
            ? lines
            : throw new InvalidDataException($"the model answered {lines.Count} lines for a request of {count} records, so outputs cannot be matched to their records for JoinSource or OutputFilter");
    }

    private byte[] Finish(ReadOnlyMemory<byte>? original, ReadOnlyMemory<byte> modelOutput)
    {
        var processing = plan.DataProcessing;
        if (processing.JoinSource == JoinSource.None)
        {
            return RecordCodec.Write(processing.OutputFilter.Select(RecordCodec.Parse(modelOutput.Span, plan.OutputFormat)) ?? throw Missing(processing.OutputFilter), plan.OutputFormat);
        }

        var input = original!.Value;
        if (plan.InputFormat == RecordFormat.Csv)
        {
            var joined = new byte[input.Length + 1 + modelOutput.Length];
            input.Span.CopyTo(joined);
            joined[input.Length] = (byte)',';
            modelOutput.Span.CopyTo(joined.AsSpan(input.Length + 1));
            return processing.OutputFilter.IsIdentity
                ? joined
                : RecordCodec.Write(processing.OutputFilter.Select(RecordCodec.Parse(joined, RecordFormat.Csv)) ?? throw Missing(processing.OutputFilter), RecordFormat.Csv);
        }

        var record = RecordCodec.Parse(input.Span, RecordFormat.Json);
        var prediction = RecordCodec.ParseLenient(modelOutput.Span);
        System.Text.Json.Nodes.JsonNode combined = record is System.Text.Json.Nodes.JsonObject inputObject
            ? inputObject
            : new System.Text.Json.Nodes.JsonObject { ["SageMakerInput"] = record };
        combined["SageMakerOutput"] = prediction;
        return RecordCodec.Write(processing.OutputFilter.Select(combined) ?? throw Missing(processing.OutputFilter), RecordFormat.Json);
    }

    private static InvalidDataException Missing(JsonPathSubset filter) =>
        new($"the filter '{filter.Text}' selects nothing in a record");

    private async IAsyncEnumerable<Batch> BatchesAsync(Stream content, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var single = plan.BatchStrategy == BatchStrategy.SingleRecord;
        var lineRecords = plan.SplitType == SplitType.Line;
        var keepOriginals = plan.DataProcessing.JoinSource == JoinSource.Input;
        var pending = new ArrayBufferWriter<byte>();
        var originals = keepOriginals ? new List<ReadOnlyMemory<byte>>() : null;
        var count = 0;

        await foreach (var record in RecordSplitter.SplitAsync(content, plan.SplitType, plan.MaxPayloadBytes, cancellationToken))
        {
            var request = plan.DataProcessing.InputFilter.IsIdentity
                ? record
                : RecordCodec.Write(plan.DataProcessing.InputFilter.Select(RecordCodec.Parse(record.Span, plan.InputFormat)) ?? throw Missing(plan.DataProcessing.InputFilter), plan.InputFormat);
            if (single && plan.SplitType == SplitType.RecordIO) request = RecordSplitter.WithoutRecordIOPadding(request);
            var size = request.Length + (lineRecords ? 1 : 0);
            if (plan.MaxPayloadBytes > 0 && size > plan.MaxPayloadBytes)
            {
                throw new RecordTooLargeException(size, plan.MaxPayloadBytes);
            }

            if (count > 0 && (single || (plan.MaxPayloadBytes > 0 && pending.WrittenCount + size > plan.MaxPayloadBytes)))
            {
                yield return new Batch(pending.WrittenMemory.ToArray(), count, originals?.ToArray());
                pending.Clear();
                originals?.Clear();
                count = 0;
            }

            pending.Write(request.Span);
            if (lineRecords) pending.Write(Newline);
            originals?.Add(record);
            count++;
        }

        if (count > 0) yield return new Batch(pending.WrittenMemory.ToArray(), count, originals?.ToArray());
    }

    private sealed record Batch(byte[] Payload, int Count, ReadOnlyMemory<byte>[]? Originals);
}

/// <summary>An object could not be transformed; the message names it and says why.</summary>
internal sealed class TransformFailedException(string message, Exception innerException) : Exception(message, innerException);
