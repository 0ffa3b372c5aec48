using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Application.Operations;
using ControlPlane.Core.Documents;
using ControlPlane.Core.Lifecycle;
using ControlPlane.Core.Transform;
using ControlPlane.Orchestration.Hosting;
using ControlPlane.Orchestration.Jobs;
using ControlPlane.Orchestration.Storage;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Orchestration.Transform;

/// <summary>
/// Runs one batch transform job as SageMaker does (contract 3.6, 5.3): the model's containers start with
/// <c>serve</c> (TransformResources.InstanceCount of them, as an endpoint's would), their
/// <c>GET /execution-parameters</c> fills in what the job left unset, the input objects are spread over the
/// instances by key, and each instance transforms its objects into <c>&lt;S3OutputPath&gt;/&lt;relative key&gt;.out</c>.
/// InProgress → Completed | Failed (any object failed: the reason names it; the other objects still ran) |
/// Stopping → Stopped (StopTransformJob cancels the requests in flight).
/// A worker that dies mid-job leaves containers that the next run removes: the job then starts over, which rewrites
/// whole output objects and so gives the same result. The job's log holds the containers' output and a line per object.
/// </summary>
internal sealed partial class TransformJobWorkflow(
    JobDocuments documents,
    JobEntry entry,
    EndpointDeployer deployer,
    DataStager stager,
    IObjectStore store,
    JobWorkspace workspace,
    IOptions<OrchestrationOptions> orchestration,
    IOptions<HostingOptions> hosting,
    ILogger<TransformJobWorkflow> logger)
{
    public const string KindSegment = "transform-jobs";
    private const string StatusMember = "TransformJobStatus";
    private const string DeploymentId = "run";
    private const string VariantName = "model";
    private const int ReasonLength = 1024;
    private static readonly ResourceDescriptor Descriptor = ResourceCatalog.TransformJob;
    private static readonly JobKind Kind = new(Descriptor, StatusMember, "transform-job");
    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    })
    {
        // Each attempt has its own deadline (InvocationsTimeoutInSeconds) in HttpModelInvoker.
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>
    /// The Hangfire entry point, the only one: transform jobs are not started at once (<see cref="ImmediateJobStarts"/>).
    /// Hangfire never retries a transform job; a restart runs it again from the start.
    /// </summary>
    [AutomaticRetry(Attempts = 0)]
    [Queue("jobs")]
    public Task RunAsync(string accountId, string name, CancellationToken cancellationToken) =>
        entry.RunExclusiveAsync(Kind, accountId, name, document => RunLockedAsync(accountId, name, document, cancellationToken), cancellationToken);

    private async Task RunLockedAsync(string accountId, string name, JsonObject document, CancellationToken cancellationToken)
    {
        var job = new EndpointContext(accountId, name, workspace.Root(KindSegment, accountId, name), KindSegment);
        await RemoveLeftoversAsync(job);
        if (document.GetString(StatusMember) == JobStatus.Stopping)
        {
            await FinishAsync(job, JobStatus.Stopped, null, cancellationToken);
            return;
        }

        await documents.UpdateAsync(Descriptor, accountId, name, (d, now) =>
        {
            if (d.GetString(StatusMember) != JobStatus.InProgress || d.ContainsKey("TransformStartTime"))
            {
                return false;
            }

            d["TransformStartTime"] = Timestamps.ToEpochSeconds(now);
            return true;
        }, cancellationToken);

        Directory.CreateDirectory(job.Root);
        await using var log = new JobLog(workspace.LogPath(KindSegment, accountId, name));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stopWatch = WatchForStopAsync(job, stop, cancellationToken);
        var variant = (VariantRecord?)null;
        var instances = new List<ModelInstance>();
        string status;
        string? reason;
        try
        {
            (status, reason) = await TransformAsync(job, document, log, v => variant = v, instances, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            (status, reason) = (JobStatus.Stopped, null);
            log.Write("The transform job was stopped.");
        }
        finally
        {
            await stop.CancelAsync();
            await stopWatch;
            if (variant is not null)
            {
                await deployer.RemoveAsync(variant, instances, hosting.Value.StopGracePeriod, () => SaveInstancesAsync(job, variant));
            }

            // Containers recorded while a stop interrupted their start-up are not among the instances: remove them too.
            await RemoveLeftoversAsync(job);
        }

        await FinishAsync(job, status, reason, cancellationToken);
        EndpointDeployer.TryDeleteDirectory(job.DeploymentDirectory(DeploymentId));
    }

    private async Task<(string Status, string? Reason)> TransformAsync(
        EndpointContext job, JsonObject document, JobLog log, Action<VariantRecord> prepared, List<ModelInstance> instances, CancellationToken cancellationToken)
    {
        var input = document.GetObject("TransformInput")!;
        var source = input.GetObject("DataSource")!.GetObject("S3DataSource")!;
        var dataType = source.GetString("S3DataType") switch
        {
            "S3Prefix" => S3DataType.S3Prefix,
            "ManifestFile" => S3DataType.ManifestFile,
            _ => (S3DataType?)null,
        };
        if (dataType is null)
        {
            return Failed($"ClientError: S3DataType {source.GetString("S3DataType")} is not supported for transform jobs; use S3Prefix or ManifestFile.");
        }

        var inputUri = S3Location.Parse(source.GetString("S3Uri")!);
        var outputUri = S3Location.Parse(document.GetObject("TransformOutput")!.GetString("S3OutputPath")!);
        if ((inputUri.Error ?? outputUri.Error) is { } uriError)
        {
            return Failed($"ClientError: {uriError.Message}");
        }

        if (input.GetString("SplitType") == "TFRecord" && document.GetObject("DataProcessing")?.GetString("JoinSource") == "Input")
        {
            return Failed("ClientError: JoinSource Input is not supported with SplitType TFRecord.");
        }

        var resources = document.GetObject("TransformResources")!;
        var instanceCount = resources.GetInt("InstanceCount") ?? 1;
        var variantResult = await deployer.PrepareModelAsync(
            job, DeploymentId, VariantName, document.GetString("ModelName")!, resources.GetString("InstanceType"), hosting.Value.StartupHealthCheckTimeout, cancellationToken);
        if (!variantResult.Succeeded)
        {
            return Failed($"ClientError: {variantResult.Error!.Message}");
        }

        var variant = variantResult.Value!;
        AddBatchEnvironment(variant.Environment, document);
        prepared(variant);

        var started = await deployer.StartHealthyAsync(job, DeploymentId, variant, instanceCount, () => SaveInstancesAsync(job, variant), cancellationToken);
        if (!started.Succeeded)
        {
            return Failed($"ClientError: {started.Error!.Message}");
        }

        instances.AddRange(started.Value!);
        var logCopies = instances.Select(instance => CopyContainerLogAsync(instance, log, cancellationToken)).ToList();
        var parameters = await ExecutionParameters.ReadAsync(Http, instances[0].Address!, cancellationToken);
        var plan = PlanFor(document, parameters);
        log.Write($"Transforming with BatchStrategy {plan.BatchStrategy}, MaxPayloadInMB {plan.MaxPayloadBytes >> 20}, MaxConcurrentTransforms {plan.MaxConcurrentTransforms} on {instanceCount} instance(s).");

        await store.CreateBucketIfMissingAsync(outputUri.Value!, cancellationToken);
        var timeout = TimeSpan.FromSeconds(document.GetObject("ModelClientConfig")?.GetInt("InvocationsTimeoutInSeconds") ?? 600);
        var retries = document.GetObject("ModelClientConfig")?.GetInt("InvocationsMaxRetries") ?? 3;
        var runner = new TransformRunner(store);
        var runs = new List<Task<InstanceOutcome>>();
        for (var index = 0; index < instances.Count; index++)
        {
            var share = await stager.SelectAsync(new S3DataSource(inputUri.Value!, dataType.Value, S3DataDistribution.ShardedByS3Key), new Shard(index, instances.Count), allowEmpty: false, cancellationToken);
            if (!share.Succeeded)
            {
                return Failed($"ClientError: {share.Error!.Message}");
            }

            var objects = share.Value!.Select(o => new TransformObject(o.Object, o.RelativePath)).ToList();
            var invoker = new HttpModelInvoker(Http, new Uri($"http://{instances[index].Address}/invocations"), plan.ContentType, plan.Accept, timeout, retries);
            runs.Add(runner.RunAsync(objects, invoker, plan, outputUri.Value!, Path.Combine(job.Root, "scratch", index.ToString(CultureInfo.InvariantCulture)), log.Write, cancellationToken));
        }

        var outcomes = await Task.WhenAll(runs);
        await Task.WhenAll(logCopies).WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        var failures = outcomes.SelectMany(o => o.Failures).ToList();
        log.Write($"{outcomes.Sum(o => o.Transformed)} objects ({outcomes.Sum(o => o.Records)} records) transformed, {failures.Count} failed.");
        return failures.Count == 0
            ? (JobStatus.Completed, null)
            : Failed(failures.Count == 1 ? $"ClientError: {failures[0]}" : $"ClientError: {failures.Count} objects failed; the first: {failures[0]}");

        static (string, string?) Failed(string reason) => (JobStatus.Failed, reason);
    }

    private TransformPlan PlanFor(JsonObject document, ExecutionParameters? parameters)
    {
        var input = document.GetObject("TransformInput")!;
        var output = document.GetObject("TransformOutput")!;
        var processing = document.GetObject("DataProcessing");
        // Precedence (contract 5.3): the job's value, then the container's /execution-parameters, then the default.
        var concurrency = document.GetInt("MaxConcurrentTransforms") is > 0 and var given ? given : parameters?.MaxConcurrentTransforms ?? 1;
        var strategy = document.GetString("BatchStrategy") ?? parameters?.BatchStrategy ?? nameof(BatchStrategy.MultiRecord);
        var maxPayloadMb = document.GetInt("MaxPayloadInMB") ?? parameters?.MaxPayloadInMB ?? 6;
        return new TransformPlan(
            Enum.Parse<SplitType>(input.GetString("SplitType") ?? nameof(SplitType.None)),
            input.GetString("CompressionType") == "Gzip",
            Enum.Parse<BatchStrategy>(strategy),
            (long)maxPayloadMb << 20,
            Math.Max(1, concurrency),
            input.GetString("ContentType"),
            output.GetString("Accept"),
            Enum.Parse<AssembleWith>(output.GetString("AssembleWith") ?? nameof(AssembleWith.None)),
            new DataProcessing(
                JsonPathSubset.Parse(processing?.GetString("InputFilter") ?? "$").Value!,
                JsonPathSubset.Parse(processing?.GetString("OutputFilter") ?? "$").Value!,
                Enum.Parse<JoinSource>(processing?.GetString("JoinSource") ?? nameof(JoinSource.None))));
    }

    /// <summary>The job's Environment over the model's, and the batch variables the container contract names.</summary>
    private static void AddBatchEnvironment(Dictionary<string, string> environment, JsonObject document)
    {
        foreach (var (key, value) in document.GetObject("Environment") ?? [])
        {
            environment[key] = value!.GetValue<string>();
        }

        environment["SAGEMAKER_BATCH"] = "true";
        environment["SAGEMAKER_MAX_PAYLOAD_IN_MB"] = (document.GetInt("MaxPayloadInMB") ?? 6).ToString(CultureInfo.InvariantCulture);
        if (document.GetString("BatchStrategy") is { } strategy)
        {
            environment["SAGEMAKER_BATCH_STRATEGY"] = strategy == nameof(BatchStrategy.SingleRecord) ? "SINGLE_RECORD" : "MULTI_RECORD";
        }

        if (document.GetInt("MaxConcurrentTransforms") is > 0 and var concurrency)
        {
            environment["SAGEMAKER_MAX_CONCURRENT_TRANSFORMS"] = concurrency.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Polls for StopTransformJob and cancels the run when it comes.</summary>
    private async Task WatchForStopAsync(EndpointContext job, CancellationTokenSource stop, CancellationToken cancellationToken)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(orchestration.Value.StopPollInterval, stop.Token);
                var current = await documents.ReadAsync(Descriptor, job.AccountId, job.Name, cancellationToken);
                if (current?.GetString(StatusMember) == JobStatus.Stopping)
                {
                    await stop.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended, or was stopped.
        }
    }

    private static async Task CopyContainerLogAsync(ModelInstance instance, JobLog log, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var line in instance.Handle.FollowLogAsync(cancellationToken))
            {
                log.Write(line);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or Runtimes.ContainerRuntimeException)
        {
            // The job ended or the container went away; the log keeps what arrived.
        }
    }

    private static string InstancesPath(EndpointContext job) => Path.Combine(job.Root, "instances.json");

    /// <summary>Keeps the containers' ids beside the job as they start, so a later run can remove them.</summary>
    private static async Task SaveInstancesAsync(EndpointContext job, VariantRecord variant)
    {
        Directory.CreateDirectory(job.Root);
        await File.WriteAllTextAsync(InstancesPath(job), JsonSerializer.Serialize(variant.Instances));
    }

    /// <summary>Containers and scratch files an earlier run of this job left when its worker died.</summary>
    private async Task RemoveLeftoversAsync(EndpointContext job)
    {
        if (File.Exists(InstancesPath(job)))
        {
            var records = JsonSerializer.Deserialize<List<InstanceRecord>>(await File.ReadAllTextAsync(InstancesPath(job))) ?? [];
            var leftovers = new List<ModelInstance>();
            foreach (var record in records)
            {
                if (await deployer.AttachAsync(record, CancellationToken.None) is { } instance)
                {
                    leftovers.Add(instance);
                }
            }

            var variant = new VariantRecord { Name = VariantName, Image = "", Environment = [], ModelDirectory = "", Instances = records };
            await deployer.RemoveAsync(variant, leftovers, TimeSpan.Zero, () => SaveInstancesAsync(job, variant));
            if (leftovers.Count > 0)
            {
                LogLeftoversRemoved(logger, job.Name, leftovers.Count);
            }
        }

        EndpointDeployer.TryDeleteDirectory(Path.Combine(job.Root, "scratch"));
        EndpointDeployer.TryDeleteDirectory(job.DeploymentDirectory(DeploymentId));
    }

    private async Task FinishAsync(EndpointContext job, string status, string? reason, CancellationToken cancellationToken)
    {
        var final = status;
        await documents.UpdateAsync(Descriptor, job.AccountId, job.Name, (d, now) =>
        {
            if (JobStatus.IsTerminal(d.GetString(StatusMember)!))
            {
                return false;
            }

            // A stop requested while the job was finishing still ends it Stopped.
            final = d.GetString(StatusMember) == JobStatus.Stopping && status == JobStatus.Completed ? JobStatus.Stopped : status;
            d[StatusMember] = final;
            d["TransformEndTime"] = Timestamps.ToEpochSeconds(now);
            if (final == JobStatus.Failed && reason is not null)
            {
                d["FailureReason"] = reason.Length <= ReasonLength ? reason : reason[..ReasonLength];
            }

            return true;
        }, cancellationToken);
        LogFinished(logger, job.Name, final);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Transform job {Name} ended {Status}")]
    private static partial void LogFinished(ILogger logger, string name, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Transform job {Name}: removed {Count} containers left by an interrupted start or an earlier run")]
    private static partial void LogLeftoversRemoved(ILogger logger, string name, int count);

    /// <summary>The job's log: container output and progress lines, appended as they come, readable while written.</summary>
    private sealed class JobLog(string path) : IAsyncDisposable
    {
        private readonly StreamWriter _writer = new(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false)) { AutoFlush = true };

        public void Write(string line)
        {
            lock (_writer)
            {
                _writer.WriteLine(line);
            }
        }

        public ValueTask DisposeAsync() => _writer.DisposeAsync();
    }
}

/// <summary>What a container answers at <c>GET /execution-parameters</c>, when it answers.</summary>
internal sealed record ExecutionParameters(int? MaxConcurrentTransforms, string? BatchStrategy, int? MaxPayloadInMB)
{
    public static async Task<ExecutionParameters?> ReadAsync(HttpClient http, string address, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            using var response = await http.GetAsync(new Uri($"http://{address}/execution-parameters"), timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(timeout.Token)) as JsonObject;
            return new ExecutionParameters(
                body?.GetInt("MaxConcurrentTransforms"),
                body?.GetString("BatchStrategy") switch
                {
                    "SINGLE_RECORD" => nameof(Transform.BatchStrategy.SingleRecord),
                    "MULTI_RECORD" => nameof(Transform.BatchStrategy.MultiRecord),
                    _ => null,
                },
                body?.GetInt("MaxPayloadInMB"));
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The endpoint is optional (contract 5.3).
            return null;
        }
    }
}
