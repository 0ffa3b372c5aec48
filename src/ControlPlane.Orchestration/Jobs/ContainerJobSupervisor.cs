using System.Text;
using ControlPlane.Core.Errors;
using ControlPlane.Orchestration.Runtimes;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Orchestration.Jobs;

/// <summary>Why a job's container was ended before it exited by itself; the workflow turns it into the job's outcome.</summary>
internal sealed record StopRequest(string Reason);

/// <summary>How a supervised container ended: its exit code, and the stop request that ended it, if any.</summary>
/// <param name="ExitCode">The exit code that decides the outcome: the first non-zero one, else 0.</param>
/// <param name="StoppedBy">The stop request that ended the containers, if any.</param>
/// <param name="Index">The container <paramref name="ExitCode"/> is from.</param>
internal sealed record SupervisedExit(int ExitCode, StopRequest? StoppedBy, int Index);

/// <summary>One container of a job, with the file its log is copied to.</summary>
internal sealed record SupervisedContainer(IContainerHandle Handle, string LogPath);

/// <summary>What <see cref="ContainerJobSupervisor.AttachOrStartAsync"/> found or started.</summary>
/// <param name="Handles">The containers, one per host, when there are any.</param>
/// <param name="Lost">Containers an earlier worker started are gone.</param>
/// <param name="Error">Why the containers could not be started.</param>
internal sealed record ClusterStart(IReadOnlyList<IContainerHandle>? Handles, bool Lost, ApiError? Error);

