using ControlPlane.Application.Operations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Orchestration.Hosting;

/// <summary>
/// At start-up every asynchronous inference still pending is queued again under a new token. A worker that died
/// mid-call leaves its Hangfire job fetched and invisible for a long time; its copy, and any other copy still queued or
/// scheduled, then finds the token changed and ends without running.
/// </summary>
internal sealed partial class AsyncInvocationRecovery(PendingAsyncInvocations pending, IAsyncInvocationQueue queue, ILogger<AsyncInvocationRecovery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var invocations = pending.All();
        foreach (var invocation in invocations)
        {
            await queue.EnqueueAsync(invocation, stoppingToken);
        }

        if (invocations.Count > 0)
        {
            LogRecovered(logger, invocations.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Queued {Count} pending asynchronous inferences again after start-up")]
    private static partial void LogRecovered(ILogger logger, int count);
}
