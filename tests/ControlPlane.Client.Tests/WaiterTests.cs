using ControlPlane.Client.Model;
using ControlPlane.Client.Tests.Infrastructure;

namespace ControlPlane.Client.Tests;

/// <summary>
/// The waiters against jobs that really run (the scripted trainer and processor on the Process runtime): success,
/// a failure state, and timeouts by attempts and by time; endpoints and transform jobs kept starting by a model whose
/// server does not answer its ping yet, deleted, unknown.
/// </summary>
public sealed class WaiterTests(JobRunningService fixture) : IClassFixture<JobRunningService>
{
    private static readonly WaiterOptions Quick = new() { Delay = TimeSpan.FromMilliseconds(200), Timeout = TimeSpan.FromSeconds(90) };

    [Fact]
    public async Task TrainingJobCompletedOrStopped_returns_the_completed_job()
    {
        using var client = fixture.Client();
        var name = await StartTrainingAsync(client, new() { ["epochs"] = "1" });

        var result = await client.Waiters.WaitUntilTrainingJobCompletedOrStoppedAsync(new DescribeTrainingJobRequest { TrainingJobName = name }, Quick);

        Assert.Equal(TrainingJobStatus.Completed, result.Response!.TrainingJobStatus);
        Assert.Null(result.Error);
        Assert.True(result.Attempts > 1, $"{result.Attempts} attempts");
    }

    [Fact]
    public async Task TrainingJobCompletedOrStopped_returns_a_job_stopped_while_training()
    {
        using var client = fixture.Client();
        var name = await StartTrainingAsync(client, new() { ["epochs"] = "100", ["sleep"] = "1" });
        await WaitForSecondaryStatusAsync(client, name, SecondaryStatus.Training);

        await client.StopTrainingJobAsync(new StopTrainingJobRequest { TrainingJobName = name });
        var result = await client.Waiters.WaitUntilTrainingJobCompletedOrStoppedAsync(new DescribeTrainingJobRequest { TrainingJobName = name }, Quick);

        Assert.Equal(TrainingJobStatus.Stopped, result.Response!.TrainingJobStatus);
    }

    [Fact]
    public async Task TrainingJobCompletedOrStopped_throws_WaiterFailedException_naming_the_Failed_state()
    {
        using var client = fixture.Client();
        var name = await StartTrainingAsync(client, new() { ["fail"] = "eta must be positive" });

        var error = await Assert.ThrowsAsync<WaiterFailedException>(() =>
            client.Waiters.WaitUntilTrainingJobCompletedOrStoppedAsync(new DescribeTrainingJobRequest { TrainingJobName = name }, Quick));

        Assert.Equal(("TrainingJobCompletedOrStopped", "TrainingJobStatus == \"Failed\""), (error.WaiterName, error.MatchedState));
        Assert.Contains("terminal failure state: TrainingJobStatus == \"Failed\"", error.Message, StringComparison.Ordinal);
        Assert.Equal("eta must be positive", Assert.IsType<DescribeTrainingJobResponse>(error.LastResponse).FailureReason);
    }

