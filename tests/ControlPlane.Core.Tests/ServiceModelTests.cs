using System.Text.RegularExpressions;
using ControlPlane.Core.ServiceModel;
using ControlPlane.Core.Validation;

namespace ControlPlane.Core.Tests;

public class ServiceModelTests
{
    private static SageMakerServiceModel Model => SageMakerServiceModel.Current;

    private static string[] Operations =>
    [
        "CreateTrainingJob", "DescribeTrainingJob", "ListTrainingJobs", "StopTrainingJob",
        "CreateProcessingJob", "DescribeProcessingJob", "ListProcessingJobs", "StopProcessingJob",
        "CreateTransformJob", "DescribeTransformJob", "ListTransformJobs", "StopTransformJob",
        "CreateModel", "DescribeModel", "ListModels", "DeleteModel",
        "CreateEndpointConfig", "DescribeEndpointConfig", "ListEndpointConfigs", "DeleteEndpointConfig",
        "CreateEndpoint", "DescribeEndpoint", "ListEndpoints", "DeleteEndpoint", "UpdateEndpoint", "UpdateEndpointWeightsAndCapacities",
        "AddTags", "ListTags", "DeleteTags",
    ];

    public static TheoryData<string> OperationNames => new(Operations);

    public static TheoryData<string> PatternShapes => new(Model.Shapes.Values.Where(s => s.Pattern is not null).Select(s => s.Name).Order(StringComparer.Ordinal));

    public static TheoryData<string> VerdictShapes => new(JavaPatternVerdicts.All.Select(v => v.Shape).Distinct());

    private static Shape Shape(string name) => Model.Shape(name);

    [Fact]
    public void The_model_has_exactly_the_29_operations_this_service_implements()
    {
        Assert.Equal(29, Operations.Length);
        Assert.Equal(Operations.Order(StringComparer.Ordinal), Model.Operations.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(OperationNames))]
    public void Every_operation_is_present_with_a_structure_input_shape(string operation)
    {
        var op = Assert.Contains(operation, Model.Operations);

        Assert.Equal(operation, op.Name);
        Assert.NotNull(op.Input);
        Assert.Equal(ShapeType.Structure, op.Input.Type);
    }

    [Fact]
    public void The_model_speaks_sagemakers_json_target_and_api_version()
    {
        Assert.Equal("SageMaker", Model.TargetPrefix);
        Assert.Equal("2017-07-24", Model.ApiVersion);
    }

    [Fact]
    public void Input_shapes_carry_their_required_members_and_model_member_order()
    {
        var input = Model.Operations["CreateTrainingJob"].Input!;

        Assert.Equal(["OutputDataConfig", "RoleArn", "TrainingJobName"], input.Required.Order(StringComparer.Ordinal));
        Assert.Equal("AlgorithmSpecification", input.Members[0].Name);
        Assert.Equal("trainingJobName", input.FindMember("TrainingJobName")!.PathName);
        Assert.Equal("s3OutputPath", Shape("OutputDataConfig").FindMember("S3OutputPath")!.PathName);
    }

    [Fact]
    public void Every_member_and_collection_refers_to_a_loaded_shape()
    {
        foreach (var shape in Model.Shapes.Values)
        {
            Assert.All(shape.Members, m => Assert.Same(Model.Shape(m.Shape.Name), m.Shape));
            if (shape.Type == ShapeType.List)
            {
                Assert.NotNull(shape.Element);
            }

            if (shape.Type == ShapeType.Map)
            {
                Assert.NotNull(shape.Key);
                Assert.NotNull(shape.Value);
            }
        }
    }

    [Fact]
    public void The_model_has_patterns_to_check()
    {
        Assert.True(PatternShapes.Count > 100, $"Only {PatternShapes.Count} shapes with a pattern.");
    }

    [Theory]
    [MemberData(nameof(PatternShapes))]
    public void Every_pattern_in_the_model_compiles_and_is_applied_without_timing_out(string shapeName)
    {
        var shape = Shape(shapeName);

        Assert.NotNull(shape.PatternRegex);
        var probes = new[] { "", "a", new string('a', 5000), new string('-', 5000) + "!", string.Concat(Enumerable.Repeat("a-", 3000)) + "!", "arn:aws:sagemaker:us-east-1:123456789012:" + new string('x', 3000) + "/" };
        foreach (var probe in probes)
        {
            _ = shape.MatchesPattern(probe); // RegexMatchTimeoutException would fail the test.
        }
    }

