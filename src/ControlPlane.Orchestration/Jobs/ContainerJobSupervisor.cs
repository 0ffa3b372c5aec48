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
internal sealed record SupervisedExit(int ExitCode, StopRequest? StoppedBy);

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
    /// The job's container: the one an earlier worker started (its id is kept at <paramref name="containerIdPath"/>)
    /// if it still exists, else a new one from <paramref name="start"/>, whose id is then kept there.
    /// </summary>
    public async Task<Result<IContainerHandle>> AttachOrStartAsync(string containerIdPath, Func<Task<Result<IContainerHandle>>> start, CancellationToken cancellationToken)
    {
        if (await AttachAsync(containerIdPath, cancellationToken) is { } attached)
        {
            return Result<IContainerHandle>.Success(attached);
        }

        var started = await start();
        if (started.Succeeded)
        {
            await File.WriteAllTextAsync(containerIdPath, started.Value!.Id, cancellationToken);
        }

        return started;
    }

    private async Task<IContainerHandle?> AttachAsync(string containerIdPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(containerIdPath))
        {
            return null;
        }

        var handle = await runtime.TryAttachAsync(await File.ReadAllTextAsync(containerIdPath, cancellationToken), cancellationToken);
        if (handle is not null)
        {
            LogReattached(logger, containerIdPath, handle.Id);
        }

        return handle;
    }

    /// <summary>
    /// Waits for the container to exit, copying its log to <paramref name="logPath"/> (each line also to
    /// <paramref name="onLine"/>) and asking <paramref name="checkStop"/> every StopPollInterval whether to end it:
    /// then it gets SIGTERM, StopGracePeriod to exit, and SIGKILL.
    /// </summary>
    public async Task<SupervisedExit> SuperviseAsync(
        IContainerHandle handle,
        string logPath,
        Action<string, DateTimeOffset>? onLine,
        Func<CancellationToken, Task<StopRequest?>> checkStop,
        CancellationToken cancellationToken)
    {
        using var logCopy = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var logTask = CopyLogAsync(handle, logPath, onLine, logCopy.Token);
        var exit = handle.WaitForExitAsync(cancellationToken);
        StopRequest? stop = null;
        while (!exit.IsCompleted)
        {
            await Task.WhenAny(exit, Task.Delay(options.Value.StopPollInterval, time, cancellationToken));
            if (exit.IsCompleted)
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            stop = await checkStop(cancellationToken);
            if (stop is not null)
            {
                await handle.StopAsync(options.Value.StopGracePeriod, cancellationToken);
                break;
            }
        }

        var exitCode = await exit;
        await logTask.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        await logCopy.CancelAsync();
        return new SupervisedExit(exitCode, stop);
    }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Lock} is already being run by another worker")]
    private static partial void LogAlreadyRunning(ILogger logger, string @lock);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job at {Workspace} re-attached to container {ContainerId}")]
    private static partial void LogReattached(ILogger logger, string workspace, string containerId);
}
