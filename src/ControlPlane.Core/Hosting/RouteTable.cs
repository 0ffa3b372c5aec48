using System.Text.Json.Serialization;

namespace ControlPlane.Core.Hosting;

/// <summary>
/// What the inference gateway needs to route InvokeEndpoint: every endpoint of the account with its status and, once it
/// serves, its variants with their weights and the loopback addresses of their healthy instances. The control plane
/// serves it at <c>GET /internal/routes</c>; <see cref="Version"/> is its ETag.
/// </summary>
public sealed record RouteTable(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("accountId")] string AccountId,
    [property: JsonPropertyName("region")] string Region,
    [property: JsonPropertyName("endpoints")] IReadOnlyList<EndpointRoute> Endpoints)
{
    public const string Path = "/internal/routes";
}

/// <summary>One endpoint: its EndpointStatus and the variants that serve it (none before it is first InService).</summary>
public sealed record EndpointRoute(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("variants")] IReadOnlyList<VariantRoute> Variants);

/// <summary>A production variant: its CurrentWeight and its healthy instances as <c>host:port</c>.</summary>
public sealed record VariantRoute(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("weight")] double Weight,
    [property: JsonPropertyName("instances")] IReadOnlyList<string> Instances);

/// <summary>The weighted random choice of a production variant, as the gateway and asynchronous inference make it.</summary>
public static class WeightedChoice
{
    /// <summary>
    /// The item whose share of <paramref name="total"/> holds <paramref name="unitRandom"/> (in [0, 1)), so each is chosen
    /// with probability weight / total; null when every weight is 0.
    /// </summary>
    public static T? Pick<T>(IReadOnlyList<T> items, Func<T, double> weight, double total, double unitRandom)
        where T : class
    {
        if (total <= 0)
        {
            return null;
        }

        var point = unitRandom * total;
        foreach (var item in items)
        {
            point -= weight(item);
            if (point < 0)
            {
                return item;
            }
        }

        // Rounding can leave the point just past the last share: the last item with a share takes it.
        return items.LastOrDefault(item => weight(item) > 0);
    }
}
