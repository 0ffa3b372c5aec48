using System.Net;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>Health, the OpenAPI document and Swagger UI.</summary>
public sealed class ServiceSurfaceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private static readonly string CommittedDocument = Path.Combine(RepositoryPaths.Root, "openapi", "controlplane.json");
    private static readonly string BuiltDocument = Path.Combine(RepositoryPaths.Root, "src", "ControlPlane.Api", "obj", "openapi", "controlplane.json");

    [Fact]
    public async Task Health_reports_the_process_and_the_database_healthy()
    {
        using var response = await fixture.Service.Http.GetAsync("/health");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", body["status"]!.GetValue<string>());
        Assert.Equal("Healthy", body["checks"]!["database"]!.GetValue<string>());
    }

    [Fact]
    public void The_committed_OpenAPI_document_is_the_one_the_build_produces()
    {
        Assert.True(File.Exists(BuiltDocument), $"The build did not write {BuiltDocument}.");
        Assert.True(
            File.ReadAllText(CommittedDocument) == File.ReadAllText(BuiltDocument),
            "openapi/controlplane.json is stale: run `dotnet build src/ControlPlane.Api -p:UpdateOpenApiDocument=true` and commit it.");
    }

    [Fact]
    public async Task The_service_serves_the_committed_OpenAPI_document()
    {
        var served = JsonNode.Parse(await fixture.Service.Http.GetStringAsync("/openapi/v1.json"))!;
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(CommittedDocument))!;

        Assert.True(JsonNode.DeepEquals(committed, served), "The served document differs from openapi/controlplane.json.");
    }

    [Fact]
    public async Task The_document_describes_every_REST_route_with_the_service_model_shapes()
    {
        var document = JsonNode.Parse(await fixture.Service.Http.GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject();
        var schemas = document["components"]!["schemas"]!.AsObject();

        Assert.Equal("CreateTrainingJob", paths["/api/training-jobs"]!["post"]!["operationId"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/CreateTrainingJobRequest", paths["/api/training-jobs"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/DescribeTrainingJobResponse", paths["/api/training-jobs/{name}"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Contains(paths["/api/training-jobs"]!["get"]!["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "nameContains");
        Assert.Equal("^(?:[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62})$", schemas["CreateTrainingJobRequest"]!["properties"]!["TrainingJobName"]!["pattern"]!.GetValue<string>());
        Assert.NotNull(paths["/"]!["post"]);
        foreach (var route in new[] { "/api/processing-jobs/{name}/stop", "/api/transform-jobs", "/api/models/{name}", "/api/endpoint-configs", "/api/endpoints/{name}/weights-and-capacities", "/api/tags" })
        {
            Assert.True(paths.ContainsKey(route), route);
        }
    }

    [Fact]
    public async Task Swagger_UI_is_served_at_swagger()
    {
        using var response = await fixture.Service.Http.GetAsync("/swagger/index.html");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", html, StringComparison.Ordinal);
    }
}
