using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ControlPlane.Api.Tests.Infrastructure;

/// <summary>A response as a client sees it: status, headers and the parsed JSON body.</summary>
public sealed record ApiResponse(HttpStatusCode Status, JsonObject Body, HttpResponseHeaders Headers, string? ContentType)
{
    public string? ErrorCode => Body["__type"]?.GetValue<string>();

    public string? Message => Body["message"]?.GetValue<string>();

    public string? Header(string name) => Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    public override string ToString() => $"{(int)Status} {Body.ToJsonString()}";
}

/// <summary>One of the two front doors: the SageMaker wire protocol or the REST routes.</summary>
public abstract class ApiDoor(HttpClient http)
{
    public static readonly string[] Names = ["wire", "rest"];

    protected HttpClient Http { get; } = http;

    public static ApiDoor Create(string name, HttpClient http) => name switch
    {
        "wire" => new WireDoor(http),
        "rest" => new RestDoor(http),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    public abstract Task<ApiResponse> InvokeAsync(string operation, JsonObject input);

    public Task<ApiResponse> InvokeAsync(string operation, object input) =>
        InvokeAsync(operation, JsonSerializer.SerializeToNode(input)!.AsObject());

    protected static async Task<ApiResponse> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var body = string.IsNullOrWhiteSpace(text) ? [] : JsonNode.Parse(text)!.AsObject();
        return new ApiResponse(response.StatusCode, body, response.Headers, response.Content.Headers.ContentType?.MediaType);
    }
}

/// <summary>POST / with X-Amz-Target, as the AWS SDKs send it.</summary>
public sealed class WireDoor(HttpClient http) : ApiDoor(http)
{
    public override Task<ApiResponse> InvokeAsync(string operation, JsonObject input) =>
        SendAsync($"SageMaker.{operation}", input.ToJsonString());

    public async Task<ApiResponse> SendAsync(string? target, string body, string contentType = "application/x-amz-json-1.1", string path = "/")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (target is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        }

        using var response = await Http.SendAsync(request);
        return await ReadAsync(response);
    }
}

/// <summary>The REST routes: the name in the path, list filters in the query, create and update bodies as JSON.</summary>
public sealed class RestDoor(HttpClient http) : ApiDoor(http)
{
    private static readonly Dictionary<string, (string Collection, string NameMember)> Resources = new()
    {
        ["TrainingJob"] = ("training-jobs", "TrainingJobName"),
        ["ProcessingJob"] = ("processing-jobs", "ProcessingJobName"),
        ["TransformJob"] = ("transform-jobs", "TransformJobName"),
        ["Model"] = ("models", "ModelName"),
        ["EndpointConfig"] = ("endpoint-configs", "EndpointConfigName"),
        ["Endpoint"] = ("endpoints", "EndpointName"),
    };

    public override async Task<ApiResponse> InvokeAsync(string operation, JsonObject input)
    {
        var (method, path, body) = Route(operation, input.DeepClone().AsObject());
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await Http.SendAsync(request);
        return await ReadAsync(response);
    }

    private static (HttpMethod Method, string Path, JsonObject? Body) Route(string operation, JsonObject input)
    {
        switch (operation)
        {
            case "AddTags":
                return (HttpMethod.Post, "/api/tags", input);
            case "ListTags":
                return (HttpMethod.Get, $"/api/tags{Query(input)}", null);
            case "DeleteTags":
                return (HttpMethod.Delete, $"/api/tags{Query(input)}", null);
            case "UpdateEndpoint":
                return (HttpMethod.Put, $"/api/endpoints/{Take(input, "EndpointName")}", input);
            case "UpdateEndpointWeightsAndCapacities":
                return (HttpMethod.Post, $"/api/endpoints/{Take(input, "EndpointName")}/weights-and-capacities", input);
        }

        foreach (var verb in new[] { "Create", "Describe", "List", "Stop", "Delete" })
        {
            if (!operation.StartsWith(verb, StringComparison.Ordinal))
            {
                continue;
            }

            var resource = operation[verb.Length..];
            if (verb == "List")
            {
                resource = resource.EndsWith("Jobs", StringComparison.Ordinal) || resource.EndsWith("Configs", StringComparison.Ordinal) || resource.EndsWith("Models", StringComparison.Ordinal) || resource.EndsWith("Endpoints", StringComparison.Ordinal)
                    ? resource[..^1]
                    : resource;
            }

            var (collection, nameMember) = Resources[resource];
            return verb switch
            {
                "Create" => (HttpMethod.Post, $"/api/{collection}", input),
                "List" => (HttpMethod.Get, $"/api/{collection}{Query(input)}", null),
                "Describe" => (HttpMethod.Get, $"/api/{collection}/{Take(input, nameMember)}", null),
                "Stop" => (HttpMethod.Post, $"/api/{collection}/{Take(input, nameMember)}/stop", null),
                _ => (HttpMethod.Delete, $"/api/{collection}/{Take(input, nameMember)}", null),
            };
        }

        throw new ArgumentOutOfRangeException(nameof(operation), operation, "No REST route for this operation.");
    }

    private static string Take(JsonObject input, string member)
    {
        var value = input[member]?.GetValue<string>() ?? string.Empty;
        input.Remove(member);
        return Uri.EscapeDataString(value);
    }

    private static string Query(JsonObject input)
    {
        var parts = new List<string>();
        foreach (var (key, value) in input)
        {
            var name = char.ToLowerInvariant(key[0]) + key[1..];
            var values = value is JsonArray array ? array.Select(v => v!.ToString()) : [value!.ToString()];
            parts.AddRange(values.Select(v => $"{name}={Uri.EscapeDataString(v)}"));
        }

        return parts.Count == 0 ? string.Empty : "?" + string.Join("&", parts);
    }
}
