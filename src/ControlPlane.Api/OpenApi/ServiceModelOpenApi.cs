using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ControlPlane.Api.Rest;
using ControlPlane.Api.WireProtocol;
using ControlPlane.Application.Operations;
using ControlPlane.Core.ServiceModel;
using Microsoft.OpenApi;

namespace ControlPlane.Api.OpenApi;

/// <summary>
/// Describes the REST routes from the service model itself: every shape becomes a component schema with its
/// lengths, patterns, enums and ranges, and each route references its operation's input and output shapes.
/// </summary>
internal static partial class ServiceModelOpenApi
{
    public const string DocumentName = "v1";
    private const string ErrorSchema = "ErrorResponse";

    private static readonly SageMakerServiceModel Model = SageMakerServiceModel.Current;

    public static IServiceCollection AddControlPlaneOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                DescribeDocument(document);
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<RestRoute>().FirstOrDefault() is { } route)
                {
                    DescribeOperation(operation, route, context.Document!);
                }

                return Task.CompletedTask;
            });
        });

    public static WebApplication MapControlPlaneOpenApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint($"/openapi/{DocumentName}.json", "ControlPlane");
            options.RoutePrefix = "swagger";
            options.DocumentTitle = "ControlPlane API";
        });
        return app;
    }

    /// <summary>
    /// With <c>ControlPlane:Authentication:Mode=sigv4</c> the routes take an API key or Basic credentials as well as a
    /// SigV4 signature; Swagger UI's Authorize button fills them in. The empty requirement says none is needed otherwise.
    /// </summary>
    private static void DescribeSecurity(OpenApiDocument document)
    {
        document.Components!.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            ["ApiKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "X-Api-Key",
                Description = "The ApiKey configured for an access key (ControlPlane:Authentication:AccessKeys:N:ApiKey); required when authentication is on.",
            },
            ["Basic"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "basic",
                Description = "User: an access key id; password: its secret access key; required when authentication is on.",
            },
        };
        document.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", document)] = [] },
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Basic", document)] = [] },
            new OpenApiSecurityRequirement(),
        ];
    }

    private static void DescribeDocument(OpenApiDocument document)
    {
        document.Info = new OpenApiInfo
        {
            Title = "ControlPlane",
            Version = Model.ApiVersion,
            Description = "A self-hosted control plane for the Amazon SageMaker API. Every operation is served twice over one application layer: "
                + "as SageMaker's wire protocol (AWS JSON 1.1, POST / with X-Amz-Target: SageMaker.<Operation>, which the AWS SDKs and CLI speak) "
                + "and as the REST routes below, whose bodies are the same SageMaker shapes. Timestamps are epoch seconds. "
                + "Errors are {\"__type\": code, \"message\": text} with the code also in the x-amzn-ErrorType header.",
        };
        // Clients call the host that served the document; a server list would only repeat it (and differ per host).
        document.Servers = [];
        document.Components ??= new OpenApiComponents();
        DescribeSecurity(document);
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var shape in Model.Shapes.Values.Where(s => s.Type == ShapeType.Structure).OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            document.Components.Schemas[shape.Name] = StructureSchema(shape, document);
        }

        document.Components.Schemas[ErrorSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "An error in SageMaker's shape.",
            Required = new HashSet<string> { "__type", "message" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["__type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The error code, e.g. ValidationException." },
                ["message"] = new OpenApiSchema { Type = JsonSchemaType.String },
            },
        };

        document.Paths.Add("/", new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Post] = WireProtocolOperation(document) },
        });
    }

    private static OpenApiOperation WireProtocolOperation(OpenApiDocument document) => new()
    {
        OperationId = "SageMakerWireProtocol",
        Summary = "Any operation, as the AWS SDKs call it (AWS JSON 1.1).",
        Description = "The body is the operation's input shape; the response is its output shape.",
        Tags = new HashSet<OpenApiTagReference> { new("Wire protocol", document) },
        Parameters =
        [
            new OpenApiParameter
            {
                Name = AwsJsonProtocolMiddleware.TargetHeader,
                In = ParameterLocation.Header,
                Required = true,
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Enum = OperationDispatcher.OperationNames.Order(StringComparer.Ordinal).Select(n => (JsonNode)JsonValue.Create($"{Model.TargetPrefix}.{n}")).ToList(),
                },
            },
        ],
        RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/x-amz-json-1.1"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } } },
        },
        Responses = Responses(null, document, "application/x-amz-json-1.1"),
    };

    private static void DescribeOperation(OpenApiOperation operation, RestRoute route, OpenApiDocument document)
    {
        var model = Model.Operations[route.Operation];
        operation.OperationId = route.Operation;
        operation.Summary = $"{route.Operation}: {FirstSentence(model.Documentation)}";
        operation.Description = PlainText(model.Documentation);
        operation.Parameters = [];
        if (route.NameMember is { } nameMember)
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "name",
                In = ParameterLocation.Path,
                Required = true,
                Description = $"The {nameMember}.",
                Schema = ValueSchema(model.Input!.FindMember(nameMember)!.Shape, document),
            });
        }

        if (route.HasBody)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { [RestApiEndpoints.JsonContentType] = new() { Schema = new OpenApiSchemaReference(model.Input!.Name, document) } },
            };
        }
        else
        {
            foreach (var member in model.Input!.Members.Where(m => m.Name != route.NameMember && IsQueryable(m.Shape)))
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = member.PathName,
                    In = ParameterLocation.Query,
                    Required = model.Input.Required.Contains(member.Name),
                    Description = PlainText(member.Documentation),
                    Schema = ValueSchema(member.Shape, document),
                });
            }
        }

        operation.Responses = Responses(model.Output, document, RestApiEndpoints.JsonContentType);
    }

    private static OpenApiResponses Responses(Shape? output, OpenApiDocument document, string contentType)
    {
        OpenApiResponse Error(string description) => new()
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { [contentType] = new() { Schema = new OpenApiSchemaReference(ErrorSchema, document) } },
        };

        return new OpenApiResponses
        {
            ["200"] = new OpenApiResponse
            {
                Description = "Success",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [contentType] = new() { Schema = output is null ? new OpenApiSchema { Type = JsonSchemaType.Object } : new OpenApiSchemaReference(output.Name, document) },
                },
            },
            ["400"] = Error("ValidationException, SerializationException, ResourceInUse, ResourceNotFound, ResourceLimitExceeded or UnknownOperationException."),
            ["500"] = Error("InternalFailure."),
        };
    }

    private static bool IsQueryable(Shape shape) => shape.Type switch
    {
        ShapeType.Structure or ShapeType.Map => false,
        ShapeType.List => shape.Element!.Type is not (ShapeType.Structure or ShapeType.Map or ShapeType.List),
        _ => true,
    };

    private static OpenApiSchema StructureSchema(Shape shape, OpenApiDocument document) => new()
    {
        Type = JsonSchemaType.Object,
        Description = PlainText(shape.Documentation),
        Required = shape.Required.Count == 0 ? null : new HashSet<string>(shape.Required, StringComparer.Ordinal),
        Properties = shape.Members.ToDictionary(
            m => m.Name,
            m => m.Shape.Type == ShapeType.Structure ? (IOpenApiSchema)new OpenApiSchemaReference(m.Shape.Name, document) : Describe(ValueSchema(m.Shape, document), m.Documentation)),
    };

    private static IOpenApiSchema Describe(IOpenApiSchema schema, string? documentation)
    {
        if (schema is OpenApiSchema inline && documentation is not null)
        {
            inline.Description = PlainText(documentation);
        }

        return schema;
    }

    private static IOpenApiSchema ValueSchema(Shape shape, OpenApiDocument document)
    {
        string? Number(double? value) => value?.ToString(CultureInfo.InvariantCulture);
        int? Length(double? value) => value is null ? null : (int)Math.Min(value.Value, int.MaxValue);

        return shape.Type switch
        {
            ShapeType.Structure => new OpenApiSchemaReference(shape.Name, document),
            ShapeType.List => new OpenApiSchema { Type = JsonSchemaType.Array, Items = ValueSchema(shape.Element!, document), MinItems = Length(shape.Min), MaxItems = Length(shape.Max) },
            ShapeType.Map => new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = ValueSchema(shape.Value!, document), MinProperties = Length(shape.Min), MaxProperties = Length(shape.Max) },
            ShapeType.String => new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                MinLength = Length(shape.Min),
                MaxLength = Length(shape.Max),
                Pattern = shape.Pattern is null ? null : $"^(?:{shape.Pattern})$",
                Enum = shape.Enum?.Select(v => (JsonNode)JsonValue.Create(v)).ToList(),
            },
            ShapeType.Integer => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = Number(shape.Min), Maximum = Number(shape.Max) },
            ShapeType.Long => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = Number(shape.Min), Maximum = Number(shape.Max) },
            ShapeType.Float or ShapeType.Double => new OpenApiSchema { Type = JsonSchemaType.Number, Format = "double", Minimum = Number(shape.Min), Maximum = Number(shape.Max) },
            ShapeType.Boolean => new OpenApiSchema { Type = JsonSchemaType.Boolean },
            ShapeType.Timestamp => new OpenApiSchema { Type = JsonSchemaType.Number, Format = "double", Description = "Epoch seconds." },
            ShapeType.Blob => new OpenApiSchema { Type = JsonSchemaType.String, Format = "byte" },
            _ => throw new InvalidOperationException($"Unhandled shape type {shape.Type}."),
        };
    }

    private static string? PlainText(string? html) =>
        html is null ? null : WebUtility.HtmlDecode(Whitespace().Replace(Tags().Replace(html, " "), " ")).Trim();

    private static string FirstSentence(string? html)
    {
        var text = PlainText(html) ?? string.Empty;
        var end = text.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? text : text[..(end + 1)];
    }

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
