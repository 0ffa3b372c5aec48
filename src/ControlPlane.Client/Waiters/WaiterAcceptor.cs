namespace ControlPlane.Client;

/// <summary>What an acceptor that matches decides (waiters-2.json <c>state</c>).</summary>
public enum WaiterState
{
    /// <summary>Keep polling.</summary>
    Retry,

    /// <summary>The wait is over: the resource reached the wanted state.</summary>
    Success,

    /// <summary>The wait is over: the resource can no longer reach the wanted state.</summary>
    Failure,
}

/// <summary>One acceptor of a waiter: a matcher on a poll's response or error, and the state it decides when it matches.</summary>
/// <typeparam name="TResponse">The polled operation's response.</typeparam>
public sealed class WaiterAcceptor<TResponse>
    where TResponse : SageMakerResponse
{
    private readonly Func<TResponse?, SageMakerException?, bool> _matches;

    private WaiterAcceptor(string description, WaiterState state, Func<TResponse?, SageMakerException?, bool> matches)
    {
        Description = description;
        State = state;
        _matches = matches;
    }

    /// <summary>What it matches, e.g. <c>TrainingJobStatus == "Failed"</c> (for messages).</summary>
    public string Description { get; }

    /// <summary>The state it decides.</summary>
    public WaiterState State { get; }

    /// <summary>The <c>path</c> matcher: a member of a successful response equals <paramref name="expected"/>.</summary>
    /// <param name="path">The member's name in waiters-2.json.</param>
    /// <param name="select">Reads the member.</param>
    /// <param name="expected">The value that matches.</param>
    /// <param name="state">The state a match decides.</param>
    /// <returns>The acceptor.</returns>
    public static WaiterAcceptor<TResponse> Path(string path, Func<TResponse, string?> select, string expected, WaiterState state)
    {
        ArgumentNullException.ThrowIfNull(select);
        return new($"{path} == \"{expected}\"", state, (response, _) => response is not null && select(response) == expected);
    }

    /// <summary>The <c>error</c> matcher: the poll failed with error code <paramref name="code"/>.</summary>
    /// <param name="code">The error code that matches.</param>
    /// <param name="state">The state a match decides.</param>
    /// <returns>The acceptor.</returns>
    public static WaiterAcceptor<TResponse> Error(string code, WaiterState state) =>
        new($"error {code}", state, (_, error) => error?.ErrorCode == code);

    /// <summary>The <c>status</c> matcher: the poll's HTTP status is <paramref name="status"/>.</summary>
    /// <param name="status">The HTTP status that matches.</param>
    /// <param name="state">The state a match decides.</param>
    /// <returns>The acceptor.</returns>
    public static WaiterAcceptor<TResponse> Status(int status, WaiterState state) =>
        new($"HTTP status {status}", state, (response, error) => (int?)(error?.StatusCode ?? response?.HttpStatusCode) == status);

    internal bool Matches(TResponse? response, SageMakerException? error) => _matches(response, error);
}
