// The whole flow with ControlPlane.Client against a running control plane and gateway (README: "C# client"):
// data into the store, XGBoost training, wait, model + endpoint config + endpoint, wait, InvokeEndpoint, batch
// transform, wait, clean-up. Run: dotnet run --project samples/ControlPlane.Samples.EndToEnd [--Sample:Key value ...]
using System.Globalization;
using System.Text;
using ControlPlane.Client;
using ControlPlane.Client.Model;
using ControlPlane.Client.Runtime;
using ControlPlane.Samples.EndToEnd;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The sample's own appsettings.json beside the program, not the service's in the repository root.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddControlPlaneClient(builder.Configuration);
var settings = builder.Configuration.GetSection("Sample").Get<SampleSettings>() ?? new SampleSettings();
using var host = builder.Build();
await host.StartAsync(); // validates the client options
var sageMaker = host.Services.GetRequiredService<ISageMakerClient>();
var runtime = host.Services.GetRequiredService<ISageMakerRuntimeClient>();
using var store = new ObjectStore(settings);
using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => (e.Cancel, _) = (true, interrupt.CancelAsync());
var cancel = interrupt.Token;
var wait = new WaiterOptions { Delay = TimeSpan.FromSeconds(settings.PollSeconds), Timeout = TimeSpan.FromMinutes(30) };
var run = DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);
var (job, model, config, endpoint, transform) = ($"sample-train-{run}", $"sample-model-{run}", $"sample-config-{run}", $"sample-endpoint-{run}", $"sample-transform-{run}");

// 1. Data: label first, no header, as SageMaker's XGBoost reads CSV. The label is 1 when x1 + x2 > 1.
var random = new Random(7);
var rows = Enumerable.Range(0, 400).Select(_ => (X1: random.NextDouble(), X2: random.NextDouble())).ToList();
await store.PutAsync("sample/train/train.csv", string.Concat(rows.Select(r => FormattableString.Invariant($"{(r.X1 + r.X2 > 1 ? 1 : 0)},{r.X1:F4},{r.X2:F4}\n"))), cancel);
await store.PutAsync("sample/batch/batch.csv", "0.9,0.8\n0.1,0.2\n0.7,0.6\n", cancel);
Console.WriteLine($"1. data in {store.Uri("sample/")}");

