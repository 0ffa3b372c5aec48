using ControlPlane.Client.Model;
using ControlPlane.Client.Tests.Infrastructure;

namespace ControlPlane.Client.Tests;

/// <summary>
/// The acceptors of states this branch's service cannot reach yet (endpoints InService or Failed, transform jobs that
/// end: hosting and batch transform are other issues), played by a loopback server that answers each Describe with
/// the next status of a script.
/// </summary>
public sealed class ScriptedWaiterTests
{
    private static readonly WaiterOptions Quick = new() { Delay = TimeSpan.FromMilliseconds(20), MaxAttempts = 10 };

    [Fact]
    public async Task EndpointInService_polls_through_Creating_until_InService()
    {
        await using var server = Statuses("EndpointStatus", "Creating", "Creating", "InService");
        using var client = Clients.For(server.Address);

        var result = await client.Waiters.WaitUntilEndpointInServiceAsync(new DescribeEndpointInput { EndpointName = "e" }, Quick);

        Assert.Equal((EndpointStatus.InService, 3), (result.Response!.EndpointStatus, result.Attempts));
        Assert.All(server.Requests, r => Assert.Equal("SageMaker.DescribeEndpoint", r.Header("X-Amz-Target")));
    }

    [Fact]
    public async Task EndpointInService_throws_WaiterFailedException_when_the_endpoint_fails()
    {
        await using var server = Statuses("EndpointStatus", "Creating", "Failed");
        using var client = Clients.For(server.Address);

        var error = await Assert.ThrowsAsync<WaiterFailedException>(() => client.Waiters.WaitUntilEndpointInServiceAsync(new DescribeEndpointInput { EndpointName = "e" }, Quick));

        Assert.Equal(("EndpointStatus == \"Failed\"", 2), (error.MatchedState, error.Attempts));
    }

    [Fact]
    public async Task EndpointDeleted_throws_WaiterFailedException_when_the_endpoint_fails()
    {
        await using var server = Statuses("EndpointStatus", "Deleting", "Failed");
        using var client = Clients.For(server.Address);

        var error = await Assert.ThrowsAsync<WaiterFailedException>(() => client.Waiters.WaitUntilEndpointDeletedAsync(new DescribeEndpointInput { EndpointName = "e" }, Quick));

        Assert.Equal("EndpointStatus == \"Failed\"", error.MatchedState);
    }

    [Theory]
    [InlineData("Completed")]
    [InlineData("Stopped")]
    public async Task TransformJobCompletedOrStopped_returns_on_each_success_state(string status)
    {
        await using var server = Statuses("TransformJobStatus", "InProgress", status);
        using var client = Clients.For(server.Address);

        var result = await client.Waiters.WaitUntilTransformJobCompletedOrStoppedAsync(new DescribeTransformJobRequest { TransformJobName = "t" }, Quick);

        Assert.Equal(status, result.Response!.TransformJobStatus);
    }

    [Fact]
    public async Task TransformJobCompletedOrStopped_throws_WaiterFailedException_when_the_job_fails()
    {
        await using var server = Statuses("TransformJobStatus", "InProgress", "Failed");
        using var client = Clients.For(server.Address);

        var error = await Assert.ThrowsAsync<WaiterFailedException>(() => client.Waiters.WaitUntilTransformJobCompletedOrStoppedAsync(new DescribeTransformJobRequest { TransformJobName = "t" }, Quick));

        Assert.Equal("TransformJobStatus == \"Failed\"", error.MatchedState);
    }

    [Fact]
    public async Task An_error_no_acceptor_expects_is_thrown_as_it_is()
    {
        await using var server = new LoopbackHttpServer((_, _) => Reply.JsonError(400, "AccessDeniedException", "not allowed"));
        using var client = Clients.For(server.Address);

        var error = await Assert.ThrowsAsync<AuthenticationException>(() => client.Waiters.WaitUntilEndpointInServiceAsync(new DescribeEndpointInput { EndpointName = "e" }, Quick));

        Assert.Equal("AccessDeniedException", error.ErrorCode);
        Assert.Single(server.Requests);
    }

    /// <summary>Answers the n-th Describe with the n-th status (the last one from then on).</summary>
    private static LoopbackHttpServer Statuses(string member, params string[] statuses) =>
        new((_, index) => Reply.Json($$"""{"{{member}}":"{{statuses[Math.Min(index, statuses.Length - 1)]}}"}"""));
}
