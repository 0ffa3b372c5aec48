using System.Globalization;
using ControlPlane.Application;
using Microsoft.Extensions.Options;

namespace ControlPlane.Orchestration.Jobs;

/// <summary>Where a job's files live on this host: its /opt/ml trees, its logs and what it needs to resume.</summary>
public sealed class JobWorkspace(IOptions<ControlPlaneOptions> options)
{
    /// <summary>The host SageMaker's single-instance jobs run on and whose log is served by default.</summary>
    public const string FirstHost = "algo-1";

    /// <summary>SageMaker's host names for a job with <paramref name="instanceCount"/> instances: algo-1 … algo-N.</summary>
    public static IReadOnlyList<string> Hosts(int instanceCount) =>
        [.. Enumerable.Range(1, Math.Max(1, instanceCount)).Select(i => "algo-" + i.ToString(CultureInfo.InvariantCulture))];

    /// <summary>The stdout and stderr of one host's container, one line each, as the logs endpoint serves them.</summary>
    public static string HostLogPath(string root, string host) => Path.Combine(root, $"{host}.log");

    public string Root(string kindSegment, string accountId, string name) =>
        Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "jobs", accountId, kindSegment, name);

    /// <summary>The log of <paramref name="host"/> (algo-1 … algo-N) of a job.</summary>
    public string LogPath(string kindSegment, string accountId, string name, string host = FirstHost) => HostLogPath(Root(kindSegment, accountId, name), host);
}