    [Theory]
    [MemberData(nameof(PatternShapes))]
    public void Every_pattern_in_the_model_has_java_verdicts_for_its_current_text(string shapeName)
    {
        var verdicts = JavaPatternVerdicts.All.Where(v => v.Shape == shapeName).ToList();

        Assert.True(verdicts.Count > 0, $"{shapeName} has no Java verdicts; regenerate JavaPatternVerdicts.g.cs with PatternOracle.java.");
        Assert.All(verdicts, v => Assert.Equal(v.Pattern, Shape(shapeName).Pattern));
        Assert.Contains(verdicts, v => v.Matches);
    }

    [Theory]
    [MemberData(nameof(VerdictShapes))]
    public void Every_pattern_is_a_full_match_that_agrees_with_java_on_the_probe_corpus(string shapeName)
    {
        var shape = Shape(shapeName);

        var disagreements = JavaPatternVerdicts.All
            .Where(v => v.Shape == shapeName && shape.MatchesPattern(v.Probe) != v.Matches)
            .Select(v => $"'{Regex.Escape(v.Probe)}': Java {(v.Matches ? "matches" : "rejects")}")
            .ToList();

        Assert.True(disagreements.Count == 0, $"{shapeName} /{shape.Pattern}/ disagrees with java.util.regex on: {string.Join(", ", disagreements)}");
    }

    [Theory]
    [InlineData("TrainingJobName")]
    [InlineData("ProcessingJobName")]
    [InlineData("TransformJobName")]
    [InlineData("EndpointName")]
    [InlineData("EndpointConfigName")]
    [InlineData("VariantName")]
    public void The_job_and_endpoint_name_pattern_must_match_the_whole_value(string shapeName)
    {
        var shape = Shape(shapeName);

        Assert.True(shape.MatchesPattern("abc"));
        Assert.True(shape.MatchesPattern("a--b-c"));
        Assert.True(shape.MatchesPattern(new string('a', 63)));
        Assert.False(shape.MatchesPattern("abc-"));
        Assert.False(shape.MatchesPattern("-abc"));
        Assert.False(shape.MatchesPattern("ab_c"));
        Assert.False(shape.MatchesPattern("abc\n"));
        Assert.False(shape.MatchesPattern("abc def"));
        Assert.False(shape.MatchesPattern(new string('a', 64)));
    }

    [Fact]
    public void A_64_character_model_name_passes_the_pattern_but_fails_the_length()
    {
        var shape = Shape("ModelName");
        var name = new string('a', 64);

        Assert.True(shape.MatchesPattern(name));
        Assert.Equal(["Member must have length less than or equal to 63"], RequestBinder.StringViolations(name, shape));
    }

    [Fact]
    public void The_model_name_pattern_rejects_a_trailing_hyphen_and_an_underscore()
    {
        var shape = Shape("ModelName");

        Assert.True(shape.MatchesPattern("my-model-1"));
        Assert.True(shape.MatchesPattern("a"));
        Assert.False(shape.MatchesPattern("my-model-"));
        Assert.False(shape.MatchesPattern("my_model"));
    }

    [Fact]
    public void A_pattern_with_a_lookbehind_is_applied_to_the_whole_value()
    {
        var shape = Shape("ArnOrName");

        Assert.True(shape.MatchesPattern("my-algo"));
        Assert.True(shape.MatchesPattern("arn:aws:sagemaker:us-east-1:123456789012:algorithm/my-algo"));
        Assert.False(shape.MatchesPattern("my-algo-"));
        Assert.False(shape.MatchesPattern("my-algo/1"));
    }

    [Fact]
    public void The_java_alnum_class_is_understood()
    {
        var shape = Shape("TrainingRepositoryCredentialsProviderArn");
        Assert.Contains(@"\p{Alnum}", shape.Pattern, StringComparison.Ordinal);

        Assert.True(shape.MatchesPattern("arn:aws:lambda:us-east-1:123456789012:function:my-fn"));
        Assert.True(shape.MatchesPattern("arn:aws-cn:lambda:cn-north-1:123456789012:function:fn"));
        Assert.False(shape.MatchesPattern("arn:aws_x:lambda:us-east-1:123456789012:function:my-fn"));
        Assert.False(shape.MatchesPattern("arn:aws:lambda:us-east-1:1234:function:my-fn"));
    }

