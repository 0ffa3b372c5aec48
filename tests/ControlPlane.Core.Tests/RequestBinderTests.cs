using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Core.Errors;
using ControlPlane.Core.Validation;

namespace ControlPlane.Core.Tests;

public class RequestBinderTests
{
    private static string JobNamePattern => "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}";

    private static JsonObject TrainingJobWith(string member, string json)
    {
        var request = Requests.TrainingJob();
        request[member] = JsonNode.Parse(json);
        return request;
    }

    [Fact]
    public void A_complete_training_job_request_binds_without_errors()
    {
        var bound = Wire.Valid("CreateTrainingJob", Requests.TrainingJob());

        Assert.Equal("xgb-2024-05-01", bound["TrainingJobName"].Str());
        Assert.Equal("s3://bucket/output", bound["OutputDataConfig"]!["S3OutputPath"].Str());
        Assert.Equal("train", bound["InputDataConfig"]![0]!["ChannelName"].Str());
    }

    [Fact]
    public void A_missing_required_member_is_reported_as_a_null_value()
    {
        var request = Requests.TrainingJob();
        request.Remove("RoleArn");

        var error = Wire.FailsValidation(Wire.Bind("CreateTrainingJob", request));

        Assert.Equal("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null", error.Message);
    }

    [Fact]
    public void A_required_member_sent_as_json_null_is_reported_as_missing()
    {
        var error = Wire.FailsValidation(Wire.Bind("CreateTrainingJob", TrainingJobWith("RoleArn", "null")));

        Assert.Equal("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null", error.Message);
    }

    [Fact]
    public void An_optional_member_sent_as_json_null_is_left_out_of_the_bound_value()
    {
        var request = Requests.TrainingJob();
        request["VpcConfig"] = null;
        request["HyperParameters"] = null;

        var bound = Wire.Valid("CreateTrainingJob", request);

        Assert.False(bound.ContainsKey("VpcConfig"));
        Assert.False(bound.ContainsKey("HyperParameters"));
    }

