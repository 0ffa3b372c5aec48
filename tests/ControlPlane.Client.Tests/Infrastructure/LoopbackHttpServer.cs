using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ControlPlane.Client.Tests.Infrastructure;

/// <summary>A request as it arrived on the wire.</summary>
public sealed record CapturedRequest(string Method, string Target, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>What the loopback server does with one request.</summary>
public abstract record Reply
{
    /// <summary>Answers with this status, these headers and this body.</summary>
    public sealed record Respond(int Status, string Body, params (string Name, string Value)[] Headers) : Reply;

    /// <summary>Closes the connection with a TCP reset instead of answering.</summary>
    public sealed record Reset : Reply;

    /// <summary>Never answers (until the client gives up or the server stops).</summary>
    public sealed record Hang : Reply;

    /// <summary>Passes the request to the real service and its answer back.</summary>
    public sealed record Forward(Uri Service) : Reply;

    /// <summary>An AWS JSON 1.1 error as the control plane sends it.</summary>
    public static Respond JsonError(int status, string code, string message) =>
        new(status, $$"""{"__type":"{{code}}","message":"{{message}}"}""", ("x-amzn-ErrorType", code), ("x-amzn-RequestId", Guid.NewGuid().ToString()), ("Content-Type", "application/x-amz-json-1.1"));

    /// <summary>A successful AWS JSON 1.1 response.</summary>
    public static Respond Json(string body) =>
        new(200, body, ("x-amzn-RequestId", Guid.NewGuid().ToString()), ("Content-Type", "application/x-amz-json-1.1"));
}

/// <summary>
/// A minimal HTTP/1.1 server on a loopback port that records every request and answers as its script says: canned
/// replies, TCP resets, silence, or the real service's answer. The retry, signing and runtime tests use it to put
/// faults between the client and the service.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private static readonly HttpClient Forwarder = new();
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<CapturedRequest, int, Reply> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<CapturedRequest> _requests = [];
    private readonly Task _accepting;

    /// <param name="script">Decides the reply from the request and its 0-based index among all requests received.</param>
    public LoopbackHttpServer(Func<CapturedRequest, int, Reply> script)
    {
        _script = script;
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri Address { get; }

    public IReadOnlyList<CapturedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The first <paramref name="faults"/> requests get <paramref name="fault"/>; the rest go to <paramref name="service"/>.</summary>
    public static LoopbackHttpServer FaultsThenForward(Uri service, int faults, Func<Reply> fault) =>
        new((_, index) => index < faults ? fault() : new Reply.Forward(service));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping is what ends the accept loop.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token);
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        using var stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            while (await ReadRequestAsync(stream) is { } request)
            {
                int index;
                lock (_requests)
                {
                    index = _requests.Count;
                    _requests.Add(request);
                }

                switch (_script(request, index))
                {
                    case Reply.Reset:
                        socket.LingerState = new LingerOption(true, 0);
                        return;
                    case Reply.Hang:
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                        return;
                    case Reply.Forward forward:
                        await WriteAsync(stream, await ForwardAsync(forward.Service, request));
                        break;
                    case Reply.Respond respond:
                        await WriteAsync(stream, respond);
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            // The client went away or the server stops.
        }
    }

    private async Task<CapturedRequest?> ReadRequestAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(buffer, _stop.Token) == 0)
            {
                return null;
            }

            head.Append((char)buffer[0]);
        }

        var lines = head.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var requestLine = lines[0].Split(' ');
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Select(p => new KeyValuePair<string, string>(p[0], p[1].Trim())).ToList();
        var length = int.Parse(headers.FirstOrDefault(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Value ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, _stop.Token);
        return new CapturedRequest(requestLine[0], requestLine[1], headers, body);
    }

    private static async Task<Reply.Respond> ForwardAsync(Uri service, CapturedRequest request)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(service, request.Target)) { Content = new ByteArrayContent(request.Body) };
        foreach (var (name, value) in request.Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
            else if (!name.Equals("Host", StringComparison.OrdinalIgnoreCase) && !name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await Forwarder.SendAsync(message);
        var headers = response.Headers.Concat(response.Content.Headers).Where(h => h.Key.StartsWith("x-amzn", StringComparison.OrdinalIgnoreCase) || h.Key == "Content-Type")
            .Select(h => (h.Key, string.Join(",", h.Value))).ToArray();
        return new Reply.Respond((int)response.StatusCode, await response.Content.ReadAsStringAsync(), headers);
    }

    private static async Task WriteAsync(NetworkStream stream, Reply.Respond respond)
    {
        var body = Encoding.UTF8.GetBytes(respond.Body);
        var head = new StringBuilder($"HTTP/1.1 {respond.Status} {(HttpStatusCode)respond.Status}\r\n");
        foreach (var (name, value) in respond.Headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("Content-Length: ").Append(body.Length).Append("\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        await stream.WriteAsync(body);
        await stream.FlushAsync();
    }
}
