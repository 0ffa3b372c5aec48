using ControlPlane.Application;
using Microsoft.Extensions.Options;

namespace ControlPlane.Orchestration.Jobs;

/// <summary>Where a job's files live on this host: its /opt/ml tree, its logs and what it needs to resume.</summary>
public sealed class JobWorkspace(IOptions<ControlPlaneOptions> options)
{
    public string Root(string kindSegment, string accountId, string name) =>
        Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "jobs", accountId, kindSegment, name);

    /// <summary>The container's stdout and stderr, one line each, as the logs endpoint serves them.</summary>
    public string LogPath(string kindSegment, string accountId, string name) => Path.Combine(Root(kindSegment, accountId, name), "algo-1.log");
}
