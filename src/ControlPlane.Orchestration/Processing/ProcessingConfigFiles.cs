using System.Text.Json.Nodes;
using ControlPlane.Core.Documents;

namespace ControlPlane.Orchestration.Processing;

/// <summary>
/// The files SageMaker gives a processing container under /opt/ml/config (contract 5.4), written from the job's
/// document: processingjobconfig.json (the job's request as the service holds it, each S3Input with
/// <c>S3DownloadMode StartOfJob</c>) and resourceconfig.json.
/// </summary>
internal static class ProcessingConfigFiles
{
    private static readonly string[] JobMembers =
    [
        "ProcessingJobArn", "ProcessingJobName", "AppSpecification", "Environment", "ProcessingInputs", "ProcessingOutputConfig",
        "ProcessingResources", "RoleArn", "StoppingCondition", "NetworkConfig",
    ];

    public static async Task WriteAsync(string configDirectory, JsonObject job, string currentHost, IReadOnlyList<string> hosts, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(configDirectory);
        var jobConfig = new JsonObject();
        foreach (var member in JobMembers)
        {
            if (job[member] is { } value)
            {
                jobConfig[member] = value.DeepClone();
            }
        }

        jobConfig.Default("Environment", new JsonObject());
        foreach (var input in jobConfig.GetArray("ProcessingInputs").Objects())
        {
            input.GetObject("S3Input")?.Default("S3DownloadMode", "StartOfJob");
        }

        var resourceConfig = new JsonObject
        {
            ["current_host"] = currentHost,
            ["current_instance_type"] = job.GetObject("ProcessingResources")?.GetObject("ClusterConfig")?.GetString("InstanceType") ?? "local",
            ["hosts"] = new JsonArray(hosts.Select(h => (JsonNode)JsonValue.Create(h)).ToArray()),
            ["network_interface_name"] = "eth0",
        };

        await Write(Path.Combine(configDirectory, "processingjobconfig.json"), jobConfig, cancellationToken);
        await Write(Path.Combine(configDirectory, "resourceconfig.json"), resourceConfig, cancellationToken);
    }

    private static Task Write(string path, JsonNode content, CancellationToken cancellationToken) =>
        File.WriteAllTextAsync(path, content.ToJsonString(JsonDefaults.Options), cancellationToken);
}
