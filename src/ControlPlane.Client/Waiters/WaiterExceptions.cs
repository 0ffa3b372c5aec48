namespace ControlPlane.Client;

/// <summary>A waiter stopped without reaching a success state.</summary>
public abstract class WaiterException : Exception
{
    private protected WaiterException(string waiterName, string message, int attempts, object? lastResponse, Exception? inner)
        : base(message, inner)
    {
        WaiterName = waiterName;
        Attempts = attempts;
        LastResponse = lastResponse;
    }

    /// <summary>The waiter, e.g. <c>TrainingJobCompletedOrStopped</c>.</summary>
    public string WaiterName { get; }

    /// <summary>How many polls were made.</summary>
    public int Attempts { get; }

    /// <summary>The last poll's response (a Describe response, which holds e.g. <c>FailureReason</c>), or null when it failed.</summary>
    public object? LastResponse { get; }
}

/// <summary>A failure acceptor matched: the resource reached a state from which success is impossible.</summary>
public sealed class WaiterFailedException : WaiterException
{
    internal WaiterFailedException(string waiterName, string matched, int attempts, object? lastResponse, SageMakerException? error)
        : base(waiterName, $"Waiter {waiterName} encountered a terminal failure state: {matched}.", attempts, lastResponse, error)
    {
        MatchedState = matched;
    }

    /// <summary>What matched, e.g. <c>TrainingJobStatus == "Failed"</c> or <c>error ValidationException</c>.</summary>
    public string MatchedState { get; }
}

/// <summary>The waiter used up its attempts or its timeout before any success or failure acceptor matched.</summary>
public sealed class WaiterTimeoutException : WaiterException
{
    internal WaiterTimeoutException(string waiterName, string reason, int attempts, object? lastResponse)
        : base(waiterName, $"Waiter {waiterName} gave up: {reason}.", attempts, lastResponse, null)
    {
    }
}
