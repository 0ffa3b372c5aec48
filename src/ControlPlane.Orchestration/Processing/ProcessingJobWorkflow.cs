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
/// Simplifications, documented: one instance (algo-1) whatever InstanceCount says; S3UploadMode Continuous is treated
/// as EndOfJob; outputs are uploaded only when the job completes; Pipe input mode, DatasetDefinition inputs and
/// FeatureStoreOutput fail the job with a ClientError; a job over MaxRuntimeInSeconds ends Stopped with a FailureReason
/// that says so.
/// As for training, the container id is kept in the job's workspace so a worker that dies mid-job is replaced by one
/// that re-attaches to the running container, and a distributed lock keeps two workers off one job.
/// </summary>
internal sealed partial class ProcessingJobWorkflow(
    JobDocuments documents,
    IContainerRuntime runtime,
    ContainerJobSupervisor supervisor,
    DataStager stager,
    IObjectStore store,
    JobWorkspace workspace,
    TimeProvider time,
    ILogger<ProcessingJobWorkflow> logger)
{
    public const string KindSegment = "processing-jobs";
    private const string Host = "algo-1";
    private const string StatusMember = "ProcessingJobStatus";
    private const string ContainerMlRoot = "/opt/ml";
    private const int ReasonLength = 1024;

    private static readonly ResourceDescriptor Descriptor = ResourceCatalog.ProcessingJob;

    /// <summary>The Hangfire entry point. Hangfire never retries a processing job.</summary>
    [AutomaticRetry(Attempts = 0)]
    [Queue("jobs")]
    public async Task RunAsync(string accountId, string name, CancellationToken cancellationToken)
    {
        await supervisor.RunExclusiveAsync(
            $"processing-job:{accountId}:{name}",
            () => RunLockedAsync(new JobContext(accountId, name, workspace.Root(KindSegment, accountId, name)), cancellationToken));
    }

    private async Task RunLockedAsync(JobContext job, CancellationToken cancellationToken)
    {
        var document = await documents.ReadAsync(Descriptor, job.AccountId, job.Name, cancellationToken);
        if (document is null || JobStatus.IsTerminal(document.GetString(StatusMember)!))
        {
            return;
        }

        if (document.GetString(StatusMember) == JobStatus.Stopping && !File.Exists(job.ContainerIdPath))
        {
            await FinishAsync(job, Outcome.Stopped(), cancellationToken);
            return;
        }

        var container = await supervisor.AttachOrStartAsync(job.ContainerIdPath, () => PrepareAndStartAsync(job, document, cancellationToken), cancellationToken);
        if (!container.Succeeded)
        {
            await FinishAsync(job, Outcome.Failed(container.Error!.Message), cancellationToken);
            return;
        }

        var handle = container.Value!;

        await using (handle)
        {
            // The start time is read again: a job that re-attached keeps the one its first run recorded.
            document = await documents.ReadAsync(Descriptor, job.AccountId, job.Name, cancellationToken) ?? document;
            var outcome = await SuperviseAsync(job, document, handle, cancellationToken);
            if (outcome.Status == JobStatus.Completed && await UploadOutputsAsync(job, document, cancellationToken) is { } uploadFailure)
            {
                outcome = Outcome.Failed(uploadFailure);
            }

            await FinishAsync(job, outcome, cancellationToken);
            await handle.RemoveAsync(CancellationToken.None);
        }
    }

    private async Task<Result<IContainerHandle>> PrepareAndStartAsync(JobContext job, JsonObject document, CancellationToken cancellationToken)
    {
        // A previous attempt that died before its container started leaves a partial tree: start clean.
        if (Directory.Exists(job.Root))
        {
            Directory.Delete(job.Root, recursive: true);
        }

        Directory.CreateDirectory(Path.Combine(job.MlRoot, "output"));
        Directory.CreateDirectory(Path.Combine(job.MlRoot, "processing"));
        await documents.UpdateAsync(Descriptor, job.AccountId, job.Name, (d, now) =>
        {
            if (d.GetString(StatusMember) != JobStatus.InProgress || d.ContainsKey("ProcessingStartTime"))
            {
                return false;
            }

            d["ProcessingStartTime"] = Timestamps.ToEpochSeconds(now);
            return true;
        }, cancellationToken);

        foreach (var input in document.GetArray("ProcessingInputs").Objects())
        {
            var staged = await StageInputAsync(job, input, cancellationToken);
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
                var directory = HostPath(job, localPath);
                if (directory is null)
                {
                    return ApiError.Validation($"ClientError: Output {name}: LocalPath {localPath} is not under /opt/ml/processing/.");
                }

                Directory.CreateDirectory(directory);
            }
        }

        await ProcessingConfigFiles.WriteAsync(Path.Combine(job.MlRoot, "config"), document, Host, [Host], cancellationToken);

        var image = document.GetObject("AppSpecification")!.GetString("ImageUri")!;
        var pulled = await runtime.PullAsync(image, cancellationToken);
        if (!pulled.Succeeded)
        {
            return ApiError.Validation($"ClientError: The processing image {image} could not be pulled: {pulled.Error!.Message}");
        }

        return await runtime.StartAsync(ContainerSpecFor(job, document, image), cancellationToken);
    }

    private async Task<Result<bool>> StageInputAsync(JobContext job, JsonObject input, CancellationToken cancellationToken)
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
            return ApiError.Validation($"ClientError: Input {name}: S3InputMode Pipe is not supported yet; use File.");
        }

        if (s3.GetString("S3CompressionType") is { } compression && compression != "None")
        {
            return ApiError.Validation($"ClientError: Input {name}: S3CompressionType {compression} is only valid with S3InputMode Pipe.");
        }

        var directory = HostPath(job, localPath);
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
        var staged = await stager.StageAsync(new S3DataSource(uri.Value!, dataType.Value, distribution), directory, Shard.Single, cancellationToken);
        return staged.Succeeded ? true : ApiError.Validation($"ClientError: Input {name}: {staged.Error!.Message}");
    }

    /// <summary>
    /// Where a container path under /opt/ml/processing/ lives in the workspace (the container sees the workspace's
    /// opt/ml at /opt/ml); null for a path that would leave it.
    /// </summary>
    private static string? HostPath(JobContext job, string localPath)
    {
        const string Prefix = ContainerMlRoot + "/processing/";
        if (!localPath.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var processing = Path.GetFullPath(Path.Combine(job.MlRoot, "processing"));
        var path = Path.GetFullPath(Path.Combine(processing, localPath[Prefix.Length..].TrimEnd('/')));
        return path.StartsWith(processing + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? path : null;
    }

    private static ContainerSpec ContainerSpecFor(JobContext job, JsonObject document, string image)
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
            Name: $"cp-{job.AccountId}-proc-{job.Name}-{Host}",
            Image: image,
            Entrypoint: entrypoint,
            Arguments: arguments,
            Environment: environment,
            Mounts: [new VolumeMount(job.MlRoot, ContainerMlRoot, ReadOnly: false)],
            Network: null,
            Hostname: Host,
            Limits: ResourceLimits.ForInstanceType(document.GetObject("ProcessingResources")?.GetObject("ClusterConfig")?.GetString("InstanceType")),
            NetworkIsolation: document.GetObject("NetworkConfig")?.GetBool("EnableNetworkIsolation") == true,
            Ports: [],
            Labels: new Dictionary<string, string>
            {
                ["controlplane.kind"] = KindSegment,
                ["controlplane.account"] = job.AccountId,
                ["controlplane.job"] = job.Name,
            },
            WorkDirectory: job.Root);
    }

    /// <summary>Copies the log and ends the container on StopProcessingJob or when MaxRuntimeInSeconds runs out.</summary>
    private async Task<Outcome> SuperviseAsync(JobContext job, JsonObject document, IContainerHandle handle, CancellationToken cancellationToken)
    {
        var maxRuntimeSeconds = document.GetObject("StoppingCondition")?.GetInt("MaxRuntimeInSeconds") ?? 86400;
        var startedAt = Timestamps.FromEpochSeconds(document.GetDouble("ProcessingStartTime") ?? Timestamps.ToEpochSeconds(time.GetUtcNow()));

        async Task<StopRequest?> CheckStopAsync(CancellationToken token)
        {
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

        var exit = await supervisor.SuperviseAsync(handle, job.LogPath, onLine: null, CheckStopAsync, cancellationToken);
        if (exit.StoppedBy is { } stop)
        {
            return stop.Reason == JobStatus.Stopped ? Outcome.Stopped() : Outcome.Stopped(stop.Reason);
        }

        if (exit.ExitCode == 0)
        {
            return Outcome.Completed();
        }

        var tail = await handle.TailLogAsync(10, CancellationToken.None);
        return Outcome.Failed($"AlgorithmError: The processing container exited with code {exit.ExitCode}. Last log lines: {string.Join(" | ", tail)}");
    }

    /// <summary>Every S3Output's LocalPath goes to its S3Uri (keys relative to the directory). Returns a failure reason.</summary>
    private async Task<string?> UploadOutputsAsync(JobContext job, JsonObject document, CancellationToken cancellationToken)
    {
        foreach (var output in document.GetObject("ProcessingOutputConfig")?.GetArray("Outputs").Objects() ?? [])
        {
            // S3UploadMode Continuous is uploaded at the end as well: the result in S3 is the same once the job is done.
            if (output.GetObject("S3Output") is not { } s3 || s3.GetString("LocalPath") is not { } localPath || HostPath(job, localPath) is not { } directory)
            {
                continue;
            }

            var name = output.GetString("OutputName");
            var uri = S3Location.Parse(s3.GetString("S3Uri")!);
            if (!uri.Succeeded)
            {
                return $"ClientError: Output {name}: {uri.Error!.Message}";
            }

            try
            {
                await store.CreateBucketIfMissingAsync(uri.Value!, cancellationToken);
                var uploaded = await stager.UploadDirectoryAsync(directory, uri.Value!, cancellationToken);
                if (!uploaded.Succeeded)
                {
                    return $"ClientError: Output {name}: {uploaded.Error!.Message}";
                }
            }
            catch (ObjectStoreException e)
            {
                return $"ClientError: Output {name}: uploading to {uri.Value} failed: {e.Message}";
            }
        }

        return null;
    }

    private async Task FinishAsync(JobContext job, Outcome outcome, CancellationToken cancellationToken)
    {
        var exitMessage = await ReadExitMessageAsync(job);
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
    private static async Task<string?> ReadExitMessageAsync(JobContext job)
    {
        var path = Path.Combine(job.MlRoot, "output", "message");
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Processing job {Name} ended {Status}")]
    private static partial void LogFinished(ILogger logger, string name, string status);

    private sealed record JobContext(string AccountId, string Name, string Root)
    {
        public string MlRoot => Path.Combine(Root, "opt", "ml");

        public string ContainerIdPath => Path.Combine(Root, "container.id");

        public string LogPath => Path.Combine(Root, "algo-1.log");
    }

    /// <summary>How a run ends: the primary status and any failure reason.</summary>
    private sealed record Outcome(string Status, string? FailureReason)
    {
        public static Outcome Completed() => new(JobStatus.Completed, null);

        public static Outcome Stopped(string? reason = null) => new(JobStatus.Stopped, reason);

        public static Outcome Failed(string reason) => new(JobStatus.Failed, reason);
    }
}
