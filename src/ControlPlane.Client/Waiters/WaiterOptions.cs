namespace ControlPlane.Client;

/// <summary>How a waiter polls; unset members take the waiter's defaults from waiters-2.json.</summary>
public sealed class WaiterOptions
{
    /// <summary>The pause between polls.</summary>
    public TimeSpan? Delay { get; set; }

    /// <summary>How many polls at most.</summary>
    public int? MaxAttempts { get; set; }

    /// <summary>How long the whole wait may take; past it the waiter throws <see cref="WaiterTimeoutException"/>. Unlimited when null.</summary>
    public TimeSpan? Timeout { get; set; }
}

/// <summary>The outcome of a wait that reached a success state.</summary>
/// <typeparam name="TResponse">The polled operation's response.</typeparam>
/// <param name="Response">The last poll's response; null when an error acceptor decided success (e.g. EndpointDeleted).</param>
/// <param name="Error">The error that decided success, if one did.</param>
/// <param name="Attempts">How many polls it took.</param>
public sealed record WaiterResult<TResponse>(TResponse? Response, SageMakerException? Error, int Attempts);

/// <summary>The defaults of one waiter in waiters-2.json.</summary>
internal sealed record WaiterDefaults(TimeSpan Delay, int MaxAttempts);
