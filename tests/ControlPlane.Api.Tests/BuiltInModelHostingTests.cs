using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>
/// A built-in XGBoost model, trained by the service on Docker, deployed to an endpoint and invoked through the inference
/// gateway with plain HTTP and with boto3's <c>sagemaker-runtime</c>.
/// </summary>
public sealed class BuiltInModelHostingTests : IAsyncLifetime
{
    private const string XgboostImage = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1";
    private HostingService _hosting = null!;

    public async Task InitializeAsync()
    {
        await Task.WhenAll(DockerHostingFixture.Published.Value, TestImages.EnsureAlgorithmsAsync());
        _hosting = await HostingService.StartAsync(
            DockerHostingFixture.Image, "--ControlPlane:Containers:Runtime", "docker", "--ControlPlane:BuiltInAlgorithms:Image", TestImages.Algorithms);
    }

    public async Task DisposeAsync() => await _hosting.DisposeAsync();

    [Fact]
    public async Task A_trained_xgboost_model_serves_csv_through_the_gateway_to_plain_HTTP_and_boto3()
    {
        var train = Path.Combine(_hosting.Service.DataDirectory, "s3", "bucket", "train", "part.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(train)!);
        var rows = TransformFixture.Rows(2000, seed: 3);
        await File.WriteAllTextAsync(train, string.Concat(rows.Select(r => $"{(r[0] > 0 ? 1 : 0)}," + string.Join(',', r.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture))) + "\n")));
        var training = Requests.TrainingJob("served");
        training["AlgorithmSpecification"]!["TrainingImage"] = XgboostImage;
        training["HyperParameters"] = new JsonObject { ["num_round"] = "20", ["objective"] = "binary:logistic", ["max_depth"] = "3" };
        await Expect.OkAsync(_hosting.Wire.InvokeAsync("CreateTrainingJob", training));
        var job = await WaitForTrainingAsync("served");
        Assert.True(job["TrainingJobStatus"]!.GetValue<string>() == "Completed", job.ToJsonString());

        var model = Requests.Model("served");
        model["PrimaryContainer"] = new JsonObject { ["Image"] = XgboostImage, ["ModelDataUrl"] = job["ModelArtifacts"]!["S3ModelArtifacts"]!.GetValue<string>() };
        await Expect.OkAsync(_hosting.Wire.InvokeAsync("CreateModel", model));
        await _hosting.CreateConfigAsync("served", new VariantSpec("AllTraffic", "served"));
        await Expect.OkAsync(_hosting.Wire.InvokeAsync("CreateEndpoint", Requests.Endpoint("served", "served")));
        var endpoint = await _hosting.WaitForSettledAsync("served");
        Assert.True(endpoint["EndpointStatus"]!.GetValue<string>() == "InService", endpoint.ToJsonString());

        using var response = await _hosting.Gateway.PostAsync("/endpoints/served/invocations", new StringContent("0.9,0,0,0\n-0.9,0,0,0", Encoding.UTF8, "text/csv"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var scores = body.TrimEnd('\n').Split('\n').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(scores.Length == 2 && scores[0] > 0.7 && scores[1] < 0.3, body);

        var boto3 = await RunPythonAsync($$"""
            import boto3
            runtime = boto3.client("sagemaker-runtime", endpoint_url="{{_hosting.Gateway.BaseAddress!.ToString().TrimEnd('/')}}", region_name="us-east-1",
                                   aws_access_key_id="test", aws_secret_access_key="test")
            answer = runtime.invoke_endpoint(EndpointName="served", ContentType="text/csv", Accept="text/csv", Body=b"0.9,0,0,0")
            print(answer["InvokedProductionVariant"], answer["ContentType"], answer["Body"].read().decode().strip())
            """);
        var parts = boto3.Trim().Split(' ');
        Assert.Equal("AllTraffic", parts[0]);
        Assert.StartsWith("text/csv", parts[1], StringComparison.Ordinal);
        Assert.True(double.Parse(parts[2], CultureInfo.InvariantCulture) > 0.7, boto3);
    }

    private async Task<JsonObject> WaitForTrainingAsync(string name)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var job = (await _hosting.Wire.InvokeAsync("DescribeTrainingJob", Requests.Named("TrainingJobName", name))).Body;
            if (job["TrainingJobStatus"]?.GetValue<string>() is "Completed" or "Failed" or "Stopped" || DateTime.UtcNow > deadline)
            {
                return job;
            }

            await Task.Delay(200);
        }
    }

    private static async Task<string> RunPythonAsync(string script)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{await output}\n{await error}");
        return await output;
    }
}
