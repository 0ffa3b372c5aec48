using System.Text.Json.Nodes;
using ControlPlane.Application.Operations;
using ControlPlane.Core.Documents;
using ControlPlane.Core.Lifecycle;
using ControlPlane.Orchestration.BuiltInAlgorithms;
using ControlPlane.Orchestration.Jobs;
using ControlPlane.Orchestration.Runtimes;
using ControlPlane.Orchestration.Storage;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Orchestration.Training;

/// <summary>
/// Runs one training job as SageMaker does (contract 3.1, 5.1): Starting → Downloading (channels staged from the
/// object store) → Training (the image pulled and run with <c>train</c>) → Uploading (model.tar.gz, output.tar.gz) →
/// Completed, or Failed, Stopped, MaxRuntimeExceeded. Every step is written to the job's document as it happens.
/// The container id is kept in the job's workspace, so a worker that dies mid-job is replaced by one that re-attaches
/// to the running container instead of starting it again (see <see cref="ContainerJobSupervisor"/>).
/// </summary>
internal sealed partial class TrainingJobWorkflow(
    JobDocuments documents,
    IContainerRuntime runtime,
    ContainerJobSupervisor supervisor,
    DataStager stager,
    IObjectStore store,
    JobWorkspace workspace,
    IOptions<BuiltInAlgorithmOptions> builtInAlgorithms,
    TimeProvider time,
    ILogger<TrainingJobWorkflow> logger)
{
    public const string KindSegment = "training-jobs";
    private const string Host = "algo-1";
    private const int FailureReasonLength = 1024;

    /// <summary>How often /opt/ml/checkpoints is copied to CheckpointConfig.S3Uri while the job runs.</summary>
    private static readonly TimeSpan CheckpointSyncInterval = TimeSpan.FromSeconds(10);

    private static readonly ResourceDescriptor Descriptor = ResourceCatalog.TrainingJob;

    /// <summary>The Hangfire entry point. Retries are the job's own (RetryStrategy), never Hangfire's.</summary>
    [AutomaticRetry(Attempts = 0)]
    [Queue("jobs")]
    public async Task RunAsync(string accountId, string name, CancellationToken cancellationToken)
    {
        await supervisor.RunExclusiveAsync(
            $"training-job:{accountId}:{name}",
            () => RunLockedAsync(new JobContext(accountId, name, workspace.Root(KindSegment, accountId, name)), cancellationToken));
    }

    private async Task RunLockedAsync(JobContext job, CancellationToken cancellationToken)
    {
        var document = await documents.ReadAsync(Descriptor, job.AccountId, job.Name, cancellationToken);
        if (document is null || JobStatus.IsTerminal(document.GetString("TrainingJobStatus")!))
        {
            return;
        }

        if (document.GetString("TrainingJobStatus") == JobStatus.Stopping && !File.Exists(job.ContainerIdPath))
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
            var outcome = await SuperviseAsync(job, document, handle, cancellationToken);
            await UploadAsync(job, document, outcome, cancellationToken);
            await FinishAsync(job, outcome, cancellationToken);
            await handle.RemoveAsync(CancellationToken.None);
        }
    }

    private async Task<Core.Errors.Result<IContainerHandle>> PrepareAndStartAsync(JobContext job, JsonObject document, CancellationToken cancellationToken)
    {
        // A previous attempt that died before its container started leaves a partial tree: start clean.
        if (Directory.Exists(job.Root))
        {
            Directory.Delete(job.Root, recursive: true);
        }

        foreach (var directory in new[] { job.ConfigDirectory, job.ModelDirectory, job.OutputDataDirectory, job.CheckpointDirectory, Path.Combine(job.MlRoot, "output", "intermediate") })
        {
            Directory.CreateDirectory(directory);
        }

        await TransitionAsync(job, TrainingSecondaryStatus.Starting, "Preparing the instances for training", cancellationToken);
        await TransitionAsync(job, TrainingSecondaryStatus.Downloading, "Downloading input data", cancellationToken, markTrainingStart: true);
        foreach (var channel in document.GetArray("InputDataConfig").Objects())
        {
            var staged = await StageChannelAsync(job, channel, cancellationToken);
            if (!staged.Succeeded)
            {
                return staged.Error!;
            }
        }

        if (Checkpoints.From(document, job) is { } checkpoints)
        {
            // Resuming: what an earlier run saved is back under the checkpoint directory before the program starts.
            Directory.CreateDirectory(checkpoints.HostPath);
            var restored = await stager.StageAsync(new S3DataSource(checkpoints.Uri, S3DataType.S3Prefix, S3DataDistribution.FullyReplicated), checkpoints.HostPath, Shard.Single, cancellationToken);
            if (!restored.Succeeded)
            {
                return Core.Errors.ApiError.Validation($"ClientError: Checkpoints at {checkpoints.Uri}: {restored.Error!.Message}");
            }
        }

        await TrainingConfigFiles.WriteAsync(job.ConfigDirectory, document, Host, [Host], cancellationToken);

        await TransitionAsync(job, TrainingSecondaryStatus.Training, "Downloading the training image", cancellationToken);
        var algorithm = document.GetObject("AlgorithmSpecification")!;
        var image = algorithm.GetString("TrainingImage") ?? algorithm.GetString("AlgorithmName")!;
        var spec = BuiltInAlgorithmContainer.Apply(ContainerSpecFor(job, document, image), builtInAlgorithms.Value);
        var pulled = await runtime.PullAsync(spec.Image, cancellationToken);
        if (!pulled.Succeeded)
        {
            return Core.Errors.ApiError.Validation($"ClientError: The training image {image} could not be pulled: {pulled.Error!.Message}");
        }

        await TransitionAsync(job, TrainingSecondaryStatus.Training, "Training image download completed. Training in progress.", cancellationToken);
        return await runtime.StartAsync(spec, cancellationToken);
    }

    private async Task<Core.Errors.Result<bool>> StageChannelAsync(JobContext job, JsonObject channel, CancellationToken cancellationToken)
    {
        var name = channel.GetString("ChannelName")!;
        if (channel.GetObject("DataSource")?.GetObject("S3DataSource") is not { } s3)
        {
            return Core.Errors.ApiError.Validation($"ClientError: Channel {name} has no S3DataSource; only S3 data sources are supported.");
        }

        var uri = S3Location.Parse(s3.GetString("S3Uri")!);
        if (!uri.Succeeded)
        {
            return Core.Errors.ApiError.Validation($"ClientError: Channel {name}: {uri.Error!.Message}");
        }

        var dataType = s3.GetString("S3DataType") switch
        {
            "S3Prefix" => S3DataType.S3Prefix,
            "ManifestFile" => S3DataType.ManifestFile,
            _ => (S3DataType?)null,
        };
        if (dataType is null)
        {
            return Core.Errors.ApiError.Validation($"ClientError: Channel {name}: S3DataType {s3.GetString("S3DataType")} is not supported; use S3Prefix or ManifestFile.");
        }

        var distribution = s3.GetString("S3DataDistributionType") == "ShardedByS3Key" ? S3DataDistribution.ShardedByS3Key : S3DataDistribution.FullyReplicated;
        var staged = await stager.StageAsync(new S3DataSource(uri.Value!, dataType.Value, distribution), Path.Combine(job.MlRoot, "input", "data", name), Shard.Single, cancellationToken);
        return staged.Succeeded ? true : Core.Errors.ApiError.Validation($"ClientError: Channel {name}: {staged.Error!.Message}");
    }

    private static ContainerSpec ContainerSpecFor(JobContext job, JsonObject document, string image)
    {
        var algorithm = document.GetObject("AlgorithmSpecification")!;
        var entrypoint = algorithm.GetArray("ContainerEntrypoint")?.Select(a => a!.GetValue<string>()).ToList();
        var arguments = algorithm.GetArray("ContainerArguments")?.Select(a => a!.GetValue<string>()).ToList()
            ?? (entrypoint is null ? ["train"] : []);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in document.GetObject("Environment") ?? [])
        {
            environment[key] = value!.GetValue<string>();
        }

        environment["TRAINING_JOB_NAME"] = job.Name;
        environment["TRAINING_JOB_ARN"] = document.GetString("TrainingJobArn")!;
        var instanceType = document.GetObject("ResourceConfig")?.GetString("InstanceType");
        return new ContainerSpec(
            Name: ContainerName(job),
            Image: image,
            Entrypoint: entrypoint,
            Arguments: arguments,
            Environment: environment,
            Mounts: Checkpoints.From(document, job) is { InsideMlRoot: false } checkpoints
                ? [new VolumeMount(job.MlRoot, "/opt/ml", ReadOnly: false), new VolumeMount(checkpoints.HostPath, checkpoints.LocalPath, ReadOnly: false)]
                : [new VolumeMount(job.MlRoot, "/opt/ml", ReadOnly: false)],
            Network: null,
            Hostname: Host,
            Limits: ResourceLimits.ForInstanceType(instanceType),
            NetworkIsolation: document.GetBool("EnableNetworkIsolation") == true,
            Ports: [],
            Labels: new Dictionary<string, string>
            {
                ["controlplane.kind"] = KindSegment,
                ["controlplane.account"] = job.AccountId,
                ["controlplane.job"] = job.Name,
            },
            WorkDirectory: job.Root);
    }

    /// <summary>Docker names: the job name is already [a-zA-Z0-9-]; the account keeps two accounts' jobs apart.</summary>
    private static string ContainerName(JobContext job) => $"cp-{job.AccountId}-train-{job.Name}-{Host}";

    /// <summary>Copies the log, collects metrics, and ends the container on Stop or when MaxRuntimeInSeconds runs out.</summary>
    private async Task<Outcome> SuperviseAsync(JobContext job, JsonObject document, IContainerHandle handle, CancellationToken cancellationToken)
    {
        var metrics = new MetricCollector(document);
        var maxRuntime = TimeSpan.FromSeconds(document.GetObject("StoppingCondition")?.GetInt("MaxRuntimeInSeconds") ?? 86400);
        var startedAt = Timestamps.FromEpochSeconds(document.GetDouble("TrainingStartTime") ?? Timestamps.ToEpochSeconds(time.GetUtcNow()));
        var checkpoints = Checkpoints.From(document, job);
        var lastCheckpointSync = time.GetUtcNow();

        async Task<StopRequest?> CheckStopAsync(CancellationToken token)
        {
            if (checkpoints is not null && time.GetUtcNow() - lastCheckpointSync >= CheckpointSyncInterval)
            {
                await stager.UploadDirectoryAsync(checkpoints.HostPath, checkpoints.Uri, token);
                lastCheckpointSync = time.GetUtcNow();
            }

            var current = await documents.ReadAsync(Descriptor, job.AccountId, job.Name, token);
            if (current?.GetString("TrainingJobStatus") == JobStatus.Stopping)
            {
                return new StopRequest(TrainingSecondaryStatus.Stopped);
            }

            if (time.GetUtcNow() - startedAt < maxRuntime)
            {
                return null;
            }

            await documents.UpdateAsync(Descriptor, job.AccountId, job.Name, (d, now) =>
            {
                d["TrainingJobStatus"] = JobStatus.Stopping;
                SecondaryStatusHistory.Enter(d, TrainingSecondaryStatus.Stopping, "Stopping the training job", now);
                return true;
            }, token);
            return new StopRequest(TrainingSecondaryStatus.MaxRuntimeExceeded);
        }

        var exit = await supervisor.SuperviseAsync(handle, job.LogPath, metrics.Observe, CheckStopAsync, cancellationToken);
        await SaveMetricsAsync(job, metrics, cancellationToken);

        if (exit.StoppedBy is { } stop)
        {
            return stop.Reason == TrainingSecondaryStatus.MaxRuntimeExceeded ? Outcome.MaxRuntimeExceeded() : Outcome.Stopped();
        }

        if (exit.ExitCode == 0)
        {
            return Outcome.Completed();
        }

        var failureFile = Path.Combine(job.MlRoot, "output", "failure");
        var reason = File.Exists(failureFile) ? (await File.ReadAllTextAsync(failureFile, CancellationToken.None)).Trim() : string.Empty;
        if (reason.Length == 0)
        {
            var tail = await handle.TailLogAsync(10, CancellationToken.None);
            reason = $"AlgorithmError: The training container exited with code {exit.ExitCode}. Last log lines: {string.Join(" | ", tail)}";
        }

        return Outcome.Failed(reason);
    }

    private async Task SaveMetricsAsync(JobContext job, MetricCollector metrics, CancellationToken cancellationToken)
    {
        var list = metrics.FinalMetricDataList();
        if (list.Count > 0)
        {
            await documents.UpdateAsync(Descriptor, job.AccountId, job.Name, (d, _) =>
            {
                d["FinalMetricDataList"] = list.DeepClone();
                return true;
            }, cancellationToken);
        }
    }

    /// <summary>/opt/ml/model and /opt/ml/output/data go to S3 after success, and after a stop so SIGTERM handlers can save work.</summary>
    private async Task UploadAsync(JobContext job, JsonObject document, Outcome outcome, CancellationToken cancellationToken)
    {
        // Checkpoints are kept whatever the outcome: they are what a retry or a new job resumes from.
        if (Checkpoints.From(document, job) is { } checkpoints)
        {
            var synced = await stager.UploadDirectoryAsync(checkpoints.HostPath, checkpoints.Uri, cancellationToken);
            if (!synced.Succeeded && outcome.Status != JobStatus.Failed)
            {
                outcome.FailUpload($"ClientError: Uploading checkpoints to {checkpoints.Uri} failed: {synced.Error!.Message}");
            }
        }

        if (outcome.Status == JobStatus.Failed)
        {
            return;
        }

        if (outcome.Status == JobStatus.Completed)
        {
            await TransitionAsync(job, TrainingSecondaryStatus.Uploading, "Uploading generated training model", cancellationToken);
        }

        var output = document.GetObject("OutputDataConfig")!;
        var prefix = $"{output.GetString("S3OutputPath")!.TrimEnd('/')}/{job.Name}/output";
        var failure = await UploadArchiveAsync(job.ModelDirectory, $"{prefix}/model.tar.gz", cancellationToken)
            ?? await UploadArchiveAsync(job.OutputDataDirectory, $"{prefix}/output.tar.gz", cancellationToken);
        if (failure is not null)
        {
            outcome.FailUpload(failure);
        }
    }

    private async Task<string?> UploadArchiveAsync(string directory, string uri, CancellationToken cancellationToken)
    {
        var location = S3Location.Parse(uri);
        if (!location.Succeeded)
        {
            return $"ClientError: {location.Error!.Message}";
        }

        var archive = Path.Combine(Path.GetDirectoryName(directory)!, $".{Path.GetFileName(directory)}.tar.gz");
        try
        {
            await TarGz.PackAsync(directory, archive, cancellationToken);
            await store.CreateBucketIfMissingAsync(location.Value!, cancellationToken);
            await store.UploadFileAsync(location.Value!, archive, cancellationToken);
            return null;
        }
        catch (ObjectStoreException e)
        {
            return $"ClientError: Uploading {uri} failed: {e.Message}";
        }
        finally
        {
            File.Delete(archive);
        }
    }

    private Task TransitionAsync(JobContext job, string status, string message, CancellationToken cancellationToken, bool markTrainingStart = false) =>
        documents.UpdateAsync(Descriptor, job.AccountId, job.Name, (d, now) =>
        {
            // After StopTrainingJob the job shows Stopping until it ends; progress underneath is not shown.
            if (d.GetString("TrainingJobStatus") != JobStatus.InProgress)
            {
                return false;
            }

            if (markTrainingStart)
            {
                d["TrainingStartTime"] = Timestamps.ToEpochSeconds(now);
            }

            SecondaryStatusHistory.Enter(d, status, message, now);
            return true;
        }, cancellationToken);

    private async Task FinishAsync(JobContext job, Outcome outcome, CancellationToken cancellationToken)
    {
        await documents.UpdateAsync(Descriptor, job.AccountId, job.Name, (d, now) =>
        {
            if (JobStatus.IsTerminal(d.GetString("TrainingJobStatus")!))
            {
                return false;
            }

            // A stop requested while the job was finishing still ends it Stopped, as SageMaker reports it.
            var final = d.GetString("TrainingJobStatus") == JobStatus.Stopping && outcome.Status == JobStatus.Completed ? Outcome.Stopped() : outcome;
            var seconds = Timestamps.ToEpochSeconds(now);
            d["TrainingJobStatus"] = final.Status;
            d["TrainingEndTime"] = seconds;
            if (d.GetDouble("TrainingStartTime") is { } start)
            {
                var elapsed = Math.Max(1, (int)Math.Round(seconds - start));
                d["TrainingTimeInSeconds"] = elapsed;
                d["BillableTimeInSeconds"] = elapsed;
            }

            if (final.FailureReason is { } reason)
            {
                d["FailureReason"] = reason.Length <= FailureReasonLength ? reason : reason[..FailureReasonLength];
            }

            SecondaryStatusHistory.Enter(d, final.SecondaryStatus, final.Message, now);
            d.GetArray("SecondaryStatusTransitions")!.Objects().Last()["EndTime"] = seconds;
            return true;
        }, cancellationToken);
        LogFinished(logger, job.Name, outcome.Status);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {Name} ended {Status}")]
    private static partial void LogFinished(ILogger logger, string name, string status);

    private sealed record JobContext(string AccountId, string Name, string Root)
    {
        public string MlRoot => Path.Combine(Root, "opt", "ml");

        public string ConfigDirectory => Path.Combine(MlRoot, "input", "config");

        public string ModelDirectory => Path.Combine(MlRoot, "model");

        public string OutputDataDirectory => Path.Combine(MlRoot, "output", "data");

        public string CheckpointDirectory => Path.Combine(MlRoot, "checkpoints");

        public string ContainerIdPath => Path.Combine(Root, "container.id");

        public string LogPath => Path.Combine(Root, "algo-1.log");
    }

    /// <summary>CheckpointConfig: the S3 prefix, the path the program sees and the host directory behind it.</summary>
    private sealed record Checkpoints(S3Location Uri, string LocalPath, string HostPath, bool InsideMlRoot)
    {
        public static Checkpoints? From(JsonObject document, JobContext job)
        {
            if (document.GetObject("CheckpointConfig") is not { } config || S3Location.Parse(config.GetString("S3Uri")!) is not { Succeeded: true } uri)
            {
                return null;
            }

            var localPath = (config.GetString("LocalPath") ?? "/opt/ml/checkpoints").TrimEnd('/');
            var inside = localPath.StartsWith("/opt/ml/", StringComparison.Ordinal) && !localPath.Split('/').Contains("..");
            var hostPath = inside ? Path.Combine(job.MlRoot, localPath["/opt/ml/".Length..]) : Path.Combine(job.Root, "checkpoints");
            return new Checkpoints(uri.Value!, localPath, hostPath, inside);
        }
    }

    /// <summary>How a run ends: primary and secondary status, the final message and any failure reason.</summary>
    private sealed class Outcome(string status, string secondaryStatus, string message, string? failureReason = null)
    {
        public string Status { get; private set; } = status;

        public string SecondaryStatus { get; private set; } = secondaryStatus;

        public string Message { get; private set; } = message;

        public string? FailureReason { get; private set; } = failureReason;

        public static Outcome Completed() => new(JobStatus.Completed, TrainingSecondaryStatus.Completed, "Training job completed");

        public static Outcome Stopped() => new(JobStatus.Stopped, TrainingSecondaryStatus.Stopped, "Training job stopped");

        public static Outcome MaxRuntimeExceeded() => new(JobStatus.Stopped, TrainingSecondaryStatus.MaxRuntimeExceeded, "Job stopped because it exceeded MaxRuntimeInSeconds");

        public static Outcome Failed(string reason) => new(JobStatus.Failed, TrainingSecondaryStatus.Failed, "Training job failed", reason);

        /// <summary>An artifact that cannot be uploaded fails the job, whatever the container did.</summary>
        public void FailUpload(string reason) => (Status, SecondaryStatus, Message, FailureReason) = (JobStatus.Failed, TrainingSecondaryStatus.Failed, "Training job failed", reason);
    }
}