    [Fact]
    public void An_empty_body_reports_every_required_member()
    {
        var error = Wire.FailsValidation(Wire.Bind("CreateTrainingJob", "{}"));

        Assert.StartsWith("3 validation errors detected: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Value null at 'trainingJobName' failed to satisfy constraint: Member must not be null", error.Message, StringComparison.Ordinal);
        Assert.Contains("Value null at 'roleArn' failed to satisfy constraint: Member must not be null", error.Message, StringComparison.Ordinal);
        Assert.Contains("Value null at 'outputDataConfig' failed to satisfy constraint: Member must not be null", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_training_job_name_with_an_underscore_fails_the_pattern_constraint()
    {
        var error = Wire.FailsValidation(Wire.Bind("CreateTrainingJob", Requests.TrainingJob("my_training_job")));

        Assert.Equal(
            $"1 validation error detected: Value 'my_training_job' at 'trainingJobName' failed to satisfy constraint: Member must satisfy regular expression pattern: {JobNamePattern}",
            error.Message);
    }

    [Fact]
    public void A_training_job_name_ending_in_a_hyphen_fails_the_pattern_constraint()
    {
        var error = Wire.FailsValidation(Wire.Bind("CreateTrainingJob", Requests.TrainingJob("my-job-")));

        Assert.Equal(
            $"1 validation error detected: Value 'my-job-' at 'trainingJobName' failed to satisfy constraint: Member must satisfy regular expression pattern: {JobNamePattern}",
            error.Message);
    }

    [Fact]
    public void An_over_long_hyphenated_training_job_name_fails_only_the_length_constraint()
    {
        // The contract's observed example (zenml #1517): 66 characters, 55 of them alphanumeric, so the pattern holds.
        const string name = "generic-training-pipeline-2023-04-12-15-36-41-124330-model-trainer";

        var error = Wire.FailsValidation(Wire.Bind("CreateTrainingJob", Requests.TrainingJob(name)));

        Assert.Equal(
            $"1 validation error detected: Value '{name}' at 'trainingJobName' failed to satisfy constraint: Member must have length less than or equal to 63",
            error.Message);
    }

    [Fact]
    public void A_64_character_training_job_name_fails_the_length_constraint()
    {
        var name = string.Concat(Enumerable.Repeat("ab-", 21)) + "a";
        Assert.Equal(64, name.Length);

        var error = Wire.FailsValidation(Wire.Bind("CreateTrainingJob", Requests.TrainingJob(name)));

        Assert.Equal(
            $"1 validation error detected: Value '{name}' at 'trainingJobName' failed to satisfy constraint: Member must have length less than or equal to 63",
            error.Message);
    }

    [Fact]
    public void A_63_character_training_job_name_is_accepted()
    {
        Wire.Valid("CreateTrainingJob", Requests.TrainingJob(new string('a', 63)));
    }

    [Fact]
    public void Sixty_four_letters_break_the_pattern_and_the_length_and_both_are_reported_joined_by_a_semicolon()
    {
        // {0,62} repetitions after the first character allow at most 63 alphanumerics, so Java's full match fails too.
        var name = new string('a', 64);

        var error = Wire.FailsValidation(Wire.Bind("CreateTrainingJob", Requests.TrainingJob(name)));

        Assert.Equal(
            $"2 validation errors detected: Value '{name}' at 'trainingJobName' failed to satisfy constraint: Member must satisfy regular expression pattern: {JobNamePattern}; "
            + $"Value '{name}' at 'trainingJobName' failed to satisfy constraint: Member must have length less than or equal to 63",
            error.Message);
    }

    [Fact]
    public void Violations_of_different_members_are_counted_together_and_joined_by_semicolons()
    {
        var request = Requests.TrainingJob("bad_name");
        request.Remove("RoleArn");

        var error = Wire.FailsValidation(Wire.Bind("CreateTrainingJob", request));

        Assert.StartsWith("2 validation errors detected: ", error.Message, StringComparison.Ordinal);
        var violations = error.Message["2 validation errors detected: ".Length..].Split("; ");
        Assert.Equal(2, violations.Length);
        Assert.Contains($"Value 'bad_name' at 'trainingJobName' failed to satisfy constraint: Member must satisfy regular expression pattern: {JobNamePattern}", violations);
        Assert.Contains("Value null at 'roleArn' failed to satisfy constraint: Member must not be null", violations);
    }

    [Fact]
    public void A_sort_order_outside_its_enum_lists_the_allowed_values()
    {
        var error = Wire.FailsValidation(Wire.Bind("ListTrainingJobs", """{ "SortOrder": "Up" }"""));

        Assert.Equal(
            "1 validation error detected: Value 'Up' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [Ascending, Descending]",
            error.Message);
    }

    [Fact]
    public void Enum_values_are_case_sensitive()
    {
        var error = Wire.FailsValidation(Wire.Bind("ListTrainingJobs", """{ "SortOrder": "ascending" }"""));

        Assert.EndsWith("Member must satisfy enum value set: [Ascending, Descending]", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "Member must have value greater than or equal to 1")]
    [InlineData(-5, "Member must have value greater than or equal to 1")]
    [InlineData(101, "Member must have value less than or equal to 100")]
    public void Max_results_outside_1_to_100_fails_the_value_constraint(int maxResults, string constraint)
    {
        var error = Wire.FailsValidation(Wire.Bind("ListTrainingJobs", $$"""{ "MaxResults": {{maxResults}} }"""));

        Assert.Equal($"1 validation error detected: Value '{maxResults}' at 'maxResults' failed to satisfy constraint: {constraint}", error.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public void Max_results_at_the_bounds_is_accepted(int maxResults)
    {
        var bound = Wire.Ok(Wire.Bind("ListTrainingJobs", $$"""{ "MaxResults": {{maxResults}} }"""));

        Assert.Equal(maxResults, bound["MaxResults"].Int());
    }

    [Fact]
    public void A_nested_value_below_its_minimum_is_reported_with_a_dotted_path()
    {
        var request = Requests.TrainingJob();
        request["StoppingCondition"] = new JsonObject { ["MaxRuntimeInSeconds"] = 0 };

        var error = Wire.FailsValidation(Wire.Bind("CreateTrainingJob", request));

        Assert.Equal(
            "1 validation error detected: Value '0' at 'stoppingCondition.maxRuntimeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 1",
            error.Message);
    }

    [Fact]
    public void A_missing_member_of_a_nested_structure_is_reported_with_a_dotted_path()
    {
        var error = Wire.FailsValidation(Wire.Bind("CreateTrainingJob", TrainingJobWith("OutputDataConfig", "{}")));

        Assert.Equal(
            "1 validation error detected: Value null at 'outputDataConfig.s3OutputPath' failed to satisfy constraint: Member must not be null",
            error.Message);
    }

    [Fact]
    public void A_nested_pattern_violation_is_reported_with_a_dotted_path()
    {
        var error = Wire.FailsValidation(Wire.Bind("CreateTrainingJob", TrainingJobWith("OutputDataConfig", """{ "S3OutputPath": "bucket/output" }""")));

        Assert.Equal(
            "1 validation error detected: Value 'bucket/output' at 'outputDataConfig.s3OutputPath' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(https|s3)://([^/]+)/?(.*)",
            error.Message);
    }

    [Fact]
    public void A_member_of_a_list_element_is_reported_with_its_one_based_index()
    {
        var request = TrainingJobWith("InputDataConfig", """
            [ { "DataSource": { "S3DataSource": { "S3DataType": "S3Prefix", "S3Uri": "s3://bucket/train/" } } } ]
            """);

        var error = Wire.FailsValidation(Wire.Bind("CreateTrainingJob", request));

        Assert.Equal(
            "1 validation error detected: Value null at 'inputDataConfig.1.member.channelName' failed to satisfy constraint: Member must not be null",
            error.Message);
    }

    [Fact]
    public void The_second_list_element_is_reported_as_member_2()
    {
        var request = TrainingJobWith("InputDataConfig", """
            [
              { "ChannelName": "train", "DataSource": { "S3DataSource": { "S3DataType": "S3Prefix", "S3Uri": "s3://bucket/train/" } } },
              { "ChannelName": "validation data", "DataSource": { "S3DataSource": { "S3DataType": "S3Prefix", "S3Uri": "s3://bucket/validation/" } } }
            ]
            """);

        var error = Wire.FailsValidation(Wire.Bind("CreateTrainingJob", request));

        Assert.Equal(
            @"1 validation error detected: Value 'validation data' at 'inputDataConfig.2.member.channelName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[A-Za-z0-9\.\-_]+",
            error.Message);
    }

    [Fact]
    public void A_deeply_nested_missing_member_names_the_whole_path()
    {
        var request = TrainingJobWith("InputDataConfig", """
            [ { "ChannelName": "train", "DataSource": { "S3DataSource": { "S3DataType": "S3Prefix" } } } ]
            """);

        var error = Wire.FailsValidation(Wire.Bind("CreateTrainingJob", request));

        Assert.Equal(
            "1 validation error detected: Value null at 'inputDataConfig.1.member.dataSource.s3DataSource.s3Uri' failed to satisfy constraint: Member must not be null",
            error.Message);
    }

    [Fact]
    public void An_empty_channel_list_fails_the_minimum_list_length()
    {
        var error = Wire.FailsValidation(Wire.Bind("CreateTrainingJob", TrainingJobWith("InputDataConfig", "[]")));

        Assert.Equal(
            "1 validation error detected: Value '[]' at 'inputDataConfig' failed to satisfy constraint: Member must have length greater than or equal to 1",
            error.Message);
    }

    [Fact]
    public void Fifty_one_tags_fail_the_tag_list_length()
    {
        var tags = new JsonArray(Enumerable.Range(0, 51).Select(i => (JsonNode)new JsonObject { ["Key"] = $"k{i}", ["Value"] = "v" }).ToArray());
        var request = Requests.TrainingJob();
        request["Tags"] = tags;

        var error = Wire.FailsValidation(Wire.Bind("CreateTrainingJob", request));

        Assert.StartsWith("1 validation error detected: Value '[{Key=k0, Value=v}, {Key=k1, Value=v}", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fifty_tags_are_accepted()
    {
        var request = Requests.TrainingJob();
        request["Tags"] = new JsonArray(Enumerable.Range(0, 50).Select(i => (JsonNode)new JsonObject { ["Key"] = $"k{i}", ["Value"] = "v" }).ToArray());

        var bound = Wire.Valid("CreateTrainingJob", request);

        Assert.Equal(50, bound["Tags"]!.AsArray().Count);
    }

    [Fact]
    public void A_tag_key_with_unicode_letters_is_accepted()
    {
        var request = Requests.TrainingJob();
        request["Tags"] = Wire.Obj("""{ "t": [ { "Key": "Kostenstelle Größe 部署", "Value": "été" } ] }""")["t"]!.DeepClone();

        Wire.Valid("CreateTrainingJob", request);
    }

    [Fact]
    public void An_invalid_environment_variable_name_is_a_validation_error_at_the_map()
    {
        var request = Requests.TrainingJob();
        request["Environment"] = new JsonObject { ["1BAD"] = "x" };

        var error = Wire.FailsValidation(Wire.Bind("CreateTrainingJob", request));

        Assert.StartsWith("1 validation error detected: Value '1BAD' at 'environment' failed to satisfy constraint: ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CreateTrainingJob", 512)]
    [InlineData("CreateProcessingJob", 256)]
    [InlineData("CreateTransformJob", 10240)]
    [InlineData("CreateModel", 1024)]
    public void Environment_names_and_values_are_held_to_the_service_models_pattern_and_lengths(string operation, int maxValueLength)
    {
        JsonObject WithEnvironment(string name, string value)
        {
            var request = operation switch
            {
                "CreateTrainingJob" => Requests.TrainingJob(),
                "CreateProcessingJob" => Requests.ProcessingJob(),
                "CreateTransformJob" => Requests.TransformJob(),
                _ => Requests.Model(),
            };
            var environment = new JsonObject { [name] = value };
            if (operation == "CreateModel")
            {
                request["PrimaryContainer"]!["Environment"] = environment;
            }
            else
            {
                request["Environment"] = environment;
            }

            return request;
        }

        Wire.Valid(operation, WithEnvironment("_OK_1", new string('v', maxValueLength)));
        Assert.Contains("Member must have length less than or equal to", Wire.FailsValidation(Wire.Bind(operation, WithEnvironment("OK", new string('v', maxValueLength + 1)))).Message, StringComparison.Ordinal);
        foreach (var name in new[] { "1BAD", "BAD-NAME", "BAD NAME", "BAD=X", "LD_PRELOAD\n" })
        {
            Assert.Contains("must satisfy regular expression pattern: ^[a-zA-Z_][a-zA-Z0-9_]", Wire.FailsValidation(Wire.Bind(operation, WithEnvironment(name, "x"))).Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("ListTrainingJobs", "MaxResults", "\"10\"")] // string for an integer
    [InlineData("ListTrainingJobs", "MaxResults", "10.5")] // fraction for an integer
    [InlineData("ListTrainingJobs", "MaxResults", "1e20")] // beyond Int32
    [InlineData("ListTrainingJobs", "MaxResults", "3000000000")] // beyond Int32
    [InlineData("ListTrainingJobs", "MaxResults", "true")]
    [InlineData("ListTrainingJobs", "SortOrder", "{}")] // object for a string
    [InlineData("ListTrainingJobs", "SortOrder", "1")] // number for a string
    [InlineData("ListTrainingJobs", "NameContains", "[\"a\"]")] // list for a string
    [InlineData("CreateTrainingJob", "TrainingJobName", "{ \"a\": 1 }")]
    [InlineData("CreateTrainingJob", "EnableNetworkIsolation", "1")] // number for a boolean
    [InlineData("CreateTrainingJob", "EnableNetworkIsolation", "\"true\"")] // string for a boolean
    [InlineData("CreateTrainingJob", "OutputDataConfig", "[]")] // list for a structure
    [InlineData("CreateTrainingJob", "OutputDataConfig", "\"s3://bucket/output\"")]
    [InlineData("CreateTrainingJob", "InputDataConfig", "{}")] // structure for a list
    [InlineData("CreateTrainingJob", "HyperParameters", "[]")] // list for a map
    [InlineData("CreateTrainingJob", "HyperParameters", "{ \"eta\": 0.1 }")] // number for a string map value
    [InlineData("CreateTrainingJob", "Tags", "[ \"team=ml\" ]")] // string for a structure element
    public void A_member_of_the_wrong_json_type_is_a_serialization_error(string operation, string member, string json)
    {
        var request = operation == "CreateTrainingJob" ? Requests.TrainingJob() : [];
        request[member] = JsonNode.Parse(json);

        var error = Wire.Fails(Wire.Bind(operation, request));

        Assert.Equal(ErrorCodes.Serialization, error.Code);
        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public void A_nested_member_of_the_wrong_type_is_a_serialization_error()
    {
        var request = Requests.TrainingJob();
        request["ResourceConfig"] = Wire.Obj("""{ "InstanceType": "ml.m5.xlarge", "InstanceCount": "1", "VolumeSizeInGB": 30 }""");

        Assert.Equal(ErrorCodes.Serialization, Wire.Fails(Wire.Bind("CreateTrainingJob", request)).Code);
    }

    [Fact]
    public void A_float_beyond_the_float_range_is_a_serialization_error()
    {
        var request = Requests.EndpointConfig();
        request["ProductionVariants"]![0]!["InitialVariantWeight"] = JsonNode.Parse("1e39");

        Assert.Equal(ErrorCodes.Serialization, Wire.Fails(Wire.Bind("CreateEndpointConfig", request)).Code);
    }

    [Fact]
    public void A_type_error_wins_over_constraint_violations()
    {
        var request = Requests.TrainingJob("bad_name");
        request.Remove("RoleArn");
        request["EnableNetworkIsolation"] = "yes";

        Assert.Equal(ErrorCodes.Serialization, Wire.Fails(Wire.Bind("CreateTrainingJob", request)).Code);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[{}]")]
    [InlineData("\"CreateTrainingJob\"")]
    [InlineData("42")]
    [InlineData("true")]
    [InlineData("null")]
    public void A_body_that_is_not_a_json_object_is_a_serialization_error(string body)
    {
        var error = Wire.Fails(Wire.Bind("ListTrainingJobs", body));

        Assert.Equal(ErrorCodes.Serialization, error.Code);
    }

    [Fact]
    public void A_string_with_an_unpaired_surrogate_escape_is_rejected_as_a_client_error_not_a_crash()
    {
        using var document = JsonDocument.Parse("""{ "NameContains": "abc\ud800" }""");

        var result = RequestBinder.Bind(document.RootElement, Wire.Input("ListTrainingJobs"));

        Assert.False(result.Succeeded);
        Assert.Contains(result.Error!.Code, new[] { ErrorCodes.Serialization, ErrorCodes.Validation });
    }

    [Fact]
    public void Unknown_members_are_dropped_at_every_level()
    {
        var request = Requests.TrainingJob();
        request["SomeFutureMember"] = new JsonObject { ["x"] = 1 };
        request["OutputDataConfig"]!["FutureOption"] = true;
        request["InputDataConfig"]![0]!["FutureChannelOption"] = "x";

        var bound = Wire.Valid("CreateTrainingJob", request);

        Assert.False(bound.ContainsKey("SomeFutureMember"));
        Assert.False(bound["OutputDataConfig"]!.AsObject().ContainsKey("FutureOption"));
        Assert.False(bound["InputDataConfig"]![0]!.AsObject().ContainsKey("FutureChannelOption"));
    }

    [Fact]
    public void Member_names_are_matched_case_sensitively_so_a_differently_cased_member_is_unknown()
    {
        var request = Requests.TrainingJob();
        request.Remove("RoleArn");
        request["roleArn"] = Wire.RoleArn;

        var error = Wire.FailsValidation(Wire.Bind("CreateTrainingJob", request));

        Assert.Equal("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null", error.Message);
    }

    [Fact]
    public void Map_entries_are_kept_with_their_keys()
    {
        var request = Requests.TrainingJob();
        request["HyperParameters"] = new JsonObject { ["eta"] = "0.1", ["max_depth"] = "5" };

        var bound = Wire.Valid("CreateTrainingJob", request);

        Assert.Equal("""{"eta":"0.1","max_depth":"5"}""", bound["HyperParameters"].Json());
    }

    [Theory]
    [InlineData("1714564800", 1714564800.0)]
    [InlineData("1714564800.25", 1714564800.25)]
    [InlineData("\"1714564800\"", 1714564800.0)]
    [InlineData("\"1714564800.5\"", 1714564800.5)]
    [InlineData("\"2024-05-01T12:00:00Z\"", 1714564800.0)]
    [InlineData("\"2024-05-01T12:00:00.250Z\"", 1714564800.25)]
    [InlineData("\"2024-05-01T14:00:00+02:00\"", 1714564800.0)]
    public void Timestamps_are_accepted_as_numbers_numeric_strings_or_iso_8601_and_bound_as_epoch_seconds(string json, double epochSeconds)
    {
        var bound = Wire.Ok(Wire.Bind("ListTrainingJobs", $$"""{ "CreationTimeAfter": {{json}} }"""));

        var value = Assert.IsAssignableFrom<JsonValue>(bound["CreationTimeAfter"]);
        Assert.Equal(JsonValueKind.Number, value.GetValueKind());
        Assert.Equal(epochSeconds, value.GetValue<double>(), precision: 3);
    }

    [Theory]
    [InlineData("\"yesterday\"")]
    [InlineData("true")]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("1e300")]
    public void A_timestamp_that_is_neither_a_number_nor_a_date_is_a_serialization_error(string json)
    {
        var error = Wire.Fails(Wire.Bind("ListTrainingJobs", $$"""{ "CreationTimeAfter": {{json}} }"""));

        Assert.Equal(ErrorCodes.Serialization, error.Code);
    }

    [Fact]
    public void The_bound_value_keeps_the_model_member_order_whatever_order_the_client_sent()
    {
        var request = Wire.Obj($$"""
            {
              "TrainingJobName": "job-1",
              "RoleArn": "{{Wire.RoleArn}}",
              "OutputDataConfig": { "S3OutputPath": "s3://bucket/out", "KmsKeyId": "key", "CompressionType": "NONE" },
              "AlgorithmSpecification": { "TrainingInputMode": "File", "TrainingImage": "{{Wire.Image}}" }
            }
            """);
        var shape = Wire.Input("CreateTrainingJob");

        var bound = Wire.Valid("CreateTrainingJob", request);

        var expected = shape.Members.Select(m => m.Name).Where(bound.ContainsKey).ToList();
        Assert.Equal(expected, bound.Select(p => p.Key).ToList());
        Assert.Equal(["AlgorithmSpecification", "OutputDataConfig", "RoleArn", "TrainingJobName"], bound.Select(p => p.Key).ToList());
        Assert.Equal(["CompressionType", "KmsKeyId", "S3OutputPath"], bound["OutputDataConfig"]!.AsObject().Select(p => p.Key).ToList());
        Assert.Equal(["TrainingImage", "TrainingInputMode"], bound["AlgorithmSpecification"]!.AsObject().Select(p => p.Key).ToList());
    }

    [Fact]
    public void Violation_messages_are_formatted_in_coral_style()
    {
        Assert.Equal("Value 'x' at 'a.b' failed to satisfy constraint: C", RequestBinder.Violation("x", "a.b", "C"));
        Assert.Equal("Value null at 'a' failed to satisfy constraint: C", RequestBinder.Violation(null, "a", "C"));
        Assert.Equal("1 validation error detected: A", RequestBinder.FormatViolations(["A"]));
        Assert.Equal("2 validation errors detected: A; B", RequestBinder.FormatViolations(["A", "B"]));
    }
}