/// <summary>
/// What every job that runs a container shares, whatever its type: one worker at a time per job (a Hangfire
/// distributed lock), re-attaching to the container a dead worker left running, copying the container's log, and
/// ending the container when the job is asked to stop.
/// </summary>
internal sealed partial class ContainerJobSupervisor(
    IContainerRuntime runtime,
    JobStorage hangfireStorage,
    IOptions<OrchestrationOptions> options,
    TimeProvider time,
    ILogger<ContainerJobSupervisor> logger)
{
    /// <summary>Longer than the storage's lock lifetime (see OrchestrationServiceCollectionExtensions).</summary>
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(25);

    /// <summary>
    /// Runs <paramref name="run"/> holding the job's lock. The connection carries the lock's heartbeat, so it lives as
    /// long as the lock; a lock left by a worker that died expires after the storage's lock lifetime, and waiting
    /// longer than that lets a recovered job resume.
    /// </summary>
    public async Task RunExclusiveAsync(string lockName, Func<Task> run)
    {
        using var connection = hangfireStorage.GetConnection();
        IDisposable runLock;
        try
        {
            runLock = connection.AcquireDistributedLock(lockName, LockWait);
        }
        catch (DistributedLockTimeoutException)
        {
            LogAlreadyRunning(logger, lockName);
            return;
        }

        using (runLock)
        {
            await run();
        }
    }

    /// <summary>
    /// The job's containers, one per host: those an earlier worker started (their ids are kept at
    /// <paramref name="containerIdPaths"/>) when every one of them still exists, else new ones from
    /// <paramref name="start"/>, whose ids are then kept there. Containers left of an incomplete set are removed first.
    /// <see cref="ClusterStart.Lost"/> says that an earlier worker had started containers that are gone: the job's
    /// program was interrupted by the platform, not by itself, so the workflow may retry it (RetryStrategy).
    /// </summary>
    public async Task<ClusterStart> AttachOrStartAsync(IReadOnlyList<string> containerIdPaths, Func<Task<Result<IReadOnlyList<IContainerHandle>>>> start, CancellationToken cancellationToken)
    {
        var attached = new List<IContainerHandle>();
        var lost = false;
        foreach (var path in containerIdPaths.Where(File.Exists))
        {
            if (await runtime.TryAttachAsync(await File.ReadAllTextAsync(path, cancellationToken), cancellationToken) is { } handle)
            {
                attached.Add(handle);
            }
            else
            {
                lost = true;
            }
        }

        if (!lost && attached.Count == containerIdPaths.Count)
        {
            LogReattached(logger, Path.GetDirectoryName(containerIdPaths[0])!, string.Join(", ", attached.Select(h => h.Id)));
            return new ClusterStart(attached, Lost: false, Error: null);
        }

        lost |= attached.Count > 0;
        await RemoveAllAsync(attached);
        foreach (var path in containerIdPaths.Where(File.Exists))
        {
            File.Delete(path);
        }

        if (lost)
        {
            return new ClusterStart(null, Lost: true, Error: null);
        }

        var started = await start();
        if (!started.Succeeded)
        {
            return new ClusterStart(null, Lost: false, started.Error);
        }

        for (var i = 0; i < containerIdPaths.Count; i++)
        {
            await File.WriteAllTextAsync(containerIdPaths[i], started.Value![i].Id, CancellationToken.None);
        }

        return new ClusterStart(started.Value, Lost: false, Error: null);
    }

    /// <summary>
    /// Runs <paramref name="stage"/> (writing what the programs read: the job's data and config files) while the image
    /// is checked and the containers are created, and starts them once it has ended without an error (the engine's
    /// create overlaps the staging). A staging error is the result even when the image cannot be pulled either, as
    /// when staging came first; <paramref name="pullFailed"/> words a pull's error. The image is
    /// <paramref name="specs"/>' first one's.
    /// </summary>
    public async Task<Result<IReadOnlyList<IContainerHandle>>> StageAndStartClusterAsync(
        Func<Task<ApiError?>> stage,
        IReadOnlyList<ContainerSpec> specs,
        Func<ApiError, ApiError> pullFailed,
        string networkName,
        bool isolated,
        CancellationToken cancellationToken)
    {
        var staged = Task.Run(stage, CancellationToken.None);
        Result<IReadOnlyList<IContainerHandle>> started;
        try
        {
            var pulled = await runtime.PullAsync(specs[0].Image, cancellationToken);
            started = pulled.Succeeded ? await StartClusterAsync(specs, networkName, isolated, cancellationToken, staged) : pullFailed(pulled.Error!);
        }
        catch
        {
            // Not left writing into the workspace that a retry starts clean.
            await staged.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            throw;
        }

        return await staged is { } notStaged ? notStaged : started;
    }

    /// <summary>
    /// Starts one container per spec (the hosts of a job, in order). Several share <paramref name="networkName"/>, made
    /// first (isolated when asked). A container left under a spec's name by a worker that died before keeping its id
    /// makes the start fail: it is then removed and the start tried once more. If one cannot start, those already
    /// started are removed and its error returned. With <paramref name="ready"/>, each container is created at once and
    /// started once that has ended without an error (see <see cref="IContainerRuntime.StartAsync(ContainerSpec, Task{ApiError}, CancellationToken)"/>).
    /// </summary>
    public async Task<Result<IReadOnlyList<IContainerHandle>>> StartClusterAsync(IReadOnlyList<ContainerSpec> specs, string networkName, bool isolated, CancellationToken cancellationToken, Task<ApiError?>? ready = null)
    {
        ready ??= Task.FromResult<ApiError?>(null);
        if (specs.Count > 1)
        {
            // Labelled with the job's owner labels (those its hosts share), for the orphan sweep.
            var owner = specs[0].Labels.Where(l => specs.All(s => s.Labels.TryGetValue(l.Key, out var value) && value == l.Value)).ToDictionary();
            await runtime.CreateNetworkAsync(networkName, isolated, owner, cancellationToken);
        }

        var started = new List<IContainerHandle>();
        foreach (var spec in specs)
        {
            var container = await runtime.StartAsync(spec, ready, cancellationToken);
            if (!container.Succeeded && await runtime.TryAttachAsync(spec.Name, cancellationToken) is { } orphan)
            {
                // Looked for only after a failed start: an engine round trip less on every start.
                await RemoveAllAsync([orphan]);
                container = await runtime.StartAsync(spec, ready, cancellationToken);
            }

            if (!container.Succeeded)
            {
                await RemoveAllAsync(started);
                return container.Error!;
            }

            started.Add(container.Value!);
        }

        return started;
    }

    /// <summary>
    /// Removes whatever is left of the containers whose ids are kept at <paramref name="containerIdPaths"/>, as far as
    /// the runtime answers, and forgets them: the job starts afresh next.
    /// </summary>
    public async Task DiscardAsync(IReadOnlyList<string> containerIdPaths)
    {
        foreach (var path in containerIdPaths.Where(File.Exists))
        {
            try
            {
                if (await runtime.TryAttachAsync(await File.ReadAllTextAsync(path, CancellationToken.None), CancellationToken.None) is { } handle)
                {
                    await RemoveAllAsync([handle]);
                }
            }
            catch (ContainerRuntimeException e)
            {
                LogDiscardFailed(logger, e, path);
            }

            File.Delete(path);
        }
    }

    /// <summary>Removes the containers (killing those that still run) and releases their handles.</summary>
    public static async Task RemoveAllAsync(IEnumerable<IContainerHandle> handles)
    {
        foreach (var handle in handles)
        {
            await handle.RemoveAsync(CancellationToken.None);
            await handle.DisposeAsync();
        }
    }

    /// <summary>
    /// Waits for every container to exit, copying each one's log to its <see cref="SupervisedContainer.LogPath"/> (the
    /// first container's lines also to <paramref name="onLine"/>) and asking <paramref name="checkStop"/> every
    /// StopPollInterval whether to end them: then they get SIGTERM, StopGracePeriod to exit, and SIGKILL. The first
    /// container to exit non-zero by itself decides the outcome and the others are stopped, as one failed host fails a
    /// SageMaker job.
    /// </summary>
    public async Task<SupervisedExit> SuperviseAsync(
        IReadOnlyList<SupervisedContainer> containers,
        Action<string, DateTimeOffset>? onLine,
        Func<CancellationToken, Task<StopRequest?>> checkStop,
        CancellationToken cancellationToken)
    {
        using var logCopy = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var logTasks = containers.Select((c, i) => CopyLogAsync(c.Handle, c.LogPath, i == 0 ? onLine : null, logCopy.Token)).ToList();
        var exits = containers.Select(c => c.Handle.WaitForExitAsync(cancellationToken)).ToList();
        StopRequest? stop = null;
        int? failed = null;
        while (exits.Any(e => !e.IsCompleted))
        {
            await Task.WhenAny([.. exits.Where(e => !e.IsCompleted), Task.Delay(options.Value.StopPollInterval, time, cancellationToken)]);
            if (exits.FirstOrDefault(e => e.IsFaulted) is { } fault)
            {
                // The engine lost a container: end the others too; the exception is the job's platform error.
                await StopAllAsync(containers, cancellationToken);
                await fault;
            }

            failed ??= FirstFailure(exits);
            if (failed is not null)
            {
                await StopAllAsync(containers, cancellationToken);
                break;
            }

            if (exits.All(e => e.IsCompleted))
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            stop = await checkStop(cancellationToken);
            if (stop is not null)
            {
                await StopAllAsync(containers, cancellationToken);
                break;
            }
        }

        var exitCodes = await Task.WhenAll(exits);
        await Task.WhenAll(logTasks).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        await logCopy.CancelAsync();
        var decisive = failed ?? Array.FindIndex(exitCodes, code => code != 0);
        return decisive < 0 ? new SupervisedExit(0, stop, 0) : new SupervisedExit(exitCodes[decisive], stop, decisive);
    }

    /// <summary>The index of a container that has exited non-zero, if any.</summary>
    private static int? FirstFailure(List<Task<int>> exits)
    {
        var index = exits.FindIndex(e => e.IsCompletedSuccessfully && e.Result != 0);
        return index < 0 ? null : index;
    }

    private async Task StopAllAsync(IReadOnlyList<SupervisedContainer> containers, CancellationToken cancellationToken) =>
        await Task.WhenAll(containers.Select(c => c.Handle.StopAsync(options.Value.StopGracePeriod, cancellationToken)));

    private async Task CopyLogAsync(IContainerHandle handle, string logPath, Action<string, DateTimeOffset>? onLine, CancellationToken cancellationToken)
    {
        try
        {
            // From the start: a re-attached container's log is replayed whole, so the file is rewritten, not appended to.
            await using var log = new FileStream(logPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
            await using var writer = new StreamWriter(log, new UTF8Encoding(false)) { AutoFlush = true };
            await foreach (var line in handle.FollowLogAsync(cancellationToken))
            {
                await writer.WriteLineAsync(line.AsMemory(), cancellationToken);
                onLine?.Invoke(line, time.GetUtcNow());
            }
        }
        catch (OperationCanceledException)
        {
            // The job ended; the log has what the container wrote.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove the container whose id is in {Path}")]
    private static partial void LogDiscardFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Lock} is already being run by another worker")]
    private static partial void LogAlreadyRunning(ILogger logger, string @lock);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job at {Workspace} re-attached to containers {ContainerIds}")]
    private static partial void LogReattached(ILogger logger, string workspace, string containerIds);
}
