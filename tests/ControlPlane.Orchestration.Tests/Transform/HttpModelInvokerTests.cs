using System.Text;
using ControlPlane.Orchestration.Transform;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ControlPlane.Orchestration.Tests.Transform;

/// <summary>ModelClientConfig's semantics against a real HTTP server on loopback.</summary>
public sealed class HttpModelInvokerTests : IAsyncLifetime
{
    private readonly Queue<int> _statuses = new();
    private WebApplication _server = null!;
    private int _calls;
    private string? _lastContentType;
    private string? _lastAccept;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.MapPost("/invocations", async (HttpContext context) =>
        {
            Interlocked.Increment(ref _calls);
            _lastContentType = context.Request.ContentType;
            _lastAccept = context.Request.Headers.Accept;
            var status = _statuses.Count > 0 ? _statuses.Dequeue() : 200;
            if (status == 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
                return;
            }

            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            context.Response.StatusCode = status;
            await context.Response.WriteAsync(status == 200 ? body.ToUpperInvariant() : $"boom {status}");
        });
        await _server.StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_success_returns_the_body_and_sends_ContentType_and_Accept()
    {
        var answer = await Invoker(maxRetries: 0).InvokeAsync("a,b\n"u8.ToArray(), CancellationToken.None);

        Assert.Equal("A,B\n", Encoding.UTF8.GetString(answer));
        Assert.Equal("text/csv", _lastContentType);
        Assert.Equal("application/jsonlines", _lastAccept);
    }

    [Fact]
    public async Task Server_errors_are_retried_up_to_InvocationsMaxRetries()
    {
        _statuses.Enqueue(503);
        _statuses.Enqueue(500);

        var answer = await Invoker(maxRetries: 2).InvokeAsync("x"u8.ToArray(), CancellationToken.None);

        Assert.Equal("X", Encoding.UTF8.GetString(answer));
        Assert.Equal(3, _calls);
    }

    [Fact]
    public async Task A_model_that_keeps_failing_fails_with_its_last_answer()
    {
        foreach (var _ in Enumerable.Range(0, 4)) _statuses.Enqueue(500);

        var error = await Assert.ThrowsAsync<ModelInvocationException>(() => Invoker(maxRetries: 3).InvokeAsync("x"u8.ToArray(), CancellationToken.None));

        Assert.Equal("the model answered 500 (InternalServerError): boom 500 (after 4 attempts)", error.Message);
    }

    [Fact]
    public async Task A_client_error_is_not_retried()
    {
        _statuses.Enqueue(400);

        var error = await Assert.ThrowsAsync<ModelInvocationException>(() => Invoker(maxRetries: 3).InvokeAsync("x"u8.ToArray(), CancellationToken.None));

        Assert.Equal("the model answered 400 (BadRequest): boom 400", error.Message);
        Assert.Equal(1, _calls);
    }

    [Fact]
    public async Task A_model_that_does_not_answer_in_time_times_out()
    {
        _statuses.Enqueue(0);

        var error = await Assert.ThrowsAsync<ModelInvocationException>(() =>
            Invoker(maxRetries: 0, timeout: TimeSpan.FromMilliseconds(300)).InvokeAsync("x"u8.ToArray(), CancellationToken.None));

        Assert.Contains("did not answer within", error.Message, StringComparison.Ordinal);
    }

    private HttpModelInvoker Invoker(int maxRetries, TimeSpan? timeout = null)
    {
        var address = _server.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new HttpModelInvoker(new HttpClient(), new Uri(address + "/invocations"), "text/csv", "application/jsonlines", timeout ?? TimeSpan.FromSeconds(10), maxRetries);
    }
}
