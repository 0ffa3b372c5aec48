using System.Runtime.CompilerServices;

namespace ControlPlane.Client;

/// <summary>
/// The pages of one List call, as botocore's paginators-1.json describes them: each page's <c>NextToken</c> goes
/// into the next request until a page has none. Enumerate <see cref="Responses"/> for whole pages or
/// <see cref="Items"/> for their results; each enumeration starts again from the first page.
/// </summary>
/// <typeparam name="TRequest">The List request.</typeparam>
/// <typeparam name="TResponse">The List response.</typeparam>
/// <typeparam name="TItem">The result each page lists.</typeparam>
public sealed class Paginator<TRequest, TResponse, TItem>
    where TRequest : class
{
    private readonly TRequest _request;
    private readonly Func<TRequest, CancellationToken, Task<TResponse>> _list;
    private readonly Action<TRequest, string?> _setToken;
    private readonly Func<TResponse, string?> _nextToken;
    private readonly Func<TResponse, List<TItem>?> _items;
    // Where the caller's request started: every enumeration starts there again.
    private readonly string? _firstToken;

    internal Paginator(
        TRequest request,
        Func<TRequest, CancellationToken, Task<TResponse>> list,
        Func<TRequest, string?> requestToken,
        Action<TRequest, string?> setToken,
        Func<TResponse, string?> nextToken,
        Func<TResponse, List<TItem>?> items)
    {
        ArgumentNullException.ThrowIfNull(request);
        _request = request;
        _list = list;
        _setToken = setToken;
        _nextToken = nextToken;
        _items = items;
        _firstToken = requestToken(request);
    }

    /// <summary>Every page, one List call each. The request's <c>NextToken</c> is set to each page's token in turn.</summary>
    public IAsyncEnumerable<TResponse> Responses => PagesAsync();

    /// <summary>Every result of every page, in order.</summary>
    public IAsyncEnumerable<TItem> Items => ItemsAsync();

    /// <summary>Every page; <paramref name="cancellationToken"/> cancels the List call in flight.</summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public async IAsyncEnumerable<TResponse> PagesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var token = _firstToken;
        do
        {
            _setToken(_request, token);
            var page = await _list(_request, cancellationToken).ConfigureAwait(false);
            yield return page;
            token = _nextToken(page);
        }
        while (!string.IsNullOrEmpty(token));
    }

    /// <summary>Every result of every page; <paramref name="cancellationToken"/> cancels the List call in flight.</summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public async IAsyncEnumerable<TItem> ItemsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var page in PagesAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var item in _items(page) ?? [])
            {
                yield return item;
            }
        }
    }
}
