using System.Net;
using System.Net.Sockets;
using ControlPlane.Algorithms.Serving;
using Microsoft.AspNetCore.Builder;

namespace ControlPlane.Algorithms.Tests.Serving;

/// <summary>The hosting contract's server for one model, on a free loopback port, driven over real HTTP.</summary>
internal sealed class ServingHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServingHost(WebApplication app, int port)
    {
        _app = app;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public HttpClient Http { get; }

    public static async Task<ServingHost> StartAsync(IScoringModel model, string algorithm)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var app = InferenceHost.Build(model, InferenceFormats.For(algorithm), port);
        await app.StartAsync();
        return new ServingHost(app, port);
    }

    public async Task<(HttpStatusCode Status, string? ContentType, byte[] Body)> InvokeAsync(string contentType, byte[] body, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/invocations") { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = await Http.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsByteArrayAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
