using System.ComponentModel.DataAnnotations;

namespace ControlPlane.Orchestration.Hosting;

/// <summary>The <c>ControlPlane:Hosting</c> configuration section: how endpoints are started, watched and drained.</summary>
public sealed class HostingOptions
{
    public const string SectionName = "ControlPlane:Hosting";

    /// <summary>How long a new instance has to answer <c>GET /ping</c> with 200 (SageMaker: 4 minutes); a variant's ContainerStartupHealthCheckTimeoutInSeconds overrides it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan StartupHealthCheckTimeout { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>How often every instance is pinged once it serves.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>One ping's time limit (SageMaker: 2 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Consecutive failed pings after which a running instance is replaced.</summary>
    [Range(1, 100)]
    public int FailedPingsBeforeReplacement { get; set; } = 3;

    /// <summary>
    /// Between taking instances out of the routes and stopping them: the gateway picks up a route change within a
    /// second, and invocations already sent finish.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan DrainPeriod { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Between publishing a new endpoint's routes and reporting it InService: the gateway polls the routes every
    /// 200 ms, so an invocation sent as soon as DescribeEndpoint says InService finds them.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RoutePropagationDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Between SIGTERM and SIGKILL when an instance is stopped (SageMaker: 30 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an endpoint's supervisor looks for Update, UpdateEndpointWeightsAndCapacities and Delete.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan ChangePollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Endpoints one worker process supervises at a time (each holds one Hangfire worker of the <c>endpoints</c> queue).</summary>
    [Range(1, 1024)]
    public int MaxEndpoints { get; set; } = 16;

    /// <summary>Asynchronous inferences (InvokeEndpointAsync) one worker process runs at a time.</summary>
    [Range(1, 256)]
    public int AsyncInvocationWorkers { get; set; } = 4;
}
