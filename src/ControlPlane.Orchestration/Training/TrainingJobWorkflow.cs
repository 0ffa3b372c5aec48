using System.Text.Json.Nodes;
using ControlPlane.Application.Operations;
using ControlPlane.Core.Documents;
using ControlPlane.Core.Errors;
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
/// object store, or Pipe-mode FIFOs made) → Training (the image pulled and run with <c>train</c>, one container per
/// instance <c>algo-1..N</c> on a network of their own) → Uploading (model.tar.gz, output.tar.gz) → Completed, or
/// Failed, Stopped, MaxRuntimeExceeded. Every step is written to the job's document as it happens.
/// The container ids are kept in the job's workspace, so a worker that dies mid-job is replaced by one that
/// re-attaches to the running containers instead of starting them again (see <see cref="ContainerJobSupervisor"/>).
/// An internal error (the container runtime failing, containers gone after a worker died) is retried as
/// RetryStrategy allows, from the start ("Restarting"); a program that exits non-zero is never retried.
/// </summary>
internal sealed partial class TrainingJobWorkflow(
    JobDocuments documents,
    IContainerRuntime runtime,
    ContainerJobSupervisor supervisor,
    JobEntry entry,
    DataStager stager,
    PipeChannelFeeder pipes,
    IObjectStore store,
    JobWorkspace workspace,
    IOptions<BuiltInAlgorithmOptions> builtInAlgorithms,
    TimeProvider time,
    ILogger<TrainingJobWorkflow> logger)
{
    public const string KindSegment = "training-jobs";
    private const int FailureReasonLength = 1024;

    private static readonly ResourceDescriptor Descriptor = ResourceCatalog.TrainingJob;
    private static readonly JobKind Kind = new(Descriptor, "TrainingJobStatus", "training-job");

    /// <summary>
    /// The Hangfire entry point; it returns at once for a job this process already runs (<see cref="ImmediateJobStarts"/>).
    /// Retries are the job's own (RetryStrategy), never Hangfire's.
    /// </summary>
    [AutomaticRetry(Attempts = 0)]
    [Queue("jobs")]
    public Task RunAsync(string accountId, string name, CancellationToken cancellationToken) =>
        entry.RunQueuedAsync(LockName(accountId, name), () => RunNowAsync(accountId, name, cancellationToken));

    /// <summary>The job's lock, also its key among the jobs <see cref="ImmediateJobStarts"/> runs.</summary>
    public static string LockName(string accountId, string name) => Kind.LockName(accountId, name);

    /// <summary>Runs the job here, unless another worker holds its lock or it has ended.</summary>
    public Task RunNowAsync(string accountId, string name, CancellationToken cancellationToken) =>
        entry.RunExclusiveAsync(Kind, accountId, name, document => RunLockedAsync(accountId, name, document, cancellationToken), cancellationToken);

    private async Task RunLockedAsync(string accountId, string name, JsonObject document, CancellationToken cancellationToken)
    {
        var job = new JobContext(accountId, name, workspace.Root(KindSegment, accountId, name), JobWorkspace.Hosts(document.GetObject("ResourceConfig")?.GetInt("InstanceCount") ?? 1));
        while (true)
        {
            if (document.GetString("TrainingJobStatus") == JobStatus.Stopping && !job.Hosts.Any(h => File.Exists(job.ContainerIdPath(h))))
            {
                await FinishAsync(job, Outcome.Stopped(), cancellationToken);
                return;
            }

            string internalError;
            try
            {
                var cluster = await supervisor.AttachOrStartAsync([.. job.Hosts.Select(job.ContainerIdPath)], () => PrepareAndStartAsync(job, document, cancellationToken), cancellationToken);
                if (cluster.Handles is { } handles)
                {
                    await TransitionAsync(job, [(TrainingSecondaryStatus.Training, "Training image download completed. Training in progress.")], cancellationToken);
                    await RunContainersAsync(job, document, handles, cancellationToken);
                    return;
                }

                if (cluster.Error is { } error)
                {
                    await FinishAsync(job, Outcome.Failed(error.Message), cancellationToken);
                    await runtime.RemoveNetworkAsync(job.NetworkName, CancellationToken.None);
                    return;
                }

                internalError = "The training containers are gone: the worker running the job stopped and they did not outlive it.";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The runtime failing (ContainerRuntimeException) or anything else unforeseen: not the program's doing.
                LogInternalError(logger, e, name);
                internalError = e.Message;
            }

            await supervisor.DiscardAsync([.. job.Hosts.Select(job.ContainerIdPath)]);
            if (!await RestartAsync(job, internalError, cancellationToken))
            {
                await FinishAsync(job, Outcome.Failed($"InternalServerError: {internalError}"), cancellationToken);
                return;
            }

            document = await documents.ReadAsync(Descriptor, accountId, name, cancellationToken) ?? document;
        }
    }

    /// <summary>
    /// Starts the job again after an internal error when RetryStrategy.MaximumRetryAttempts allows one more attempt;
    /// each attempt is a "Restarting" entry in SecondaryStatusTransitions, which is also how attempts are counted.
    /// </summary>
    private async Task<bool> RestartAsync(JobContext job, string reason, CancellationToken cancellationToken)
    {
        var restarted = false;
        await documents.UpdateAsync(Descriptor, job.AccountId, job.Name, (d, now) =>
        {
            var allowed = d.GetObject("RetryStrategy")?.GetInt("MaximumRetryAttempts") ?? 0;
            var used = d.GetArray("SecondaryStatusTransitions").Objects().Count(t => t.GetString("Status") == TrainingSecondaryStatus.Restarting);
            if (d.GetString("TrainingJobStatus") != JobStatus.InProgress || used >= allowed)
            {
                return false;
            }

            SecondaryStatusHistory.Enter(d, TrainingSecondaryStatus.Restarting, $"Restarting the training job after an internal error (retry {used + 1} of {allowed}): {reason}", now);
            restarted = true;
            return true;
        }, cancellationToken);
        if (restarted)
        {
            LogRestarting(logger, job.Name, reason);
        }

        return restarted;
    }

    /// <summary>Supervises the started or re-attached containers to their end, uploads, records the outcome and cleans up.</summary>
    private async Task RunContainersAsync(JobContext job, JsonObject document, IReadOnlyList<IContainerHandle> handles, CancellationToken cancellationToken)
    {
        Outcome outcome;
        using (var feeding = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var feeders = await StartPipeFeedersAsync(job, document, feeding.Token);
            try
            {
                // The start time is read again: a job that re-attached keeps the one its first run recorded.
                document = await documents.ReadAsync(Descriptor, job.AccountId, job.Name, cancellationToken) ?? document;
                outcome = await SuperviseAsync(job, document, [.. handles.Select((h, i) => new SupervisedContainer(h, job.LogPath(job.Hosts[i])))], cancellationToken);
            }
            finally
            {
                await feeding.CancelAsync();
                await Task.WhenAll(feeders).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        await UploadAsync(job, document, outcome, cancellationToken);
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

        var channels = new List<ChannelPlan>();
        foreach (var channel in document.GetArray("InputDataConfig").Objects())
        {
            var plan = ChannelPlan.From(channel, document);
            if (!plan.Succeeded)
            {
                return plan.Error!;
            }

            channels.Add(plan.Value!);
        }

        foreach (var host in job.Hosts)
        {
            // Before the containers are created: the engine refuses a mount whose host path does not exist.
            foreach (var directory in new[] { job.ConfigDirectory(host), job.ModelDirectory(host), job.OutputDataDirectory(host), job.CheckpointDirectory(host), Path.Combine(job.MlRoot(host), "output", "intermediate"), Checkpoints.From(document, job, host)?.HostPath })
            {
                if (directory is not null)
                {
                    Directory.CreateDirectory(directory);
                }
            }
        }

        // Start-up latency: the status write goes on while the data is staged and the image is checked and the
        // containers created (the engine's create overlaps the staging); they start once both are done. The write runs
        // off this thread, so that the create goes to the engine without waiting for the write's synchronous part. The
        // Training status is written once the containers run (SageMaker's "Downloading the training image" message is
        // skipped: it would be replaced within the same status moments later).
        var entered = Task.Run(() => TransitionAsync(job, [(TrainingSecondaryStatus.Starting, "Preparing the instances for training"), (TrainingSecondaryStatus.Downloading, "Downloading input data")], cancellationToken, markTrainingStart: true), CancellationToken.None);
        try
        {
            var algorithm = document.GetObject("AlgorithmSpecification")!;
            var image = algorithm.GetString("TrainingImage") ?? algorithm.GetString("AlgorithmName")!;
            var isolated = document.GetBool("EnableNetworkIsolation") == true;
            return await supervisor.StageAndStartClusterAsync(
                () => StageAsync(job, document, channels, cancellationToken),
                [.. job.Hosts.Select(host => BuiltInAlgorithmContainer.Apply(ContainerSpecFor(job, host, document, image, isolated), builtInAlgorithms.Value))],
                error => ApiError.Validation($"ClientError: The training image {image} could not be pulled: {error.Message}"),
                job.NetworkName,
                isolated,
                cancellationToken);
        }
        finally
        {
            await entered;
        }
    }

    /// <summary>Every host's channels (and restored checkpoints) and config files; the error that stopped it, if any.</summary>
    private async Task<ApiError?> StageAsync(JobContext job, JsonObject document, List<ChannelPlan> channels, CancellationToken cancellationToken)
    {
        for (var index = 0; index < job.Hosts.Count; index++)
        {
            var host = job.Hosts[index];
            foreach (var channel in channels)
            {
                var staged = await PrepareChannelAsync(job, host, new Shard(index, job.Hosts.Count), channel, cancellationToken);
                if (!staged.Succeeded)
                {
                    return staged.Error!;
                }
            }

            if (Checkpoints.From(document, job, host) is { } checkpoints)
            {
                // Resuming: what an earlier run saved is back under the checkpoint directory before the program starts.
                var restored = await stager.StageAsync(new S3DataSource(checkpoints.Uri, S3DataType.S3Prefix, S3DataDistribution.FullyReplicated), checkpoints.HostPath, Shard.Single, allowEmpty: true, cancellationToken);
                if (!restored.Succeeded)
                {
                    return ApiError.Validation($"ClientError: Checkpoints at {checkpoints.Uri}: {restored.Error!.Message}");
                }
            }

            await TrainingConfigFiles.WriteAsync(job.ConfigDirectory(host), document, host, job.Hosts, cancellationToken);
        }

        return null;
    }

    /// <summary>File mode (and FastFile, which is File here): the host's share staged. Pipe mode: the first FIFO made.</summary>
    private async Task<Result<bool>> PrepareChannelAsync(JobContext job, string host, Shard shard, ChannelPlan channel, CancellationToken cancellationToken)
    {
        if (channel.Pipe)
        {
            // Listing now fails a job with a missing or empty source before it starts, as File mode does.
            var selected = await stager.SelectAsync(channel.Source, shard, allowEmpty: false, cancellationToken);
            if (!selected.Succeeded)
            {
                return ApiError.Validation($"ClientError: Channel {channel.Name}: {selected.Error!.Message}");
            }

            PipeChannelFeeder.Prepare(job.DataDirectory(host), channel.Name);
            return true;
        }

        var staged = await stager.StageAsync(channel.Source, Path.Combine(job.DataDirectory(host), channel.Name), shard, cancellationToken);
        return staged.Succeeded ? true : ApiError.Validation($"ClientError: Channel {channel.Name}: {staged.Error!.Message}");
    }

    /// <summary>One feeder per Pipe-mode channel and host, until <paramref name="cancellationToken"/> ends them.</summary>
    private async Task<List<Task>> StartPipeFeedersAsync(JobContext job, JsonObject document, CancellationToken cancellationToken)
    {
        var feeders = new List<Task>();
        foreach (var channel in document.GetArray("InputDataConfig").Objects())
        {
            if (ChannelPlan.From(channel, document) is not { Succeeded: true, Value: { Pipe: true } plan })
            {
                continue;
            }

            for (var index = 0; index < job.Hosts.Count; index++)
            {
                var selected = await stager.SelectAsync(plan.Source, new Shard(index, job.Hosts.Count), allowEmpty: true, cancellationToken);
                if (selected.Succeeded)
                {
                    var objects = selected.Value!.Select(o => o.Object).ToList();
                    var pipe = new PipeChannel(plan.Name, job.DataDirectory(job.Hosts[index]), objects, plan.Gzip, plan.RecordIo);
                    feeders.Add(Task.Run(() => pipes.FeedAsync(pipe, cancellationToken), CancellationToken.None));
                }
            }
        }

        return feeders;
    }

    private static ContainerSpec ContainerSpecFor(JobContext job, string host, JsonObject document, string image, bool isolated)
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
        var mlMount = new VolumeMount(job.MlRoot(host), "/opt/ml", ReadOnly: false);
        return new ContainerSpec(
            Name: $"cp-{job.AccountId}-train-{job.Name}-{host}",
            Image: image,
            Entrypoint: entrypoint,
            Arguments: arguments,
            Environment: environment,
            Mounts: Checkpoints.From(document, job, host) is { InsideMlRoot: false } checkpoints
                ? [mlMount, new VolumeMount(checkpoints.HostPath, checkpoints.LocalPath, ReadOnly: false)]
                : [mlMount],
            Network: job.Hosts.Count > 1 ? job.NetworkName : null,
            Hostname: host,
            Limits: ResourceLimits.ForInstanceType(instanceType),
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
    /// Copies the logs, collects metrics (from algo-1, whose log SageMaker's metrics come from first), uploads
    /// checkpoints as they are written, and ends the containers on Stop or when MaxRuntimeInSeconds runs out.
    /// </summary>
    private async Task<Outcome> SuperviseAsync(JobContext job, JsonObject document, IReadOnlyList<SupervisedContainer> containers, CancellationToken cancellationToken)
    {
        var metrics = new MetricCollector(document);
        var maxRuntime = TimeSpan.FromSeconds(document.GetObject("StoppingCondition")?.GetInt("MaxRuntimeInSeconds") ?? 86400);
        var startedAt = Timestamps.FromEpochSeconds(document.GetDouble("TrainingStartTime") ?? Timestamps.ToEpochSeconds(time.GetUtcNow()));
        var checkpointUploads = job.Hosts
            .Select(host => Checkpoints.From(document, job, host))
            .OfType<Checkpoints>()
            .Select(c => new ContinuousUpload(store, c.HostPath, c.Uri))
            .ToList();

        async Task<StopRequest?> CheckStopAsync(CancellationToken token)
        {
            foreach (var upload in checkpointUploads)
            {
                await upload.SyncAsync(token);
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

        var exit = await supervisor.SuperviseAsync(containers, metrics.Observe, CheckStopAsync, cancellationToken);
        await SaveMetricsAsync(job, metrics, cancellationToken);

        if (exit.StoppedBy is { } stop)
        {
            return stop.Reason == TrainingSecondaryStatus.MaxRuntimeExceeded ? Outcome.MaxRuntimeExceeded() : Outcome.Stopped();
        }

        if (exit.ExitCode == 0)
        {
            return Outcome.Completed();
        }

        var host = job.Hosts[exit.Index];
        var failureFile = Path.Combine(job.MlRoot(host), "output", "failure");
        var reason = File.Exists(failureFile) ? (await File.ReadAllTextAsync(failureFile, CancellationToken.None)).Trim() : string.Empty;
        if (reason.Length == 0)
        {
            var tail = await containers[exit.Index].Handle.TailLogAsync(10, CancellationToken.None);
            var where = job.Hosts.Count > 1 ? $" on {host}" : string.Empty;
            reason = $"AlgorithmError: The training container{where} exited with code {exit.ExitCode}. Last log lines: {string.Join(" | ", tail)}";
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
        foreach (var checkpoints in job.Hosts.Select(host => Checkpoints.From(document, job, host)).OfType<Checkpoints>())
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
            await TransitionAsync(job, [(TrainingSecondaryStatus.Uploading, "Uploading generated training model")], cancellationToken);
        }

        var output = document.GetObject("OutputDataConfig")!;
        var prefix = $"{output.GetString("S3OutputPath")!.TrimEnd('/')}/{job.Name}/output";
        // Every host's files, merged; algo-1's win on a name clash.
        var failure = await UploadArchiveAsync(job, [.. job.Hosts.Select(job.ModelDirectory)], $"{prefix}/model.tar.gz", cancellationToken)
            ?? await UploadArchiveAsync(job, [.. job.Hosts.Select(job.OutputDataDirectory)], $"{prefix}/output.tar.gz", cancellationToken);
        if (failure is not null)
        {
            outcome.FailUpload(failure);
        }
    }

    private async Task<string?> UploadArchiveAsync(JobContext job, IReadOnlyList<string> directories, string uri, CancellationToken cancellationToken)
    {
        var location = S3Location.Parse(uri);
        if (!location.Succeeded)
        {
            return $"ClientError: {location.Error!.Message}";
        }

        var archive = Path.Combine(job.Root, $".{Path.GetFileName(uri)}");
        try
        {
            await TarGz.PackAsync(directories, archive, cancellationToken);
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

    /// <summary>Enters the secondary statuses in order, in one write. A re-attached job already in the last one keeps its entry.</summary>
    private Task TransitionAsync(JobContext job, IReadOnlyList<(string Status, string Message)> steps, CancellationToken cancellationToken, bool markTrainingStart = false) =>
        documents.UpdateAsync(Descriptor, job.AccountId, job.Name, (d, now) =>
        {
            // After StopTrainingJob the job shows Stopping until it ends; progress underneath is not shown.
            if (d.GetString("TrainingJobStatus") != JobStatus.InProgress)
            {
                return false;
            }

            if (markTrainingStart && !d.ContainsKey("TrainingStartTime"))
            {
                d["TrainingStartTime"] = Timestamps.ToEpochSeconds(now);
            }

            if (d.GetString("SecondaryStatus") == steps[^1].Status)
            {
                return false;
            }

            foreach (var (status, message) in steps)
            {
                SecondaryStatusHistory.Enter(d, status, message, now);
            }

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

    [LoggerMessage(Level = LogLevel.Error, Message = "Training job {Name} hit an internal error")]
    private static partial void LogInternalError(ILogger logger, Exception exception, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Training job {Name} is restarting after an internal error: {Reason}")]
    private static partial void LogRestarting(ILogger logger, string name, string reason);

    /// <summary>Where a job's files are: one directory per host (its work directory, with its opt/ml tree), logs and container ids beside them.</summary>
    private sealed record JobContext(string AccountId, string Name, string Root, IReadOnlyList<string> Hosts)
    {
        /// <summary>The network the hosts of a multi-instance job share.</summary>
        public string NetworkName => $"cp-{AccountId}-train-{Name}";

        public string HostRoot(string host) => Path.Combine(Root, host);

        public string MlRoot(string host) => Path.Combine(HostRoot(host), "opt", "ml");

        public string ConfigDirectory(string host) => Path.Combine(MlRoot(host), "input", "config");

        public string DataDirectory(string host) => Path.Combine(MlRoot(host), "input", "data");

        public string ModelDirectory(string host) => Path.Combine(MlRoot(host), "model");

        public string OutputDataDirectory(string host) => Path.Combine(MlRoot(host), "output", "data");

        public string CheckpointDirectory(string host) => Path.Combine(MlRoot(host), "checkpoints");

        public string ContainerIdPath(string host) => Path.Combine(Root, $"{host}.container.id");

        public string LogPath(string host) => JobWorkspace.HostLogPath(Root, host);
    }

    /// <summary>CheckpointConfig: the S3 prefix, the path the program sees and the host directory behind it.</summary>
    private sealed record Checkpoints(S3Location Uri, string LocalPath, string HostPath, bool InsideMlRoot)
    {
        public static Checkpoints? From(JsonObject document, JobContext job, string host)
        {
            if (document.GetObject("CheckpointConfig") is not { } config || S3Location.Parse(config.GetString("S3Uri")!) is not { Succeeded: true } uri)
            {
                return null;
            }

            var localPath = (config.GetString("LocalPath") ?? "/opt/ml/checkpoints").TrimEnd('/');
            var inside = localPath.StartsWith("/opt/ml/", StringComparison.Ordinal) && !localPath.Split('/').Contains("..");
            var hostPath = inside ? Path.Combine(job.MlRoot(host), localPath["/opt/ml/".Length..]) : Path.Combine(job.HostRoot(host), "checkpoints");
            return new Checkpoints(uri.Value!, localPath, hostPath, inside);
        }
    }

    /// <summary>One channel of InputDataConfig as it is delivered: its S3 source and its input mode.</summary>
    private sealed record ChannelPlan(string Name, S3DataSource Source, bool Pipe, bool Gzip, bool RecordIo)
    {
        public static Result<ChannelPlan> From(JsonObject channel, JsonObject document)
        {
            var name = channel.GetString("ChannelName")!;
            if (channel.GetObject("DataSource")?.GetObject("S3DataSource") is not { } s3)
            {
                return ApiError.Validation($"ClientError: Channel {name} has no S3DataSource; only S3 data sources are supported.");
            }

            var uri = S3Location.Parse(s3.GetString("S3Uri")!);
            if (!uri.Succeeded)
            {
                return ApiError.Validation($"ClientError: Channel {name}: {uri.Error!.Message}");
            }

            var dataType = s3.GetString("S3DataType") switch
            {
                "S3Prefix" => S3DataType.S3Prefix,
                "ManifestFile" => S3DataType.ManifestFile,
                _ => (S3DataType?)null,
            };
            if (dataType is null)
            {
                return ApiError.Validation($"ClientError: Channel {name}: S3DataType {s3.GetString("S3DataType")} is not supported; use S3Prefix or ManifestFile.");
            }

            // The channel's InputMode overrides the algorithm's; FastFile is served as File (the same files, staged).
            var pipe = (channel.GetString("InputMode") ?? document.GetObject("AlgorithmSpecification")?.GetString("TrainingInputMode")) == "Pipe";
            var gzip = channel.GetString("CompressionType") == "Gzip";
            if (gzip && !pipe)
            {
                return ApiError.Validation($"ClientError: Channel {name}: CompressionType Gzip is only supported in Pipe input mode.");
            }

            var distribution = s3.GetString("S3DataDistributionType") == "ShardedByS3Key" ? S3DataDistribution.ShardedByS3Key : S3DataDistribution.FullyReplicated;
            return new ChannelPlan(name, new S3DataSource(uri.Value!, dataType.Value, distribution), pipe, gzip, channel.GetString("RecordWrapperType") == "RecordIO");
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
