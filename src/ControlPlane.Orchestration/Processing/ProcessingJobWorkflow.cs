using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Application.Operations;
using ControlPlane.Core.Documents;
using ControlPlane.Core.Errors;
using ControlPlane.Core.Lifecycle;
using ControlPlane.Orchestration.Jobs;
using ControlPlane.Orchestration.Runtimes;
using ControlPlane.Orchestration.Storage;
using Hangfire;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Orchestration.Processing;

/// <summary>
/// Runs one processing job as SageMaker does (contract 3.2, 5.4): InProgress (inputs staged from the object store to
/// their LocalPath, config files written, the image pulled and run with its own or the given entrypoint and arguments)
/// → Completed (every output uploaded to its S3Uri) | Failed | Stopping → Stopped. The first 1 KB of
/// /opt/ml/output/message becomes ExitMessage in every terminal state.
/// ClusterConfig.InstanceCount &gt; 1 runs one container per host (algo-1..N) on a network of their own, each with its
/// share of ShardedByS3Key inputs; the job completes only if every container exits 0, and every host's outputs go to
/// their S3Uri. S3UploadMode Continuous outputs are uploaded while the job runs, EndOfJob ones when it completes (a
/// failed or stopped job uploads no EndOfJob output: SageMaker uploads "after the job completes").
/// Not supported (the job fails with a ClientError): Pipe input mode, DatasetDefinition inputs, FeatureStoreOutput.
/// A job over MaxRuntimeInSeconds ends Stopped with a FailureReason that says so.
/// As for training, the container ids are kept in the job's workspace so a worker that dies mid-job is replaced by one
/// that re-attaches to the running containers, and a distributed lock keeps two workers off one job.
/// </summary>
internal sealed partial class ProcessingJobWorkflow(
    JobDocuments documents,
    IContainerRuntime runtime,
    ContainerJobSupervisor supervisor,
    JobEntry entry,
    DataStager stager,
    IObjectStore store,
    JobWorkspace workspace,
    TimeProvider time,
    ILogger<ProcessingJobWorkflow> logger)
{
    public const string KindSegment = "processing-jobs";
    private const string StatusMember = "ProcessingJobStatus";
    private const string ContainerMlRoot = "/opt/ml";
    private const int ReasonLength = 1024;

    private static readonly ResourceDescriptor Descriptor = ResourceCatalog.ProcessingJob;
    private static readonly JobKind Kind = new(Descriptor, StatusMember, "processing-job");

    /// <summary>
    /// The Hangfire entry point; it returns at once for a job this process already runs (<see cref="ImmediateJobStarts"/>).
    /// Hangfire never retries a processing job.
    /// </summary>
    [AutomaticRetry(Attempts = 0)]
    [Queue("jobs")]
    public Task RunAsync(string accountId, string name, CancellationToken cancellationToken) =>
        entry.RunQueuedAsync(LockName(accountId, name), () => RunNowAsync(accountId, name, cancellationToken));

    /// <summary>The job's lock, also its key among the jobs <see cref="ImmediateJobStarts"/> runs.</summary>
    public static string LockName(string accountId, string name) => Kind.LockName(accountId, name);

    /// <summary>Runs the job here, unless another worker holds its lock or it has ended.</summary>
    public Task RunNowAsync(string accountId, string name, CancellationToken cancellationToken) =>
        entry.RunExclusiveAsync(Kind, accountId, name, document => RunGuardedAsync(accountId, name, document, cancellationToken), cancellationToken);

    /// <summary>An unforeseen error (the container runtime failing, say) fails the job instead of leaving it InProgress.</summary>
    private async Task RunGuardedAsync(string accountId, string name, JsonObject document, CancellationToken cancellationToken)
    {
        try
        {
            await RunLockedAsync(accountId, name, document, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogInternalError(logger, e, name);
            var root = workspace.Root(KindSegment, accountId, name);
            await supervisor.DiscardAsync(Directory.Exists(root) ? Directory.GetFiles(root, "*.container.id") : []);
            await FinishAsync(new JobContext(accountId, name, root, JobWorkspace.Hosts(1)), Outcome.Failed($"InternalServerError: {e.Message}"), cancellationToken);
        }
    }

    private async Task RunLockedAsync(string accountId, string name, JsonObject document, CancellationToken cancellationToken)
    {
        var instanceCount = document.GetObject("ProcessingResources")?.GetObject("ClusterConfig")?.GetInt("InstanceCount") ?? 1;
        var job = new JobContext(accountId, name, workspace.Root(KindSegment, accountId, name), JobWorkspace.Hosts(instanceCount));
        var idPaths = job.Hosts.Select(job.ContainerIdPath).ToList();
        if (document.GetString(StatusMember) == JobStatus.Stopping && !idPaths.Any(File.Exists))
        {
            await FinishAsync(job, Outcome.Stopped(), cancellationToken);
            return;
        }

        var cluster = await supervisor.AttachOrStartAsync(idPaths, () => PrepareAndStartAsync(job, document, cancellationToken), cancellationToken);
        if (cluster.Handles is not { } handles)
        {
            // Processing jobs have no RetryStrategy: containers lost with a dead worker fail the job.
            await FinishAsync(job, Outcome.Failed(cluster.Error?.Message ?? "InternalServerError: The processing containers are gone: the worker running the job stopped and they did not outlive it."), cancellationToken);
            await runtime.RemoveNetworkAsync(job.NetworkName, CancellationToken.None);
            return;
        }

        // The start time is read again: a job that re-attached keeps the one its first run recorded.
        document = await documents.ReadAsync(Descriptor, job.AccountId, job.Name, cancellationToken) ?? document;
        var outcome = await SuperviseAsync(job, document, [.. handles.Select((h, i) => new SupervisedContainer(h, job.LogPath(job.Hosts[i])))], cancellationToken);
        if (outcome.Status == JobStatus.Completed && await UploadOutputsAsync(job, document, cancellationToken) is { } uploadFailure)
        {
            outcome = Outcome.Failed(uploadFailure);
        }

        await FinishAsync(job, outcome, cancellationToken);
        await ContainerJobSupervisor.RemoveAllAsync(handles);
        await runtime.RemoveNetworkAsync(job.NetworkName, CancellationToken.None);
    }

    private async Task<Result<IReadOnlyList<IContainerHandle>>> PrepareAndStartAsync(JobContext job, JsonObject document, CancellationToken cancellationToken)
    {
        // A previous attempt that died before its containers started leaves a partial tree: start clean.
        if (Directory.Exists(job.Root))
        {
            Directory.Delete(job.Root, recursive: true);
        }

        foreach (var host in job.Hosts)
        {
            // Before the containers are created: the engine refuses a mount whose host path does not exist.
            Directory.CreateDirectory(Path.Combine(job.MlRoot(host), "output"));
            Directory.CreateDirectory(Path.Combine(job.MlRoot(host), "processing"));
        }

        // Start-up latency, as for training jobs: the start time is written and the inputs staged while the image is
        // checked and the containers created; they start once the inputs are in place.
        var started = Task.Run(() => MarkStartedAsync(job, cancellationToken), CancellationToken.None);
        try
        {
            var image = document.GetObject("AppSpecification")!.GetString("ImageUri")!;
            var isolated = document.GetObject("NetworkConfig")?.GetBool("EnableNetworkIsolation") == true;
            return await supervisor.StageAndStartClusterAsync(
                () => StageAsync(job, document, cancellationToken),
                [.. job.Hosts.Select(host => ContainerSpecFor(job, host, document, image, isolated))],
                error => ApiError.Validation($"ClientError: The processing image {image} could not be pulled: {error.Message}"),
                job.NetworkName,
                isolated,
                cancellationToken);
        }
        finally
        {
            await started;
        }
    }

    private Task MarkStartedAsync(JobContext job, CancellationToken cancellationToken) =>
        documents.UpdateAsync(Descriptor, job.AccountId, job.Name, (d, now) =>
        {
            if (d.GetString(StatusMember) != JobStatus.InProgress || d.ContainsKey("ProcessingStartTime"))
            {
                return false;
            }

            d["ProcessingStartTime"] = Timestamps.ToEpochSeconds(now);
            return true;
        }, cancellationToken);

    /// <summary>Every host's inputs, output directories and config files; the error that stopped it, if any.</summary>
    private async Task<ApiError?> StageAsync(JobContext job, JsonObject document, CancellationToken cancellationToken)
    {
        for (var index = 0; index < job.Hosts.Count; index++)
        {
            var host = job.Hosts[index];
            foreach (var input in document.GetArray("ProcessingInputs").Objects())
            {
                var staged = await StageInputAsync(job, host, new Shard(index, job.Hosts.Count), input, cancellationToken);
                if (!staged.Succeeded)
                {
                    return staged.Error!;
                }
            }

            foreach (var output in document.GetObject("ProcessingOutputConfig")?.GetArray("Outputs").Objects() ?? [])
            {
                var name = output.GetString("OutputName")!;
                if (output.GetObject("S3Output") is not { } s3)
                {
                    if (output.GetBool("AppManaged") == true)
                    {
                        continue;
                    }

                    return ApiError.Validation($"ClientError: Output {name} has no S3Output; FeatureStoreOutput is not supported.");
                }

                if (s3.GetString("LocalPath") is { } localPath)
                {
                    var directory = HostPath(job, host, localPath);
                    if (directory is null)
                    {
                        return ApiError.Validation($"ClientError: Output {name}: LocalPath {localPath} is not under /opt/ml/processing/.");
                    }

                    Directory.CreateDirectory(directory);
                }
            }

            await ProcessingConfigFiles.WriteAsync(Path.Combine(job.MlRoot(host), "config"), document, host, job.Hosts, cancellationToken);
        }

        return null;
    }

    private async Task<Result<bool>> StageInputAsync(JobContext job, string host, Shard shard, JsonObject input, CancellationToken cancellationToken)
    {
        var name = input.GetString("InputName")!;
        if (input.GetObject("S3Input") is not { } s3)
        {
            return input.GetBool("AppManaged") == true && input.GetObject("DatasetDefinition") is null
                ? true
                : ApiError.Validation($"ClientError: Input {name} has no S3Input; DatasetDefinition inputs are not supported.");
        }

        if (s3.GetString("LocalPath") is not { } localPath)
        {
            // An app-managed input without a LocalPath is fetched by the program itself.
            return true;
        }

        if (s3.GetString("S3InputMode") == "Pipe")
        {
            return ApiError.Validation($"ClientError: Input {name}: S3InputMode Pipe is not supported for processing jobs; use File.");
        }

        if (s3.GetString("S3CompressionType") is { } compression && compression != "None")
        {
            return ApiError.Validation($"ClientError: Input {name}: S3CompressionType {compression} is only valid with S3InputMode Pipe.");
        }

        var directory = HostPath(job, host, localPath);
        if (directory is null)
        {
            return ApiError.Validation($"ClientError: Input {name}: LocalPath {localPath} is not under /opt/ml/processing/.");
        }

        var uri = S3Location.Parse(s3.GetString("S3Uri")!);
        if (!uri.Succeeded)
        {
            return ApiError.Validation($"ClientError: Input {name}: {uri.Error!.Message}");
        }

        var dataType = s3.GetString("S3DataType") switch
        {
            "S3Prefix" => S3DataType.S3Prefix,
            "ManifestFile" => S3DataType.ManifestFile,
            _ => (S3DataType?)null,
        };
        if (dataType is null)
        {
            return ApiError.Validation($"ClientError: Input {name}: S3DataType {s3.GetString("S3DataType")} is not supported; use S3Prefix or ManifestFile.");
        }

        var distribution = s3.GetString("S3DataDistributionType") == "ShardedByS3Key" ? S3DataDistribution.ShardedByS3Key : S3DataDistribution.FullyReplicated;
        var staged = await stager.StageAsync(new S3DataSource(uri.Value!, dataType.Value, distribution), directory, shard, cancellationToken);
        return staged.Succeeded ? true : ApiError.Validation($"ClientError: Input {name}: {staged.Error!.Message}");
    }

    /// <summary>
    /// Where a container path under /opt/ml/processing/ lives in the workspace (the container sees the workspace's
    /// opt/ml at /opt/ml); null for a path that would leave it.
    /// </summary>
    private static string? HostPath(JobContext job, string host, string localPath)
    {
        const string Prefix = ContainerMlRoot + "/processing/";
        if (!localPath.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var processing = Path.GetFullPath(Path.Combine(job.MlRoot(host), "processing"));
        var path = Path.GetFullPath(Path.Combine(processing, localPath[Prefix.Length..].TrimEnd('/')));
        return path.StartsWith(processing + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? path : null;
    }

    private static ContainerSpec ContainerSpecFor(JobContext job, string host, JsonObject document, string image, bool isolated)
    {
        // Contract 5.4: the entrypoint replaces the image's ENTRYPOINT and CMD; the arguments replace CMD. No train/serve.
        var app = document.GetObject("AppSpecification")!;
        var entrypoint = app.GetArray("ContainerEntrypoint")?.Select(a => a!.GetValue<string>()).ToList();
        var arguments = app.GetArray("ContainerArguments")?.Select(a => a!.GetValue<string>()).ToList() ?? [];
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in document.GetObject("Environment") ?? [])
        {
            environment[key] = value!.GetValue<string>();
        }

        return new ContainerSpec(
            Name: $"cp-{job.AccountId}-proc-{job.Name}-{host}",
            Image: image,
            Entrypoint: entrypoint,
            Arguments: arguments,
            Environment: environment,
            Mounts: [new VolumeMount(job.MlRoot(host), ContainerMlRoot, ReadOnly: false)],
            Network: job.Hosts.Count > 1 ? job.NetworkName : null,
            Hostname: host,
            Limits: ResourceLimits.ForInstanceType(document.GetObject("ProcessingResources")?.GetObject("ClusterConfig")?.GetString("InstanceType")),
            NetworkIsolation: isolated,
            Ports: [],
            Labels: new Dictionary<string, string>
            {
                ["controlplane.kind"] = KindSegment,
                ["controlplane.account"] = job.AccountId,
                ["controlplane.job"] = job.Name,
                ["controlplane.host"] = host,
            },
            WorkDirectory: job.HostRoot(host));
    }

    /// <summary>
    /// Copies the logs, uploads Continuous outputs as they are written, and ends the containers on StopProcessingJob or
    /// when MaxRuntimeInSeconds runs out.
    /// </summary>
    private async Task<Outcome> SuperviseAsync(JobContext job, JsonObject document, IReadOnlyList<SupervisedContainer> containers, CancellationToken cancellationToken)
    {
        var continuous = Outputs(job, document)
            .Where(o => o.Continuous && o.Error is null)
            .Select(o => new ContinuousUpload(store, o.Directory, o.Uri))
            .ToList();
        var maxRuntimeSeconds = document.GetObject("StoppingCondition")?.GetInt("MaxRuntimeInSeconds") ?? 86400;
        var startedAt = Timestamps.FromEpochSeconds(document.GetDouble("ProcessingStartTime") ?? Timestamps.ToEpochSeconds(time.GetUtcNow()));

        async Task<StopRequest?> CheckStopAsync(CancellationToken token)
        {
            foreach (var upload in continuous)
            {
                await upload.SyncAsync(token);
            }

            var current = await documents.ReadAsync(Descriptor, job.AccountId, job.Name, token);
            if (current?.GetString(StatusMember) == JobStatus.Stopping)
            {
                return new StopRequest(JobStatus.Stopped);
            }

            if (time.GetUtcNow() - startedAt < TimeSpan.FromSeconds(maxRuntimeSeconds))
            {
                return null;
            }

            await documents.UpdateAsync(Descriptor, job.AccountId, job.Name, (d, _) =>
            {
                if (d.GetString(StatusMember) != JobStatus.InProgress)
                {
                    return false;
                }

                d[StatusMember] = JobStatus.Stopping;
                return true;
            }, token);
            return new StopRequest($"MaxRuntimeExceeded: The processing job ran longer than MaxRuntimeInSeconds ({maxRuntimeSeconds}) and was stopped.");
        }

        var exit = await supervisor.SuperviseAsync(containers, onLine: null, CheckStopAsync, cancellationToken);
        if (exit.StoppedBy is { } stop)
        {
            return stop.Reason == JobStatus.Stopped ? Outcome.Stopped() : Outcome.Stopped(stop.Reason);
        }

        if (exit.ExitCode == 0)
        {
            return Outcome.Completed();
        }

        var tail = await containers[exit.Index].Handle.TailLogAsync(10, CancellationToken.None);
        var where = job.Hosts.Count > 1 ? $" on {job.Hosts[exit.Index]}" : string.Empty;
        return Outcome.Failed($"AlgorithmError: The processing container{where} exited with code {exit.ExitCode}. Last log lines: {string.Join(" | ", tail)}") with { Host = job.Hosts[exit.Index] };
    }

    /// <summary>
    /// Every S3Output's LocalPath, on every host, goes to its S3Uri (keys relative to the directory; Continuous ones
    /// again, for what changed since their last upload). Returns a failure reason.
    /// </summary>
    private async Task<string?> UploadOutputsAsync(JobContext job, JsonObject document, CancellationToken cancellationToken)
    {
        foreach (var output in Outputs(job, document))
        {
            if (output.Error is { } error)
            {
                return $"ClientError: Output {output.Name}: {error}";
            }

            try
            {
                await store.CreateBucketIfMissingAsync(output.Uri, cancellationToken);
                var uploaded = await stager.UploadDirectoryAsync(output.Directory, output.Uri, cancellationToken);
                if (!uploaded.Succeeded)
                {
                    return $"ClientError: Output {output.Name}: {uploaded.Error!.Message}";
                }
            }
            catch (ObjectStoreException e)
            {
                return $"ClientError: Output {output.Name}: uploading to {output.Uri} failed: {e.Message}";
            }
        }

        return null;
    }

    /// <summary>The S3 outputs with a LocalPath, one per host; an S3Uri that does not parse carries its error.</summary>
    private static IEnumerable<OutputPlan> Outputs(JobContext job, JsonObject document)
    {
        foreach (var output in document.GetObject("ProcessingOutputConfig")?.GetArray("Outputs").Objects() ?? [])
        {
            if (output.GetObject("S3Output") is not { } s3 || s3.GetString("LocalPath") is not { } localPath)
            {
                continue;
            }

            var uri = S3Location.Parse(s3.GetString("S3Uri")!);
            foreach (var host in job.Hosts)
            {
                if (HostPath(job, host, localPath) is { } directory)
                {
                    yield return new OutputPlan(output.GetString("OutputName")!, directory, uri.Value!, s3.GetString("S3UploadMode") == "Continuous", uri.Error?.Message);
                }
            }
        }
    }

    private async Task FinishAsync(JobContext job, Outcome outcome, CancellationToken cancellationToken)
    {
        var exitMessage = await ReadExitMessageAsync(job, outcome.Host);
        var status = outcome.Status;
        await documents.UpdateAsync(Descriptor, job.AccountId, job.Name, (d, now) =>
        {
            if (JobStatus.IsTerminal(d.GetString(StatusMember)!))
            {
                return false;
            }

            // A stop requested while the job was finishing still ends it Stopped, as SageMaker reports it.
            status = d.GetString(StatusMember) == JobStatus.Stopping && outcome.Status == JobStatus.Completed ? JobStatus.Stopped : outcome.Status;
            d[StatusMember] = status;
            d["ProcessingEndTime"] = Timestamps.ToEpochSeconds(now);
            if (outcome.FailureReason is { } reason)
            {
                d["FailureReason"] = Truncate(reason);
            }

            if (exitMessage is not null)
            {
                d["ExitMessage"] = exitMessage;
            }

            return true;
        }, cancellationToken);
        LogFinished(logger, job.Name, status);
    }

    /// <summary>The first 1 KB of /opt/ml/output/message, as UTF-8 text; null when the program wrote none.</summary>
    private static async Task<string?> ReadExitMessageAsync(JobContext job, string host)
    {
        var path = Path.Combine(job.MlRoot(host), "output", "message");
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var buffer = new byte[ReasonLength];
            var length = await file.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, CancellationToken.None);
            return Truncate(Encoding.UTF8.GetString(buffer, 0, length).TrimEnd('\uFFFD'));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Truncate(string text) => text.Length <= ReasonLength ? text : text[..ReasonLength];

    [LoggerMessage(Level = LogLevel.Error, Message = "Processing job {Name} hit an internal error")]
    private static partial void LogInternalError(ILogger logger, Exception exception, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Processing job {Name} ended {Status}")]
    private static partial void LogFinished(ILogger logger, string name, string status);

    /// <summary>Where a job's files are: one directory per host (its work directory, with its opt/ml tree), logs and container ids beside them.</summary>
    private sealed record JobContext(string AccountId, string Name, string Root, IReadOnlyList<string> Hosts)
    {
        /// <summary>The network the hosts of a multi-instance job share.</summary>
        public string NetworkName => $"cp-{AccountId}-proc-{Name}";

        public string HostRoot(string host) => Path.Combine(Root, host);

        public string MlRoot(string host) => Path.Combine(HostRoot(host), "opt", "ml");

        public string ContainerIdPath(string host) => Path.Combine(Root, $"{host}.container.id");

        public string LogPath(string host) => JobWorkspace.HostLogPath(Root, host);
    }

    /// <summary>One host's directory of one S3 output.</summary>
    private sealed record OutputPlan(string Name, string Directory, S3Location Uri, bool Continuous, string? Error);

    /// <summary>How a run ends: the primary status, any failure reason, and the host whose ExitMessage is reported.</summary>
    private sealed record Outcome(string Status, string? FailureReason)
    {
        public string Host { get; init; } = JobWorkspace.FirstHost;

        public static Outcome Completed() => new(JobStatus.Completed, null);

        public static Outcome Stopped(string? reason = null) => new(JobStatus.Stopped, reason);

        public static Outcome Failed(string reason) => new(JobStatus.Failed, reason);
    }
}