    [Fact]
    public async Task TrainingJobCompletedOrStopped_gives_up_after_its_timeout_and_after_its_attempts()
    {
        using var client = fixture.Client();
        var name = await StartTrainingAsync(client, new() { ["epochs"] = "100", ["sleep"] = "1" });
        var request = new DescribeTrainingJobRequest { TrainingJobName = name };

        var byTime = await Assert.ThrowsAsync<WaiterTimeoutException>(() =>
            client.Waiters.WaitUntilTrainingJobCompletedOrStoppedAsync(request, new WaiterOptions { Delay = TimeSpan.FromMilliseconds(300), Timeout = TimeSpan.FromSeconds(1) }));
        var byAttempts = await Assert.ThrowsAsync<WaiterTimeoutException>(() =>
            client.Waiters.WaitUntilTrainingJobCompletedOrStoppedAsync(request, new WaiterOptions { Delay = TimeSpan.FromMilliseconds(100), MaxAttempts = 2 }));
        await client.StopTrainingJobAsync(new StopTrainingJobRequest { TrainingJobName = name });

        Assert.InRange(byTime.Attempts, 2, 4);
        Assert.Contains("after the timeout", byTime.Message, StringComparison.Ordinal);
        Assert.Equal(TrainingJobStatus.InProgress, Assert.IsType<DescribeTrainingJobResponse>(byTime.LastResponse).TrainingJobStatus);
        Assert.Equal(2, byAttempts.Attempts);
        Assert.Contains("2 attempts exceeded", byAttempts.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_waiter_on_an_unknown_job_fails_on_ValidationException()
    {
        using var client = fixture.Client();

        var training = await Assert.ThrowsAsync<WaiterFailedException>(() =>
            client.Waiters.WaitUntilTrainingJobCompletedOrStoppedAsync(new DescribeTrainingJobRequest { TrainingJobName = "never-created" }, Quick));
        var processing = await Assert.ThrowsAsync<WaiterFailedException>(() =>
            client.Waiters.WaitUntilProcessingJobCompletedOrStoppedAsync(new DescribeProcessingJobRequest { ProcessingJobName = "never-created" }, Quick));
        var transform = await Assert.ThrowsAsync<WaiterFailedException>(() =>
            client.Waiters.WaitUntilTransformJobCompletedOrStoppedAsync(new DescribeTransformJobRequest { TransformJobName = "never-created" }, Quick));

        Assert.All([training, processing, transform], e => Assert.Equal("error ValidationException", e.MatchedState));
        Assert.Equal(1, training.Attempts);
        Assert.IsType<ValidationException>(training.InnerException);
    }

    [Fact]
    public async Task ProcessingJobCompletedOrStopped_returns_the_completed_job()
    {
        using var client = fixture.Client();
        var name = Shapes.Unique("proc");
        await client.CreateProcessingJobAsync(Shapes.ProcessingJob(name, JobRunningService.ProcessorImage));

        var result = await client.Waiters.WaitUntilProcessingJobCompletedOrStoppedAsync(new DescribeProcessingJobRequest { ProcessingJobName = name }, Quick);

        Assert.Equal(ProcessingJobStatus.Completed, result.Response!.ProcessingJobStatus);
    }

    [Fact]
    public async Task ProcessingJobCompletedOrStopped_throws_WaiterFailedException_naming_the_Failed_state()
    {
        using var client = fixture.Client();
        var name = Shapes.Unique("proc");
        await client.CreateProcessingJobAsync(Shapes.ProcessingJob(name, JobRunningService.ProcessorImage, "fail=3"));

        var error = await Assert.ThrowsAsync<WaiterFailedException>(() =>
            client.Waiters.WaitUntilProcessingJobCompletedOrStoppedAsync(new DescribeProcessingJobRequest { ProcessingJobName = name }, Quick));

        Assert.Equal("ProcessingJobStatus == \"Failed\"", error.MatchedState);
        Assert.Equal(ProcessingJobStatus.Failed, Assert.IsType<DescribeProcessingJobResponse>(error.LastResponse).ProcessingJobStatus);
    }

    [Fact]
    public async Task ProcessingJobCompletedOrStopped_gives_up_after_its_timeout()
    {
        using var client = fixture.Client();
        var name = Shapes.Unique("proc");
        await client.CreateProcessingJobAsync(Shapes.ProcessingJob(name, JobRunningService.ProcessorImage, "sleep=100"));

        var error = await Assert.ThrowsAsync<WaiterTimeoutException>(() =>
            client.Waiters.WaitUntilProcessingJobCompletedOrStoppedAsync(new DescribeProcessingJobRequest { ProcessingJobName = name }, new WaiterOptions { Delay = TimeSpan.FromMilliseconds(300), Timeout = TimeSpan.FromSeconds(1) }));
        await client.StopProcessingJobAsync(new StopProcessingJobRequest { ProcessingJobName = name });

        Assert.Equal("ProcessingJobCompletedOrStopped", error.WaiterName);
    }

    [Fact]
    public async Task EndpointDeleted_succeeds_once_DescribeEndpoint_answers_ValidationException()
    {
        using var client = fixture.Client();
        var (_, _, endpoint) = await Shapes.EndpointAsync(client);
        await client.DeleteEndpointAsync(new DeleteEndpointInput { EndpointName = endpoint });

        var result = await client.Waiters.WaitUntilEndpointDeletedAsync(new DescribeEndpointInput { EndpointName = endpoint }, Quick);

        Assert.Null(result.Response);
        Assert.IsType<ValidationException>(result.Error);
    }

    [Fact]
    public async Task EndpointInService_and_EndpointDeleted_time_out_on_an_endpoint_that_stays_Creating()
    {
        using var client = fixture.Client();
        var (model, config, endpoint) = (await SlowModelAsync(client), Shapes.Unique("config"), Shapes.Unique("endpoint"));
        await client.CreateEndpointConfigAsync(new CreateEndpointConfigInput
        {
            EndpointConfigName = config,
            ProductionVariants = [new ProductionVariant { VariantName = "AllTraffic", ModelName = model, InitialInstanceCount = 1, InstanceType = "ml.m5.large" }],
        });
        await client.CreateEndpointAsync(new CreateEndpointInput { EndpointName = endpoint, EndpointConfigName = config });
        var options = new WaiterOptions { Delay = TimeSpan.FromMilliseconds(100), MaxAttempts = 3 };

        try
        {
            var inService = await Assert.ThrowsAsync<WaiterTimeoutException>(() => client.Waiters.WaitUntilEndpointInServiceAsync(new DescribeEndpointInput { EndpointName = endpoint }, options));
            var deleted = await Assert.ThrowsAsync<WaiterTimeoutException>(() => client.Waiters.WaitUntilEndpointDeletedAsync(new DescribeEndpointInput { EndpointName = endpoint }, options));

            Assert.Equal((3, 3), (inService.Attempts, deleted.Attempts));
            Assert.Equal(EndpointStatus.Creating, Assert.IsType<DescribeEndpointOutput>(inService.LastResponse).EndpointStatus);
        }
        finally
        {
            await client.DeleteEndpointAsync(new DeleteEndpointInput { EndpointName = endpoint });
        }
    }

    [Fact]
    public async Task EndpointInService_fails_on_an_unknown_endpoint()
    {
        using var client = fixture.Client();

        var error = await Assert.ThrowsAsync<WaiterFailedException>(() =>
            client.Waiters.WaitUntilEndpointInServiceAsync(new DescribeEndpointInput { EndpointName = "never-created" }, Quick));

        Assert.Equal("error ValidationException", error.MatchedState);
    }

    [Fact]
    public async Task TransformJobCompletedOrStopped_times_out_on_a_job_that_stays_InProgress()
    {
        using var client = fixture.Client();
        var (model, name) = (await SlowModelAsync(client), Shapes.Unique("transform"));
        await client.CreateTransformJobAsync(Shapes.TransformJob(name, model));

        try
        {
            var error = await Assert.ThrowsAsync<WaiterTimeoutException>(() =>
                client.Waiters.WaitUntilTransformJobCompletedOrStoppedAsync(new DescribeTransformJobRequest { TransformJobName = name }, new WaiterOptions { Delay = TimeSpan.FromMilliseconds(100), MaxAttempts = 2 }));

            Assert.Equal(2, error.Attempts);
        }
        finally
        {
            await client.StopTransformJobAsync(new StopTransformJobRequest { TransformJobName = name });
        }
    }

    /// <summary>A model whose server does not answer /ping for ten minutes: its endpoints and transform jobs stay starting.</summary>
    private static async Task<string> SlowModelAsync(SageMakerClient client)
    {
        var model = Shapes.Unique("slow");
        await client.CreateModelAsync(new CreateModelInput
        {
            ModelName = model,
            ExecutionRoleArn = Shapes.Model(model).ExecutionRoleArn,
            PrimaryContainer = new ContainerDefinition { Image = JobRunningService.ServerImage, Environment = new() { ["SCRIPTED_STARTUP_DELAY"] = "600" } },
        });
        return model;
    }

    private static async Task<string> StartTrainingAsync(SageMakerClient client, Dictionary<string, string> hyperParameters)
    {
        var name = Shapes.Unique("train");
        await client.CreateTrainingJobAsync(Shapes.TrainingJob(name, JobRunningService.TrainerImage, hyperParameters));
        return name;
    }

    private static async Task WaitForSecondaryStatusAsync(SageMakerClient client, string name, string status)
    {
        for (var i = 0; i < 300; i++)
        {
            if ((await client.DescribeTrainingJobAsync(new DescribeTrainingJobRequest { TrainingJobName = name })).SecondaryStatus == status)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{name} never reached {status}.");
    }
}
