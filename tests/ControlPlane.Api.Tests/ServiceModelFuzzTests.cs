using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;
using ControlPlane.Core.ServiceModel;

namespace ControlPlane.Api.Tests;

/// <summary>
/// A seeded fuzz run generated from the service model: for every operation, requests whose members take boundary
/// lengths and values, wrong JSON types, hostile strings, deep nesting and random bytes, sent through both doors.
/// Not one may get a 5xx, and the service must still be healthy afterwards. A failure prints the seed and request.
/// </summary>
public sealed class ServiceModelFuzzTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private const int Seed = 20261128;
    private const int RequestsPerOperation = 40;

    private static readonly string[] HostileStrings =
    [
        string.Empty, " ", "../../etc/passwd", "/etc/passwd", "s3://bucket/../../x", "a\0b", "\u202e\ud83d\ude00", "%00%2e%2e/",
        "'; DROP TABLE Resources; --", "{\"__type\":\"x\"}", "\\u0000", new string('é', 300), "arn:aws:sagemaker:us-east-1:000000000000:model/x",
    ];

    [Fact]
    public async Task Generated_requests_for_every_operation_never_get_a_server_error_and_the_service_stays_up()
    {
        var random = new Random(Seed);
        var failures = new List<string>();
        var sent = 0;
        foreach (var (name, operation) in SageMakerServiceModel.Current.Operations.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            for (var i = 0; i < RequestsPerOperation; i++)
            {
                var body = i switch
                {
                    0 => RandomBytes(random),
                    1 => "[" + new string('[', 5000) + new string(']', 5000) + "]",
                    2 => Json(Generate(operation.Input!, random, depth: 0))[..^1],
                    _ => Json(Generate(operation.Input!, random, depth: 0)),
                };
                var status = await SendWireAsync(name, body);
                sent++;
                if ((int)status >= 500)
                {
                    failures.Add($"{name} -> {(int)status}: {Truncate(body)}");
                }
            }
        }

        foreach (var route in new[] { "training-jobs", "processing-jobs", "transform-jobs", "models", "endpoint-configs", "endpoints" })
        {
            for (var i = 0; i < RequestsPerOperation; i++)
            {
                var query = $"maxResults={Uri.EscapeDataString(Scalar(random))}&creationTimeAfter={Uri.EscapeDataString(Scalar(random))}&sortBy={Uri.EscapeDataString(Scalar(random))}&nextToken={Uri.EscapeDataString(Scalar(random))}";
                using var list = await fixture.Service.Http.GetAsync($"/api/{route}?{query}");
                using var describe = await fixture.Service.Http.GetAsync($"/api/{route}/{Uri.EscapeDataString(Scalar(random))}");
                sent += 2;
                foreach (var response in new[] { list, describe })
                {
                    if ((int)response.StatusCode >= 500)
                    {
                        failures.Add($"GET {response.RequestMessage!.RequestUri} -> {(int)response.StatusCode}");
                    }
                }
            }
        }

        using var health = await fixture.Service.Http.GetAsync("/health");
        Assert.True(failures.Count == 0, $"seed {Seed}: {failures.Count} of {sent} requests got a server error:\n{string.Join('\n', failures.Take(10))}\n--- service output ---\n{fixture.Service.Output}");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private async Task<HttpStatusCode> SendWireAsync(string operation, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new("application/x-amz-json-1.1");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = content };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", $"SageMaker.{operation}");
        using var response = await fixture.Service.Http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>A value for the shape: mostly of its type at or beyond its boundaries, sometimes of the wrong type.</summary>
    private static JsonNode? Generate(Shape shape, Random random, int depth)
    {
        if (random.Next(10) == 0 || depth > 12)
        {
            return WrongType(random);
        }

        switch (shape.Type)
        {
            case ShapeType.Structure:
                var structure = new JsonObject();
                foreach (var member in shape.Members)
                {
                    if (shape.Required.Contains(member.Name) ? random.Next(10) > 0 : random.Next(3) == 0)
                    {
                        structure[member.Name] = Generate(member.Shape, random, depth + 1);
                    }
                }

                return structure;
            case ShapeType.List:
                var list = new JsonArray();
                for (var n = Count(shape, random); n > 0; n--)
                {
                    list.Add(Generate(shape.Element!, random, depth + 1));
                }

                return list;
            case ShapeType.Map:
                var map = new JsonObject();
                for (var n = Count(shape, random); n > 0; n--)
                {
                    map[Text(shape.Key!, random) + n] = Generate(shape.Value!, random, depth + 1);
                }

                return map;
            case ShapeType.String when shape.Enum is { Count: > 0 } values && random.Next(2) == 0:
                return values[random.Next(values.Count)];
            case ShapeType.String or ShapeType.Blob:
                return Text(shape, random);
            case ShapeType.Integer or ShapeType.Long:
                return Boundary(shape, random) switch { { } value when Math.Abs(value) < 1e15 => (long)value, var value => value };
            case ShapeType.Float or ShapeType.Double:
                return Boundary(shape, random);
            case ShapeType.Boolean:
                return random.Next(2) == 0;
            default:
                return random.Next(4) switch { 0 => 1.7e9 + random.Next(), 1 => -1, 2 => 1e300, _ => "2026-11-28T06:00:00Z" };
        }
    }

    private static int Count(Shape shape, Random random) => Math.Clamp(
        random.Next(5) switch { 0 => (int)(shape.Min ?? 0), 1 => (int)(shape.Max ?? 3), 2 => (int)(shape.Max ?? 3) + 1, 3 => 0, _ => random.Next(4) },
        0,
        120);

    private static string Text(Shape shape, Random random)
    {
        if (random.Next(4) == 0)
        {
            return HostileStrings[random.Next(HostileStrings.Length)];
        }

        var length = Math.Clamp(
            random.Next(5) switch { 0 => (int)(shape.Min ?? 0), 1 => (int)(shape.Min ?? 1) - 1, 2 => (int)(shape.Max ?? 64), 3 => (int)(shape.Max ?? 64) + 1, _ => random.Next(1, 40) },
            0,
            20_000);
        const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:= ";
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(random.Next(50) == 0 ? (char)random.Next(0, 0xD7FF) : Alphabet[random.Next(Alphabet.Length)]);
        }

        return builder.ToString();
    }

    private static double Boundary(Shape shape, Random random) => random.Next(7) switch
    {
        0 => shape.Min ?? 0,
        1 => (shape.Min ?? 0) - 1,
        2 => shape.Max ?? 100,
        3 => (shape.Max ?? 100) + 1,
        4 => long.MaxValue,
        5 => -1e300,
        _ => random.NextDouble() * 1000,
    };

    private static JsonNode? WrongType(Random random) => random.Next(7) switch
    {
        0 => null,
        1 => true,
        2 => 9223372036854775807.5,
        3 => "not-what-you-expected",
        4 => new JsonArray(1, "two", null),
        5 => new JsonObject { ["Unexpected"] = new JsonObject { ["Deeper"] = new JsonArray() } },
        _ => -0.0,
    };

    private static string Scalar(Random random) => random.Next(4) switch
    {
        0 => HostileStrings[random.Next(HostileStrings.Length)],
        1 => random.Next(-5, 200).ToString(System.Globalization.CultureInfo.InvariantCulture),
        2 => "1e400",
        _ => RandomBytes(random),
    };

    private static string RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(1, 200)];
        random.NextBytes(bytes);
        return Encoding.Latin1.GetString(bytes);
    }

    private static string Json(JsonNode? node) => node?.ToJsonString() ?? "null";

    private static string Truncate(string body) => body.Length > 400 ? body[..400] + "…" : body;
}
