using System.Text.Json.Nodes;
using ControlPlane.Core.Documents;

namespace ControlPlane.Orchestration.Training;

/// <summary>
/// The files SageMaker gives a training container under /opt/ml/input/config (contract 5.1), written from the job's
/// document. Hyperparameters are passed exactly as sent: a map of strings.
/// </summary>
internal static class TrainingConfigFiles
{
    public const string GroupName = "homogeneousCluster";

    public static async Task WriteAsync(string configDirectory, JsonObject job, string currentHost, IReadOnlyList<string> hosts, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(configDirectory);
        var instanceType = job.GetObject("ResourceConfig")?.GetString("InstanceType") ?? "local";
        var resourceConfig = new JsonObject
        {
            ["current_host"] = currentHost,
            ["current_instance_type"] = instanceType,
            ["current_group_name"] = GroupName,
            ["hosts"] = new JsonArray(hosts.Select(h => (JsonNode)JsonValue.Create(h)).ToArray()),
            ["instance_groups"] = new JsonArray(new JsonObject
            {
                ["instance_group_name"] = GroupName,
                ["instance_type"] = instanceType,
                ["hosts"] = new JsonArray(hosts.Select(h => (JsonNode)JsonValue.Create(h)).ToArray()),
            }),
            ["network_interface_name"] = "eth0",
        };

        var algorithm = job.GetObject("AlgorithmSpecification");
        var inputDataConfig = new JsonObject();
        foreach (var channel in job.GetArray("InputDataConfig").Objects())
        {
            var entry = new JsonObject();
            if (channel.GetString("ContentType") is { } contentType)
            {
                entry["ContentType"] = contentType;
            }

            entry["TrainingInputMode"] = channel.GetString("InputMode") ?? algorithm?.GetString("TrainingInputMode") ?? "File";
            entry["S3DistributionType"] = channel.GetObject("DataSource")?.GetObject("S3DataSource")?.GetString("S3DataDistributionType") ?? "FullyReplicated";
            entry["RecordWrapperType"] = channel.GetString("RecordWrapperType") ?? "None";
            inputDataConfig[channel.GetString("ChannelName")!] = entry;
        }

        await Write(Path.Combine(configDirectory, "hyperparameters.json"), job.GetObject("HyperParameters")?.DeepClone() ?? new JsonObject(), cancellationToken);
        await Write(Path.Combine(configDirectory, "resourceconfig.json"), resourceConfig, cancellationToken);
        await Write(Path.Combine(configDirectory, "inputdataconfig.json"), inputDataConfig, cancellationToken);
    }

    private static Task Write(string path, JsonNode content, CancellationToken cancellationToken) =>
        File.WriteAllTextAsync(path, content.ToJsonString(JsonDefaults.Options), cancellationToken);
}
