using System.Diagnostics;
using ControlPlane.Client.Model;
using ControlPlane.Client.Tests.Infrastructure;

namespace ControlPlane.Client.Tests;

/// <summary>
/// Throttling, 5xx, connection resets and attempts that time out are retried with backoff; a 4xx never is. A loopback
/// server between the client and the running service injects the faults.
/// </summary>
public sealed class RetryTests(ApiOnlyService fixture) : IClassFixture<ApiOnlyService>
{
    [Fact]
    public async Task Injected_503s_are_retried_until_the_service_answers()
    {
        await using var proxy = LoopbackHttpServer.FaultsThenForward(fixture.Service.BaseAddress, 2, () => Reply.JsonError(503, "ServiceUnavailable", "try later"));
        using var client = Clients.For(proxy.Address);
        var model = Shapes.Unique("model");

        var created = await client.CreateModelAsync(Shapes.Model(model));

        Assert.EndsWith($"model/{model}", created.ModelArn, StringComparison.Ordinal);
        Assert.Equal(["attempt=1; max=4", "attempt=2; max=4", "attempt=3; max=4"], proxy.Requests.Select(r => r.Header("amz-sdk-request")));
        Assert.Single(proxy.Requests.Select(r => r.Header("amz-sdk-invocation-id")).Distinct());
    }

    [Fact]
    public async Task Connection_resets_are_retried()
    {
        await using var proxy = LoopbackHttpServer.FaultsThenForward(fixture.Service.BaseAddress, 2, () => new Reply.Reset());
        using var client = Clients.For(proxy.Address);
        var model = Shapes.Unique("model");

        await client.CreateModelAsync(Shapes.Model(model));

        Assert.Equal(["attempt=1; max=4", "attempt=2; max=4", "attempt=3; max=4"], proxy.Requests.Select(r => r.Header("amz-sdk-request")));
        Assert.Equal(model, (await client.DescribeModelAsync(new DescribeModelInput { ModelName = model })).ModelName);
    }

    [Fact]
    public async Task Throttling_errors_are_retried_though_they_are_400s()
    {
        await using var proxy = LoopbackHttpServer.FaultsThenForward(fixture.Service.BaseAddress, 1, () => Reply.JsonError(400, "ThrottlingException", "Rate exceeded"));
        using var client = Clients.For(proxy.Address);

        await client.ListModelsAsync(new ListModelsInput());

        Assert.Equal(2, proxy.Requests.Count);
    }

    [Fact]
    public async Task An_attempt_that_times_out_is_retried()
    {
        await using var proxy = new LoopbackHttpServer((_, index) => index == 0 ? new Reply.Hang() : new Reply.Forward(fixture.Service.BaseAddress));
        using var client = Clients.For(proxy.Address, o => o.Timeout = TimeSpan.FromSeconds(3));

        await client.ListModelsAsync(new ListModelsInput());

        Assert.Equal(2, proxy.Requests.Count);
    }

    [Fact]
    public async Task A_4xx_from_the_service_is_thrown_at_once_without_a_retry()
    {
        await using var proxy = new LoopbackHttpServer((_, _) => new Reply.Forward(fixture.Service.BaseAddress));
        using var client = Clients.For(proxy.Address);

        await Assert.ThrowsAsync<ValidationException>(() => client.DescribeModelAsync(new DescribeModelInput { ModelName = "never-created" }));

        Assert.Single(proxy.Requests);
    }

    [Fact]
    public async Task After_MaxErrorRetry_retries_the_last_error_is_thrown()
    {
        await using var server = new LoopbackHttpServer((_, _) => Reply.JsonError(503, "ServiceUnavailable", "still down"));
        using var client = Clients.For(server.Address, o => o.MaxErrorRetry = 2);

        var error = await Assert.ThrowsAsync<ServiceFaultException>(() => client.ListModelsAsync(new ListModelsInput()));

        Assert.Equal(("ServiceUnavailable", "still down"), (error.ErrorCode, error.Message));
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task Retry_delays_never_exceed_RetryMaxDelay()
    {
        await using var server = new LoopbackHttpServer((_, _) => Reply.JsonError(500, "InternalFailure", "boom"));
        using var client = Clients.For(server.Address, o => (o.MaxErrorRetry, o.RetryBaseDelay, o.RetryMaxDelay) = (5, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(250)));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAsync<ServiceFaultException>(() => client.ListModelsAsync(new ListModelsInput()));

        // Uncapped, the exponential delays would add up to about 200+400+800+1600+3200 ms; capped they stay under 5 × 250 ms.
        Assert.Equal(6, server.Requests.Count);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task With_MaxErrorRetry_zero_a_503_is_thrown_after_one_attempt()
    {
        await using var server = new LoopbackHttpServer((_, _) => Reply.JsonError(503, "ServiceUnavailable", "down"));
        using var client = Clients.For(server.Address, o => o.MaxErrorRetry = 0);

        await Assert.ThrowsAsync<ServiceFaultException>(() => client.ListModelsAsync(new ListModelsInput()));

        Assert.Single(server.Requests);
    }
}
