using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Orchestration.Jobs;

/// <summary>
/// Starts a job created in a process that runs workers at once, instead of after the next poll of Hangfire's queue
/// (SQLite storage has no way to wake a waiting worker; polling every 100 ms cost 50 ms per start on average). A job
/// started here is not queued in Hangfire too (<see cref="HangfireJobLauncher"/>); one that Hangfire runs anyway (queued
/// by another process) finds it claimed here and returns at once. After a crash, recovery starts it again.
/// At most WorkerCount jobs run this way at a time; beyond that, jobs wait for Hangfire's workers as before.
/// </summary>
internal sealed partial class ImmediateJobStarts(IOptions<OrchestrationOptions> options, IHostApplicationLifetime lifetime, ILogger<ImmediateJobStarts> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, bool> _claimed = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots = new(options.Value.WorkerCount);

    /// <summary>Whether this process is running the job <paramref name="key"/> outside Hangfire right now.</summary>
    public bool IsClaimed(string key) => _claimed.ContainsKey(key);

    /// <summary>
    /// Claims the job and runs <paramref name="run"/> on the thread pool; false (nothing run) when this process runs no
    /// workers, no slot is free or the job is already claimed.
    /// </summary>
    public bool TryStart(string key, Func<CancellationToken, Task> run)
    {
        if (!options.Value.RunWorkers || !_slots.Wait(0))
        {
            return false;
        }

        if (!_claimed.TryAdd(key, true))
        {
            _slots.Release();
            return false;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await run(lifetime.ApplicationStopping);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The workflows end their jobs themselves; this is a fault outside them (the database gone, say).
                LogRunFailed(logger, e, key);
            }
            finally
            {
                _claimed.TryRemove(key, out _);
                _slots.Release();
            }
        }, CancellationToken.None);
        return true;
    }

    public void Dispose() => _slots.Dispose();

    [LoggerMessage(Level = LogLevel.Error, Message = "The immediate run of {Job} failed")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string job);
}
