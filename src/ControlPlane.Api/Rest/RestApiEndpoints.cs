using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Api.Http;
using ControlPlane.Application.Operations;
using ControlPlane.Core.Errors;
using ControlPlane.Core.ServiceModel;
using Microsoft.Extensions.Primitives;

namespace ControlPlane.Api.Rest;

/// <summary>
/// REST resource routes over the same operations as the wire protocol: the body is the operation's input shape, the
/// <c>{name}</c> route value and query parameters (member names, any case) fill the other members.
/// </summary>
internal static class RestApiEndpoints
{
    public const string JsonContentType = "application/json";

    public static IEndpointRouteBuilder MapRestApi(this IEndpointRouteBuilder endpoints)
    {
        foreach (var route in RestRouteTable.Routes)
        {
            // Two parameters make this a route handler rather than a bare RequestDelegate, so it reaches ApiExplorer.
            endpoints.MapMethods(route.Pattern, [route.Method], (HttpContext context, CancellationToken _) => HandleAsync(context, route))
                .WithName(route.Operation)
                .WithTags(route.Tag)
                .WithMetadata(route);
        }

        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context, RestRoute route)
    {
        var result = await InvokeAsync(context, route);
        if (result.Succeeded)
        {
            await ApiResponseWriter.WriteBodyAsync(context, result.Value!, JsonContentType);
        }
        else
        {
            await ApiResponseWriter.WriteErrorAsync(context, result.Error!, JsonContentType);
        }
    }

    private static async Task<Result<string>> InvokeAsync(HttpContext context, RestRoute route)
    {
        var services = context.RequestServices;
        var inputShape = SageMakerServiceModel.Current.Operations[route.Operation].Input!;
        var input = new JsonObject();
        if (route.HasBody)
        {
            var body = await services.GetRequiredService<ApiResponseWriter>().ReadBodyAsync(context);
            if (!body.Succeeded)
            {
                return body.Error!;
            }

            using var document = WireProtocol.AwsJsonProtocolMiddleware.ParseBody(body.Value!, out var parseError);
            if (document is null)
            {
                return ApiError.Serialization(parseError!);
            }

            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return ApiError.Serialization($"Expected a JSON object for {inputShape.Name}.");
            }

            input = JsonObject.Create(document.RootElement.Clone())!;
        }

        foreach (var (key, values) in context.Request.Query)
        {
            if (inputShape.Members.FirstOrDefault(m => string.Equals(m.Name, key, StringComparison.OrdinalIgnoreCase)) is not { } member)
            {
                continue;
            }

            var converted = FromQuery(values, member);
            if (!converted.Succeeded)
            {
                return converted.Error!;
            }

            input[member.Name] = converted.Value;
        }

        if (route.NameMember is not null)
        {
            input[route.NameMember] = context.GetRouteValue("name")?.ToString();
        }

        var dispatcher = services.GetRequiredService<OperationDispatcher>();
        var request = services.GetRequiredService<RequestContextFactory>().Create(context);
        return await dispatcher.InvokeAsync(route.Operation, JsonSerializer.SerializeToElement(input), request, context.RequestAborted);
    }

    /// <summary>Query strings are text; the member's shape says what JSON value they stand for.</summary>
    private static Result<JsonNode?> FromQuery(StringValues values, Member member)
    {
        var shape = member.Shape;
        if (shape.Type == ShapeType.List)
        {
            var items = new JsonArray();
            foreach (var value in values)
            {
                var item = Scalar(value ?? string.Empty, shape.Element!, member.Name);
                if (!item.Succeeded)
                {
                    return item.Error!;
                }

                items.Add(item.Value);
            }

            return items;
        }

        return Scalar(values.ToString(), shape, member.Name);
    }

    private static Result<JsonNode?> Scalar(string text, Shape shape, string memberName)
    {
        switch (shape.Type)
        {
            case ShapeType.Integer or ShapeType.Long when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number):
                return JsonValue.Create(number);
            case ShapeType.Float or ShapeType.Double when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real):
                return JsonValue.Create(real);
            case ShapeType.Boolean when bool.TryParse(text, out var flag):
                return JsonValue.Create(flag);
            case ShapeType.String or ShapeType.Timestamp:
                // Timestamps may be epoch seconds or ISO-8601; the request binder reads both.
                return JsonValue.Create(text);
            default:
                return ApiError.Serialization($"Query parameter '{memberName}' value '{text}' cannot be converted to {shape.Type}.");
        }
    }
}
