using ControlPlane.Orchestration.Storage;

namespace ControlPlane.Orchestration.Transform;

/// <summary>One input object and its path relative to the input prefix, which names its output.</summary>
internal sealed record TransformObject(S3Location Input, string RelativePath);

/// <summary>What one instance did: objects done, and the failures (each fails the job; the others still run, as in SageMaker).</summary>
internal sealed record InstanceOutcome(int Transformed, long Records, IReadOnlyList<string> Failures);

/// <summary>
/// Runs one instance's share of a transform job: each object is transformed into a scratch file and uploaded to
/// <c>&lt;S3OutputPath&gt;/&lt;relative path&gt;.out</c> only when all of it succeeded (contract §5.3 step 7).
/// </summary>
internal sealed class TransformRunner(IObjectStore store)
{
    /// <summary>How often a long object reports its progress in the job's log.</summary>
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    public async Task<InstanceOutcome> RunAsync(
        IReadOnlyList<TransformObject> objects,
        IModelInvoker model,
        TransformPlan plan,
        S3Location outputPrefix,
        string scratchDirectory,
        Action<string> log,
        CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(scratchDirectory);
        var transformer = new ObjectTransformer(plan);
        var failures = new List<string>();
        var transformed = 0;
        long records = 0;
        foreach (var item in objects)
        {
            var output = outputPrefix.Append(item.RelativePath + ".out");
            if (output.Error is { } keyError)
            {
                failures.Add($"Failed to transform {item.Input}: its output key is not valid: {keyError.Message}");
                continue;
            }

            var scratch = Path.Combine(scratchDirectory, $"{Guid.NewGuid():N}.out");
            try
            {
                ObjectTransformer.Totals totals;
                await using (var input = await store.OpenReadAsync(item.Input, cancellationToken))
                {
                    if (input is null)
                    {
                        failures.Add($"Failed to transform {item.Input}: the object no longer exists.");
                        continue;
                    }

                    await using var file = new FileStream(scratch, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                    var lastReport = DateTime.UtcNow;
                    totals = await transformer.TransformAsync(input, file, model, item.Input.ToString(), cancellationToken, sent =>
                    {
                        if (DateTime.UtcNow - lastReport >= ProgressInterval)
                        {
                            lastReport = DateTime.UtcNow;
                            log($"Transforming {item.Input}: {sent} records sent so far");
                        }
                    });
                }

                await store.UploadFileAsync(output.Value!, scratch, cancellationToken);
                transformed++;
                records += totals.Records;
                log($"Transformed {item.Input}: {totals.Records} records in {totals.Requests} requests -> {output.Value}");
            }
            catch (TransformFailedException failure)
            {
                failures.Add(failure.Message);
                log(failure.Message);
            }
            finally
            {
                File.Delete(scratch);
            }
        }

        return new InstanceOutcome(transformed, records, failures);
    }
}
