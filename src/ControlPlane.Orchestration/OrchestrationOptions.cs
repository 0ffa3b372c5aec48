using System.ComponentModel.DataAnnotations;

namespace ControlPlane.Orchestration;

/// <summary>The <c>ControlPlane:Orchestration</c> configuration section.</summary>
public sealed class OrchestrationOptions
{
    public const string SectionName = "ControlPlane:Orchestration";

    /// <summary>Whether this process runs jobs. A deployment with separate worker processes sets it false on the API.</summary>
    public bool RunWorkers { get; set; } = true;

    /// <summary>Jobs one process runs at the same time.</summary>
    [Range(1, 256)]
    public int WorkerCount { get; set; } = 8;

    /// <summary>How often idle workers look for new jobs; this bounds how long a created job waits to start.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often a running job checks whether it was asked to stop.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan StopPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Between SIGTERM and SIGKILL when a job is stopped or runs out of time (SageMaker: 120 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(120);
}
