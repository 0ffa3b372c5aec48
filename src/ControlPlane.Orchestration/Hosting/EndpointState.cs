using System.Text.Json;
using ControlPlane.Orchestration.Storage;

namespace ControlPlane.Orchestration.Hosting;

/// <summary>
/// What an endpoint's supervisor must know to pick up after a restart: the live deployment and, during an
/// UpdateEndpoint, the one being brought up, with every container it started. Kept as state.json in the endpoint's
/// workspace and rewritten whole after every change.
/// </summary>
internal sealed class EndpointState
{
    public DeploymentRecord? Active { get; set; }

    public DeploymentRecord? Pending { get; set; }

    public static async Task<EndpointState> LoadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return new EndpointState();
        }

        await using var file = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<EndpointState>(file, cancellationToken: cancellationToken) ?? new EndpointState();
    }

    public async Task SaveAsync(string path, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(this));
        await AtomicFile.WriteAsync(path, content, cancellationToken);
    }
}

/// <summary>One endpoint configuration deployed: its variants as resolved when it was deployed (the configuration and models may be deleted later).</summary>
internal sealed class DeploymentRecord
{
    public required string Id { get; init; }

    public required string EndpointConfigName { get; init; }

    public required List<VariantRecord> Variants { get; init; }
}

/// <summary>A production variant: what its containers run and which containers run it.</summary>
internal sealed class VariantRecord
{
    public required string Name { get; init; }

    public required string Image { get; init; }

    public required Dictionary<string, string> Environment { get; init; }

    public string? InstanceType { get; init; }

    /// <summary>The unpacked model, mounted read-only at /opt/ml/model.</summary>
    public required string ModelDirectory { get; init; }

    public TimeSpan StartupTimeout { get; init; }

    public double Weight { get; set; }

    public int DesiredInstanceCount { get; set; }

    public List<InstanceRecord> Instances { get; init; } = [];
}

/// <summary>A container of a variant: its name on the engine and the id to re-attach to it.</summary>
internal sealed record InstanceRecord(string ContainerName, string ContainerId, string WorkDirectory);
