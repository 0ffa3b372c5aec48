using ControlPlane.Core.Resources;

namespace ControlPlane.Core.Tests;

public class ResourceArnTests
{
    [Theory]
    [InlineData("arn:aws:sagemaker:us-east-1:123456789012:training-job/xgb-1", ResourceKind.TrainingJob, "xgb-1")]
    [InlineData("arn:aws:sagemaker:us-east-1:123456789012:processing-job/prep-1", ResourceKind.ProcessingJob, "prep-1")]
    [InlineData("arn:aws:sagemaker:us-east-1:123456789012:transform-job/batch-1", ResourceKind.TransformJob, "batch-1")]
    [InlineData("arn:aws:sagemaker:us-east-1:123456789012:model/my-model", ResourceKind.Model, "my-model")]
    [InlineData("arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/my-config", ResourceKind.EndpointConfig, "my-config")]
    [InlineData("arn:aws:sagemaker:us-east-1:123456789012:endpoint/my-endpoint", ResourceKind.Endpoint, "my-endpoint")]
    public void A_valid_arn_of_each_resource_type_is_parsed(string arn, ResourceKind kind, string name)
    {
        var parsed = ResourceArn.TryParse(arn);

        Assert.NotNull(parsed);
        Assert.Equal(kind, parsed.Type.Kind);
        Assert.Equal(name, parsed.Name);
        Assert.Equal(new ResourceScope("aws", "us-east-1", "123456789012"), parsed.Scope);
    }

    [Fact]
    public void The_partition_and_region_are_read_from_the_arn()
    {
        var parsed = ResourceArn.TryParse("arn:aws-cn:sagemaker:cn-north-1:000000000000:endpoint/ep");

        Assert.Equal(new ResourceScope("aws-cn", "cn-north-1", "000000000000"), parsed!.Scope);
    }

    [Fact]
    public void The_resource_type_segment_is_matched_case_insensitively()
    {
        var parsed = ResourceArn.TryParse("arn:aws:sagemaker:us-east-1:123456789012:Endpoint/My-Endpoint");

        Assert.Equal(ResourceKind.Endpoint, parsed!.Type.Kind);
        Assert.Equal("My-Endpoint", parsed.Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-an-arn")]
    [InlineData("arn:aws:sagemaker")]
    [InlineData("arn:aws:sagemaker:us-east-1:123456789012")]
    [InlineData("arn:aws:sagemaker:us-east-1:123456789012:endpoint")]
    [InlineData("arn:aws:sagemaker:us-east-1:123456789012:endpoint/")]
    [InlineData("arn:aws:sagemaker:us-east-1:123456789012:/my-endpoint")]
    [InlineData("arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb")]
    [InlineData("arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/hpo")]
    [InlineData("arn:aws:s3:::bucket/key")]
    [InlineData("arn:aws:iam::123456789012:role/SageMakerRole")]
    [InlineData("urn:aws:sagemaker:us-east-1:123456789012:endpoint/ep")]
    [InlineData("ARN:aws:sagemaker:us-east-1:123456789012:endpoint/ep")]
    public void A_malformed_or_foreign_arn_is_rejected(string arn)
    {
        Assert.Null(ResourceArn.TryParse(arn));
    }

    [Theory]
    [InlineData(ResourceKind.TrainingJob, "XGB-Job-1", "arn:aws:sagemaker:us-east-1:123456789012:training-job/XGB-Job-1")]
    [InlineData(ResourceKind.ProcessingJob, "Prep-1", "arn:aws:sagemaker:us-east-1:123456789012:processing-job/Prep-1")]
    [InlineData(ResourceKind.TransformJob, "Batch-1", "arn:aws:sagemaker:us-east-1:123456789012:transform-job/Batch-1")]
    [InlineData(ResourceKind.Model, "My-Model", "arn:aws:sagemaker:us-east-1:123456789012:model/my-model")]
    [InlineData(ResourceKind.EndpointConfig, "My-Config", "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/my-config")]
    [InlineData(ResourceKind.Endpoint, "DEMO-imageclassification-ep--2018-06-24-19-59-29", "arn:aws:sagemaker:us-east-1:123456789012:endpoint/demo-imageclassification-ep--2018-06-24-19-59-29")]
    public void Arns_are_formatted_with_the_names_of_models_configs_and_endpoints_lower_cased(ResourceKind kind, string name, string arn)
    {
        Assert.Equal(arn, ResourceType.Of(kind).Arn(Wire.Scope, name));
    }

    [Fact]
    public void The_partition_region_and_account_of_the_scope_go_into_the_arn()
    {
        Assert.Equal(
            "arn:aws-us-gov:sagemaker:us-gov-west-1:000000000000:endpoint/ep",
            ResourceType.Endpoint.Arn(new ResourceScope("aws-us-gov", "us-gov-west-1", "000000000000"), "ep"));
    }

    [Fact]
    public void A_formatted_arn_parses_back_to_its_type_scope_and_arn_name()
    {
        foreach (var type in ResourceType.All)
        {
            var parsed = ResourceArn.TryParse(type.Arn(Wire.Scope, "Name-1"));

            Assert.NotNull(parsed);
            Assert.Same(type, parsed.Type);
            Assert.Equal(Wire.Scope, parsed.Scope);
            Assert.Equal(type.LowerCaseArnName ? "name-1" : "Name-1", parsed.Name);
        }
    }

    [Fact]
    public void Every_formatted_arn_satisfies_the_models_arn_pattern_for_its_type()
    {
        var model = ControlPlane.Core.ServiceModel.SageMakerServiceModel.Current;
        foreach (var type in ResourceType.All)
        {
            var arn = type.Arn(Wire.Scope, "name-1");

            Assert.True(model.Shape(type.ArnMember).MatchesPattern(arn), arn);
            Assert.True(model.Shape("ResourceArn").MatchesPattern(arn), arn);
        }
    }

    [Fact]
    public void Each_kind_maps_to_its_resource_type()
    {
        Assert.All(Enum.GetValues<ResourceKind>(), kind => Assert.Equal(kind, ResourceType.Of(kind).Kind));
        Assert.Equal(
            ["training-job", "processing-job", "transform-job", "model", "endpoint-config", "endpoint"],
            ResourceType.All.Select(t => t.ArnSegment));
    }
}
