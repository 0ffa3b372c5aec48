namespace ControlPlane.Client;

/// <summary>
/// The waiters of botocore's waiters-2.json for SageMaker. Each polls a Describe operation; the first acceptor that
/// matches a poll decides: success returns, failure throws <see cref="WaiterFailedException"/>, retry (or no match)
/// polls again after the delay. An error no acceptor expects is thrown as it is, as botocore does.
/// </summary>
public sealed partial class SageMakerWaiters
{
    private readonly ISageMakerClient _client;
    private readonly TimeProvider _time;

    internal SageMakerWaiters(ISageMakerClient client, TimeProvider? time = null)
    {
        _client = client;
        _time = time ?? TimeProvider.System;
    }

    private async Task<WaiterResult<TResponse>> WaitAsync<TResponse>(
        string name,
        Func<CancellationToken, Task<TResponse>> poll,
        WaiterDefaults defaults,
        IReadOnlyList<WaiterAcceptor<TResponse>> acceptors,
        WaiterOptions? options,
        CancellationToken cancellationToken)
        where TResponse : SageMakerResponse
    {
        var delay = options?.Delay ?? defaults.Delay;
        var maxAttempts = options?.MaxAttempts ?? defaults.MaxAttempts;
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        var started = _time.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            TResponse? response = null;
            SageMakerException? error = null;
            try
            {
                response = await poll(cancellationToken).ConfigureAwait(false);
            }
            catch (SageMakerException e)
            {
                error = e;
            }

            var matched = acceptors.FirstOrDefault(a => a.Matches(response, error));
            switch (matched?.State)
            {
                case WaiterState.Success:
                    return new WaiterResult<TResponse>(response, error, attempt);
                case WaiterState.Failure:
                    throw new WaiterFailedException(name, matched.Description, attempt, response, error);
                case null when error is not null:
                    throw error;
            }

            if (attempt >= maxAttempts)
            {
                throw new WaiterTimeoutException(name, $"{maxAttempts} attempts exceeded", attempt, response);
            }

            if (options?.Timeout is { } timeout && _time.GetElapsedTime(started) + delay > timeout)
            {
                throw new WaiterTimeoutException(name, $"the next poll would come after the timeout of {timeout}", attempt, response);
            }

            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