try
{
    // 2. Train and wait.
    await sageMaker.CreateTrainingJobAsync(new CreateTrainingJobRequest
    {
        TrainingJobName = job,
        RoleArn = settings.RoleArn,
        AlgorithmSpecification = new AlgorithmSpecification { TrainingImage = settings.XGBoostImage, TrainingInputMode = TrainingInputMode.File },
        HyperParameters = new() { ["objective"] = "binary:logistic", ["num_round"] = "20", ["max_depth"] = "3" },
        InputDataConfig =
        [
            new Channel
            {
                ChannelName = "train",
                ContentType = "text/csv",
                DataSource = new DataSource { S3DataSource = new S3DataSource { S3DataType = S3DataType.S3Prefix, S3Uri = store.Uri("sample/train/") } },
            },
        ],
        OutputDataConfig = new OutputDataConfig { S3OutputPath = store.Uri("sample/output/") },
        ResourceConfig = new ResourceConfig { InstanceType = settings.InstanceType, InstanceCount = 1, VolumeSizeInGB = 10 },
        StoppingCondition = new StoppingCondition { MaxRuntimeInSeconds = 1800 },
    }, cancel);
    var trained = (await sageMaker.Waiters.WaitUntilTrainingJobCompletedOrStoppedAsync(new DescribeTrainingJobRequest { TrainingJobName = job }, wait, cancel)).Response!;
    Console.WriteLine($"2. {job}: {trained.TrainingJobStatus}, model at {trained.ModelArtifacts?.S3ModelArtifacts}; " +
                      string.Join(", ", trained.FinalMetricDataList?.Select(m => $"{m.MetricName}={m.Value}") ?? []));

    // 3. Deploy and wait.
    await sageMaker.CreateModelAsync(new CreateModelInput
    {
        ModelName = model,
        ExecutionRoleArn = settings.RoleArn,
        PrimaryContainer = new ContainerDefinition { Image = settings.XGBoostImage, ModelDataUrl = trained.ModelArtifacts!.S3ModelArtifacts },
    }, cancel);
    await sageMaker.CreateEndpointConfigAsync(new CreateEndpointConfigInput
    {
        EndpointConfigName = config,
        ProductionVariants = [new ProductionVariant { VariantName = "AllTraffic", ModelName = model, InitialInstanceCount = 1, InstanceType = settings.InstanceType }],
    }, cancel);
    await sageMaker.CreateEndpointAsync(new CreateEndpointInput { EndpointName = endpoint, EndpointConfigName = config }, cancel);
    await sageMaker.Waiters.WaitUntilEndpointInServiceAsync(new DescribeEndpointInput { EndpointName = endpoint }, wait, cancel);
    Console.WriteLine($"3. {endpoint}: InService");

    // 4. Invoke through the gateway.
    using (var answer = await runtime.InvokeEndpointAsync(new InvokeEndpointRequest
    {
        EndpointName = endpoint,
        ContentType = "text/csv",
        Accept = "text/csv",
        Body = new MemoryStream(Encoding.UTF8.GetBytes("0.9,0.8\n0.1,0.2\n")),
    }, cancel))
    {
        using var reader = new StreamReader(answer.Body);
        Console.WriteLine($"4. invoked {answer.InvokedProductionVariant}: {(await reader.ReadToEndAsync(cancel)).Trim().ReplaceLineEndings(" ")}");
    }

    // 5. Batch transform and wait.
    await sageMaker.CreateTransformJobAsync(new CreateTransformJobRequest
    {
        TransformJobName = transform,
        ModelName = model,
        TransformInput = new TransformInput
        {
            ContentType = "text/csv",
            SplitType = SplitType.Line,
            DataSource = new TransformDataSource { S3DataSource = new TransformS3DataSource { S3DataType = S3DataType.S3Prefix, S3Uri = store.Uri("sample/batch/") } },
        },
        TransformOutput = new TransformOutput { S3OutputPath = store.Uri("sample/batch-out/") },
        TransformResources = new TransformResources { InstanceType = settings.InstanceType, InstanceCount = 1 },
    }, cancel);
    await sageMaker.Waiters.WaitUntilTransformJobCompletedOrStoppedAsync(new DescribeTransformJobRequest { TransformJobName = transform }, wait, cancel);
    Console.WriteLine($"5. {transform}: {(await store.GetAsync("sample/batch-out/batch.csv.out", cancel)).Trim().ReplaceLineEndings(" ")}");
}
catch (WaiterFailedException e)
{
    Console.Error.WriteLine($"{e.Message} {(e.LastResponse as DescribeTrainingJobResponse)?.FailureReason}");
    Environment.ExitCode = 1;
}
catch (SageMakerException e)
{
    Console.Error.WriteLine($"{e.ErrorCode} ({(int)e.StatusCode}, request {e.RequestId}): {e.Message}");
    Environment.ExitCode = 1;
}
finally
{
    // 6. Clean up whatever was created; what never existed answers ValidationException.
    using var cleanup = new CancellationTokenSource(TimeSpan.FromMinutes(5));
    await IgnoreMissingAsync(() => sageMaker.DeleteEndpointAsync(new DeleteEndpointInput { EndpointName = endpoint }, cleanup.Token));
    await IgnoreMissingAsync(() => sageMaker.Waiters.WaitUntilEndpointDeletedAsync(new DescribeEndpointInput { EndpointName = endpoint }, wait, cleanup.Token));
    await IgnoreMissingAsync(() => sageMaker.DeleteEndpointConfigAsync(new DeleteEndpointConfigInput { EndpointConfigName = config }, cleanup.Token));
    await IgnoreMissingAsync(() => sageMaker.DeleteModelAsync(new DeleteModelInput { ModelName = model }, cleanup.Token));
    Console.WriteLine("6. cleaned up");
    await host.StopAsync(CancellationToken.None);
}

static async Task IgnoreMissingAsync(Func<Task> delete)
{
    try
    {
        await delete();
    }
    catch (ValidationException)
    {
        // Not created (an earlier step failed) or already gone.
    }
}
