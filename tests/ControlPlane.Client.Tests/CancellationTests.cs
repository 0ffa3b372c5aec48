using System.Diagnostics;
using ControlPlane.Client.Model;
using ControlPlane.Client.Tests.Infrastructure;

namespace ControlPlane.Client.Tests;

/// <summary>A cancelled token ends a call at once: in flight, between retries, and in a waiter's pause.</summary>
public sealed class CancellationTests(ApiOnlyService fixture) : IClassFixture<ApiOnlyService>
{
    [Fact]
    public async Task Cancelling_ends_a_call_the_server_never_answers()
    {
        await using var server = new LoopbackHttpServer((_, _) => new Reply.Hang());
        using var client = Clients.For(server.Address);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ListModelsAsync(new ListModelsInput(), cancellation.Token));

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Cancelling_ends_the_wait_between_retries_and_no_further_attempt_is_made()
    {
        await using var server = new LoopbackHttpServer((_, _) => Reply.JsonError(503, "ServiceUnavailable", "down"));
        using var client = Clients.For(server.Address, o => (o.RetryBaseDelay, o.RetryMaxDelay) = (TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ListModelsAsync(new ListModelsInput(), cancellation.Token));

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task An_already_cancelled_token_sends_nothing()
    {
        await using var server = new LoopbackHttpServer((_, _) => Reply.Json("{}"));
        using var client = Clients.For(server.Address);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ListModelsAsync(new ListModelsInput(), new CancellationToken(canceled: true)));

        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Cancelling_ends_a_waiter_in_its_pause()
    {
        using var client = fixture.Client();
        var (_, _, endpoint) = await Shapes.EndpointAsync(client);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            client.Waiters.WaitUntilEndpointInServiceAsync(new DescribeEndpointInput { EndpointName = endpoint }, new WaiterOptions { Delay = TimeSpan.FromSeconds(30) }, cancellation.Token));

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }
}
