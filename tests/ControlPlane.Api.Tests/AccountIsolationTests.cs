using System.Net;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>
/// Two access keys in two accounts: each key's account is the account in its ARNs, and one account can neither see
/// nor change the other's resources through any operation, on either door; names are unique per account only.
/// </summary>
public sealed class AccountIsolationTests(SignedServiceFixture fixture) : IClassFixture<SignedServiceFixture>
{
    public static TheoryData<string> Doors => new(ApiDoor.Names);

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task One_account_can_neither_see_nor_change_another_accounts_resources(string doorName)
    {
        var alpha = fixture.Door(doorName, TestAccessKey.Alpha);
        var bravo = fixture.Door(doorName, TestAccessKey.Bravo);
        var tag = Requests.Unique("iso");
        var (model, config, endpoint, training, processing, transform) = ($"{tag}-m", $"{tag}-c", $"{tag}-e", $"{tag}-t", $"{tag}-p", $"{tag}-x");
        var arns = new List<string>();
        foreach (var (operation, request, arnMember) in new[]
        {
            ("CreateModel", Requests.Model(model), "ModelArn"),
            ("CreateEndpointConfig", Requests.EndpointConfig(config, model), "EndpointConfigArn"),
            ("CreateEndpoint", Requests.Endpoint(endpoint, config), "EndpointArn"),
            ("CreateTrainingJob", Requests.TrainingJob(training), "TrainingJobArn"),
            ("CreateProcessingJob", Requests.ProcessingJob(processing), "ProcessingJobArn"),
            ("CreateTransformJob", Requests.TransformJob(transform, model), "TransformJobArn"),
        })
        {
            request["Tags"] = new JsonArray(new JsonObject { ["Key"] = "owner", ["Value"] = "alpha" });
            var created = await alpha.InvokeAsync(operation, request);
            Assert.True(created.Status == HttpStatusCode.OK, $"{operation}: {created}");
            var arn = created.Body[arnMember]!.GetValue<string>();
            Assert.Contains(":111111111111:", arn, StringComparison.Ordinal);
            arns.Add(arn);
        }

        var byName = new[]
        {
            ("Model", "ModelName", model), ("EndpointConfig", "EndpointConfigName", config), ("Endpoint", "EndpointName", endpoint),
            ("TrainingJob", "TrainingJobName", training), ("ProcessingJob", "ProcessingJobName", processing), ("TransformJob", "TransformJobName", transform),
        };
        foreach (var (noun, member, name) in byName)
        {
            await NotFoundAsync(bravo, $"Describe{noun}", Requests.Named(member, name), null);
            var list = await bravo.InvokeAsync(noun == "Model" ? "ListModels" : $"List{noun}s", new JsonObject { ["NameContains"] = tag });
            Assert.True(list.Status == HttpStatusCode.OK, list.ToString());
            Assert.DoesNotContain(tag, list.Body.ToJsonString(), StringComparison.Ordinal);
            await NotFoundAsync(bravo, noun.EndsWith("Job", StringComparison.Ordinal) ? $"Stop{noun}" : $"Delete{noun}", Requests.Named(member, name), null);
        }

        await NotFoundAsync(bravo, "UpdateEndpoint", Requests.Endpoint(endpoint, config), null);
        await NotFoundAsync(bravo, "UpdateEndpointWeightsAndCapacities", new JsonObject
        {
            ["EndpointName"] = endpoint,
            ["DesiredWeightsAndCapacities"] = new JsonArray(new JsonObject { ["VariantName"] = "variant-1", ["DesiredWeight"] = 2 }),
        }, null);
        await NotFoundAsync(bravo, "CreateEndpointConfig", Requests.EndpointConfig($"{tag}-bc", model), "Could not find model");
        await NotFoundAsync(bravo, "CreateTransformJob", Requests.TransformJob($"{tag}-bx", model), "Could not find model");
        foreach (var arn in arns)
        {
            await NotFoundAsync(bravo, "ListTags", new JsonObject { ["ResourceArn"] = arn }, "Resource does not exist");
            await NotFoundAsync(bravo, "AddTags", new JsonObject { ["ResourceArn"] = arn, ["Tags"] = new JsonArray(new JsonObject { ["Key"] = "owner", ["Value"] = "bravo" }) }, "Resource does not exist");
            await NotFoundAsync(bravo, "DeleteTags", new JsonObject { ["ResourceArn"] = arn, ["TagKeys"] = new JsonArray("owner") }, "Resource does not exist");
        }

        // Alpha's resources are as alpha left them.
        foreach (var (noun, member, name) in byName)
        {
            var described = await alpha.InvokeAsync($"Describe{noun}", Requests.Named(member, name));
            Assert.True(described.Status == HttpStatusCode.OK, $"{noun}: {described}");
            Assert.NotEqual("Stopping", described.Body[$"{noun}Status"]?.GetValue<string>());
        }

        foreach (var arn in arns)
        {
            var tags = await alpha.InvokeAsync("ListTags", new JsonObject { ["ResourceArn"] = arn });
            Assert.Equal("alpha", tags.Body["Tags"]![0]!["Value"]!.GetValue<string>());
        }

        // Names are unique per account: bravo may use alpha's names, in its own account.
        var bravoModel = await bravo.InvokeAsync("CreateModel", Requests.Model(model));
        var bravoTraining = await bravo.InvokeAsync("CreateTrainingJob", Requests.TrainingJob(training));
        Assert.Contains(":222222222222:", bravoModel.Body["ModelArn"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(":222222222222:", bravoTraining.Body["TrainingJobArn"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static async Task NotFoundAsync(ApiDoor door, string operation, JsonObject input, string? messageContains)
    {
        var response = await door.InvokeAsync(operation, input);
        Assert.True(response.Status == HttpStatusCode.BadRequest && response.ErrorCode == "ValidationException", $"{operation}: {response}");
        if (messageContains is not null)
        {
            Assert.Contains(messageContains, response.Message, StringComparison.Ordinal);
        }
    }
}
