using System.Net.Sockets;

namespace ControlPlane.Gateway;

/// <summary>How a call to one instance of a variant ended (<see cref="InvocationHandler"/> tries them in turn).</summary>
internal enum AttemptOutcome
{
    /// <summary>The caller has its answer, or cannot be given one (it went away, the answer broke off mid-copy).</summary>
    Ended,

    /// <summary>The instance refused the connection (it died since the routes were published): try the next one.</summary>
    Refused,

    /// <summary>The model answered non-2xx, or not at all: the caller gets a ModelError.</summary>
    Failed,
}

/// <summary>How a call to one instance ended; <see cref="Failure"/> is set when it <see cref="AttemptOutcome.Failed"/>.</summary>
internal readonly record struct Attempt(AttemptOutcome Outcome, ModelFailure? Failure)
{
    public static Attempt Ended => new(AttemptOutcome.Ended, null);

    public static Attempt Refused => new(AttemptOutcome.Refused, null);

    public static Attempt Failed(ModelFailure failure) => new(AttemptOutcome.Failed, failure);

    /// <summary>The connection was never made, so the container never saw the call: another instance may take it.</summary>
    public static bool IsRefusal(Exception? exception) =>
        exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } ||
        exception?.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.TimedOut } ||
        exception is TaskCanceledException { InnerException: TimeoutException };
}
