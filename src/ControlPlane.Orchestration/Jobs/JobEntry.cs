using System.Text.Json.Nodes;
using ControlPlane.Application.Operations;
using ControlPlane.Core.Documents;
using ControlPlane.Core.Lifecycle;

namespace ControlPlane.Orchestration.Jobs;

/// <summary>What <see cref="JobEntry"/> needs to know of one kind of job: where it is stored, its status member and its lock.</summary>
internal sealed record JobKind(ResourceDescriptor Descriptor, string StatusMember, string LockPrefix)
{
    /// <summary>The job's lock, also its key among the jobs <see cref="ImmediateJobStarts"/> runs.</summary>
    public string LockName(string accountId, string name) => $"{LockPrefix}:{accountId}:{name}";
}

/// <summary>
/// The way into every job workflow: Hangfire's run of a job returns at once when this process already runs it
/// (<see cref="ImmediateJobStarts"/>); a run holds the job's distributed lock, so two workers never run one job; and it
/// leaves alone a job that is gone or has already ended.
/// </summary>
internal sealed class JobEntry(JobDocuments documents, ContainerJobSupervisor supervisor, ImmediateJobStarts immediate)
{
    /// <summary>The Hangfire run: <paramref name="runNow"/>, unless this process runs the job outside Hangfire right now.</summary>
    public async Task RunQueuedAsync(string lockName, Func<Task> runNow)
    {
        if (!immediate.IsClaimed(lockName))
        {
            await runNow();
        }
    }

    /// <summary>
    /// Runs <paramref name="run"/> with the job's document, under its lock (nothing when another worker holds it), when the
    /// job still exists and is not in a terminal status.
    /// </summary>
    public Task RunExclusiveAsync(JobKind kind, string accountId, string name, Func<JsonObject, Task> run, CancellationToken cancellationToken) =>
        supervisor.RunExclusiveAsync(kind.LockName(accountId, name), async () =>
        {
            var document = await documents.ReadAsync(kind.Descriptor, accountId, name, cancellationToken);
            if (document is not null && !JobStatus.IsTerminal(document.GetString(kind.StatusMember)!))
            {
                await run(document);
            }
        });
}
