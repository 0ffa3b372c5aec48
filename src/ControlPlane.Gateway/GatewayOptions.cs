using System.ComponentModel.DataAnnotations;

namespace ControlPlane.Gateway;

/// <summary>The gateway's settings: <c>ControlPlane:Url</c> and the <c>Gateway</c> section.</summary>
internal sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>The control plane whose route table the gateway follows (<c>ControlPlane:Url</c>).</summary>
    public Uri ControlPlaneUrl { get; set; } = new("http://127.0.0.1:5080");

    /// <summary>How often the route table is asked for; a change reaches the gateway within this (plus one request).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan RoutePollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a model may go without answering before the caller gets a ModelError (SageMaker: 60 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan InvocationTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Connecting to a model container; one that does not accept in time is skipped for another instance.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The largest request body (SageMaker: 6 MB).</summary>
    [Range(1, int.MaxValue)]
    public int MaxPayloadBytes { get; set; } = 6 * 1024 * 1024;

    /// <summary>When set, the gateway ends when that process does (the control plane that launched it).</summary>
    public int? ParentProcessId { get; set; }
}