    [Fact]
    public void The_java_surrogate_pair_range_is_understood_as_the_supplementary_planes()
    {
        var shape = Shape("AthenaCatalog");
        Assert.Contains(@"\uD800\uDC00-\uDBFF\uDFFF", shape.Pattern, StringComparison.Ordinal);

        Assert.True(shape.MatchesPattern("AwsDataCatalog"));
        Assert.True(shape.MatchesPattern("catalog\t2"));
        Assert.True(shape.MatchesPattern("catalog-\U0001F600"));
        Assert.True(shape.MatchesPattern("\U00010000\U0010FFFF"));
        Assert.False(shape.MatchesPattern("catalog\n"));
        Assert.False(shape.MatchesPattern("\u0001"));
        Assert.False(shape.MatchesPattern("\uFFFE"));
    }

    [Fact]
    public void Compiling_a_java_pattern_anchors_it_and_rewrites_the_java_only_constructs()
    {
        var regex = JavaPattern.CompileFullMatch(@"[\p{Alnum}]+");

        Assert.Matches(regex, "abc123");
        Assert.DoesNotMatch(regex, "abc-123");
        Assert.DoesNotMatch(regex, "abc\n");
    }

    [Theory]
    [InlineData("Project")]
    [InlineData("aws:cloudformation:stack-name")]
    [InlineData("cost center")]
    [InlineData("Größe")]
    [InlineData("部署")]
    [InlineData("ключ_1.2/3=4+5-6@7")]
    [InlineData("١٢٣")] // Unicode digits are \p{N}
    public void The_tag_key_pattern_accepts_unicode_letters_digits_and_separators(string key)
    {
        Assert.True(Shape("TagKey").MatchesPattern(key));
        Assert.True(Shape("TagValue").MatchesPattern(key));
    }

    [Theory]
    [InlineData("key!")]
    [InlineData("a#b")]
    [InlineData("{x}")]
    [InlineData("tab\there")]
    [InlineData("semi;colon")]
    public void The_tag_key_pattern_rejects_punctuation_outside_its_class(string key)
    {
        Assert.False(Shape("TagKey").MatchesPattern(key));
    }

    [Fact]
    public void The_tag_key_pattern_accepts_a_letter_outside_the_basic_plane_as_java_does()
    {
        // MATHEMATICAL SCRIPT CAPITAL A (U+1D49C) is \p{L}; java.util.regex matches code points, so the service accepts it.
        Assert.True(Shape("TagKey").MatchesPattern("\U0001D49C"));
    }

    [Theory]
    [InlineData("HyperParameterValue", "line\rbreak")]
    [InlineData("ContainerArgument", "line\u2028separator")]
    public void A_java_dot_does_not_match_any_line_terminator(string shapeName, string value)
    {
        // java.util.regex: '.' excludes \n, \r, \u0085, \u2028 and \u2029 (not only \n as .NET's does).
        Assert.False(Shape(shapeName).MatchesPattern(value));
    }

    [Fact]
    public void A_java_digit_class_matches_only_ascii_digits()
    {
        // java.util.regex: \d is [0-9] unless UNICODE_CHARACTER_CLASS; .NET's \d also matches other scripts' digits.
        Assert.False(Shape("RoleArn").MatchesPattern("arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:role/SageMakerRole"));
    }

    [Fact]
    public void A_java_non_whitespace_class_treats_only_ascii_whitespace_as_whitespace()
    {
        // java.util.regex: \s is [ \t\n\x0B\f\r], so a no-break or em space is \S and the image passes ContainerImage's [\S]+.
        Assert.True(Shape("ContainerImage").MatchesPattern("my\u00A0image"));
    }

    [Fact]
    public void String_constraints_are_reported_enum_then_pattern_then_length()
    {
        var name = new string('_', 64);

        Assert.Equal(
            [@"Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}", "Member must have length less than or equal to 63"],
            RequestBinder.StringViolations(name, Shape("TrainingJobName")));
        Assert.Equal(["Member must have length greater than or equal to 1"], RequestBinder.StringViolations(string.Empty, Shape("TagKey")));
    }
}
