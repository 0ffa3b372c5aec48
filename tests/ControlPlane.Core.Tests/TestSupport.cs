using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Core.Errors;
using ControlPlane.Core.Resources;
using ControlPlane.Core.ServiceModel;
using ControlPlane.Core.Validation;

namespace ControlPlane.Core.Tests;

/// <summary>Requests as they come off the wire, bound against the real service model, and the helpers to read results.</summary>
internal static class Wire
{
    public static ResourceScope Scope { get; } = new("aws", "us-east-1", "123456789012");

    /// <summary>2024-05-01T12:00:00Z.</summary>
    public static DateTimeOffset Now { get; } = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    public static double NowSeconds => 1714564800;

    public static string RoleArn => "arn:aws:iam::123456789012:role/SageMakerRole";

    public static string Image => "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:latest";

    public static Shape Input(string operation) => SageMakerServiceModel.Current.Operations[operation].Input!;

    public static Result<JsonObject> Bind(string operation, string json)
    {
        using var document = JsonDocument.Parse(json);
        return RequestBinder.Bind(document.RootElement, Input(operation));
    }

    public static Result<JsonObject> Bind(string operation, JsonObject request) => Bind(operation, request.ToJsonString());

    /// <summary>Binds a request that must be valid.</summary>
    public static JsonObject Valid(string operation, JsonObject request) => Ok(Bind(operation, request));

    public static T Ok<T>(Result<T> result)
    {
        Assert.True(result.Succeeded, $"Expected success, got {result.Error}");
        return result.Value!;
    }

    public static ApiError Fails<T>(Result<T> result)
    {
        Assert.False(result.Succeeded, $"Expected an error, got {result.Value}");
        return result.Error!;
    }

    public static ApiError FailsValidation<T>(Result<T> result)
    {
        var error = Fails(result);
        Assert.Equal(ErrorCodes.Validation, error.Code);
        Assert.Equal(400, error.StatusCode);
        return error;
    }

    public static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    public static string Str(this JsonNode? node) => node!.GetValue<string>();

    public static int Int(this JsonNode? node) => node!.GetValue<int>();

    public static double Dbl(this JsonNode? node) => node!.GetValue<double>();

    public static bool Bool(this JsonNode? node) => node!.GetValue<bool>();

    public static string Json(this JsonNode? node) => node!.ToJsonString();
}

/// <summary>Minimal, valid Create requests as an SDK sends them.</summary>
internal static class Requests
{
    public static JsonObject TrainingJob(string name = "xgb-2024-05-01") => Wire.Obj($$"""
        {
          "TrainingJobName": "{{name}}",
          "RoleArn": "{{Wire.RoleArn}}",
          "AlgorithmSpecification": { "TrainingImage": "{{Wire.Image}}", "TrainingInputMode": "File" },
          "InputDataConfig": [
            { "ChannelName": "train", "DataSource": { "S3DataSource": { "S3DataType": "S3Prefix", "S3Uri": "s3://bucket/train/" } } }
          ],
          "OutputDataConfig": { "S3OutputPath": "s3://bucket/output" }
        }
        """);

    public static JsonObject ProcessingJob(string name = "preprocess-1") => Wire.Obj($$"""
        {
          "ProcessingJobName": "{{name}}",
          "RoleArn": "{{Wire.RoleArn}}",
          "AppSpecification": { "ImageUri": "{{Wire.Image}}" },
          "ProcessingResources": { "ClusterConfig": { "InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30 } },
          "ProcessingInputs": [
            { "InputName": "raw", "S3Input": { "S3Uri": "s3://bucket/raw/", "LocalPath": "/opt/ml/processing/input", "S3DataType": "S3Prefix" } }
          ],
          "ProcessingOutputConfig": {
            "Outputs": [
              { "OutputName": "clean", "S3Output": { "S3Uri": "s3://bucket/clean/", "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob" } }
            ]
          }
        }
        """);

    public static JsonObject TransformJob(string name = "batch-1") => Wire.Obj($$"""
        {
          "TransformJobName": "{{name}}",
          "ModelName": "my-model",
          "TransformInput": { "DataSource": { "S3DataSource": { "S3DataType": "S3Prefix", "S3Uri": "s3://bucket/in/" } }, "ContentType": "text/csv" },
          "TransformOutput": { "S3OutputPath": "s3://bucket/out/" },
          "TransformResources": { "InstanceType": "ml.m5.xlarge", "InstanceCount": 1 }
        }
        """);

    public static JsonObject Model(string name = "my-model") => Wire.Obj($$"""
        {
          "ModelName": "{{name}}",
          "ExecutionRoleArn": "{{Wire.RoleArn}}",
          "PrimaryContainer": { "Image": "{{Wire.Image}}", "ModelDataUrl": "s3://bucket/output/model.tar.gz" }
        }
        """);

    public static JsonObject EndpointConfig(string name = "my-config") => Wire.Obj($$"""
        {
          "EndpointConfigName": "{{name}}",
          "ProductionVariants": [
            { "VariantName": "AllTraffic", "ModelName": "my-model", "InstanceType": "ml.m5.xlarge", "InitialInstanceCount": 2 }
          ]
        }
        """);

    public static JsonObject Endpoint(string name = "my-endpoint", string config = "my-config") => Wire.Obj($$"""
        { "EndpointName": "{{name}}", "EndpointConfigName": "{{config}}" }
        """);
}
