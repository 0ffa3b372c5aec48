using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Core.Documents;
using ControlPlane.Core.Resources;
using ControlPlane.Core.ServiceModel;
using ControlPlane.Core.Validation;

namespace ControlPlane.Core.Tests;

public class ResourceDocumentsTests
{
    private static JsonObject Training(JsonObject request) => Wire.Ok(ResourceDocuments.TrainingJob(Wire.Valid("CreateTrainingJob", request), Wire.Scope, Wire.Now));

    private static string TrainingFails(JsonObject request) => Wire.FailsValidation(ResourceDocuments.TrainingJob(Wire.Valid("CreateTrainingJob", request), Wire.Scope, Wire.Now)).Message;

    private static JsonObject Processing(JsonObject request) => Wire.Ok(ResourceDocuments.ProcessingJob(Wire.Valid("CreateProcessingJob", request), Wire.Scope, Wire.Now));

    private static string ProcessingFails(JsonObject request) => Wire.FailsValidation(ResourceDocuments.ProcessingJob(Wire.Valid("CreateProcessingJob", request), Wire.Scope, Wire.Now)).Message;

    private static JsonObject Transform(JsonObject request) => Wire.Ok(ResourceDocuments.TransformJob(Wire.Valid("CreateTransformJob", request), Wire.Scope, Wire.Now));

    private static string TransformFails(JsonObject request) => Wire.FailsValidation(ResourceDocuments.TransformJob(Wire.Valid("CreateTransformJob", request), Wire.Scope, Wire.Now)).Message;

    private static JsonObject Model(JsonObject request) => Wire.Ok(ResourceDocuments.Model(Wire.Valid("CreateModel", request), Wire.Scope, Wire.Now));

    private static string ModelFails(JsonObject request) => Wire.FailsValidation(ResourceDocuments.Model(Wire.Valid("CreateModel", request), Wire.Scope, Wire.Now)).Message;

    private static JsonObject Config(JsonObject request) => Wire.Ok(ResourceDocuments.EndpointConfig(Wire.Valid("CreateEndpointConfig", request), Wire.Scope, Wire.Now));

    private static string ConfigFails(JsonObject request) => Wire.FailsValidation(ResourceDocuments.EndpointConfig(Wire.Valid("CreateEndpointConfig", request), Wire.Scope, Wire.Now)).Message;

    private static JsonObject Endpoint(JsonObject configRequest, string name = "my-endpoint") =>
        ResourceDocuments.Endpoint(Wire.Valid("CreateEndpoint", Requests.Endpoint(name, configRequest["EndpointConfigName"].Str())), Config(configRequest), Wire.Scope, Wire.Now);

    /// <summary>
    /// What is stored for the document (its Describable projection) is a valid instance of the Describe output shape:
    /// right types, enums, required members, nothing unknown.
    /// </summary>
    private static void AssertIsA(string describeShape, JsonObject fullDocument)
    {
        var kind = describeShape switch
        {
            "DescribeTrainingJobResponse" => ResourceKind.TrainingJob,
            "DescribeProcessingJobResponse" => ResourceKind.ProcessingJob,
            "DescribeTransformJobResponse" => ResourceKind.TransformJob,
            "DescribeModelOutput" => ResourceKind.Model,
            "DescribeEndpointConfigOutput" => ResourceKind.EndpointConfig,
            _ => ResourceKind.Endpoint,
        };
        var document = ResourceDocuments.Describable(fullDocument, kind);
        Assert.Equal(fullDocument.Select(m => m.Key).Where(k => k != "LastModifiedTime").Order(), document.Select(m => m.Key).Where(k => k != "LastModifiedTime").Order());
        using var parsed = JsonDocument.Parse(document.ToJsonString());
        var bound = RequestBinder.Bind(parsed.RootElement, SageMakerServiceModel.Current.Shape(describeShape));

        Assert.True(bound.Succeeded, $"{describeShape}: {bound.Error}");
        var unknown = new List<string>();
        CollectUnknown(document, bound.Value!, string.Empty, unknown);
        Assert.True(unknown.Count == 0, $"The document has members {describeShape} does not model: {string.Join(", ", unknown)}");
    }

    private static void CollectUnknown(JsonNode? document, JsonNode? bound, string path, List<string> unknown)
    {
        switch (document, bound)
        {
            case (JsonObject d, JsonObject b):
                foreach (var (key, value) in d)
                {
                    if (!b.TryGetPropertyValue(key, out var boundValue))
                    {
                        unknown.Add(path + key);
                    }
                    else
                    {
                        CollectUnknown(value, boundValue, $"{path}{key}.", unknown);
                    }
                }

                break;
            case (JsonArray d, JsonArray b):
                for (var i = 0; i < d.Count; i++)
                {
                    CollectUnknown(d[i], b[i], $"{path}{i + 1}.", unknown);
                }

                break;
        }
    }

    private static JsonObject Variant(string json) => Wire.Obj(json);

    // ---- Training jobs ----

    [Fact]
    public void A_new_training_job_is_in_progress_and_starting()
    {
        var document = Training(Requests.TrainingJob());

        Assert.Equal("InProgress", document["TrainingJobStatus"].Str());
        Assert.Equal("Starting", document["SecondaryStatus"].Str());
        Assert.Equal(Wire.NowSeconds, document["CreationTime"].Dbl());
        Assert.Equal(Wire.NowSeconds, document["LastModifiedTime"].Dbl());
    }

    [Fact]
    public void A_new_training_job_has_one_open_starting_transition_with_its_status_message()
    {
        var document = Training(Requests.TrainingJob());

        var transition = Assert.Single(document["SecondaryStatusTransitions"]!.AsArray())!.AsObject();
        Assert.Equal("Starting", transition["Status"].Str());
        Assert.Equal("Starting the training job", transition["StatusMessage"].Str());
        Assert.Equal(Wire.NowSeconds, transition["StartTime"].Dbl());
        Assert.False(transition.ContainsKey("EndTime"));
    }

    [Fact]
    public void The_training_job_arn_names_the_region_account_and_job()
    {
        var document = Training(Requests.TrainingJob("xgb-2024-05-01"));

        Assert.Equal("arn:aws:sagemaker:us-east-1:123456789012:training-job/xgb-2024-05-01", document["TrainingJobArn"].Str());
        Assert.Equal("xgb-2024-05-01", document["TrainingJobName"].Str());
    }

    [Fact]
    public void A_training_job_without_resource_config_gets_one_instance_with_30_GB()
    {
        var document = Training(Requests.TrainingJob());

        Assert.Equal(1, document["ResourceConfig"]!["InstanceCount"].Int());
        Assert.Equal(30, document["ResourceConfig"]!["VolumeSizeInGB"].Int());
    }

    [Fact]
    public void A_given_resource_config_is_echoed_unchanged()
    {
        var request = Requests.TrainingJob();
        request["ResourceConfig"] = Wire.Obj("""{ "InstanceType": "ml.m5.xlarge", "InstanceCount": 2, "VolumeSizeInGB": 50 }""");

        var document = Training(request);

        Assert.Equal("ml.m5.xlarge", document["ResourceConfig"]!["InstanceType"].Str());
        Assert.Equal(2, document["ResourceConfig"]!["InstanceCount"].Int());
        Assert.Equal(50, document["ResourceConfig"]!["VolumeSizeInGB"].Int());
    }

    [Fact]
    public void A_training_job_without_stopping_condition_may_run_for_one_day()
    {
        var document = Training(Requests.TrainingJob());

        Assert.Equal(86400, document["StoppingCondition"]!["MaxRuntimeInSeconds"].Int());
    }

    [Fact]
    public void A_given_max_runtime_is_kept()
    {
        var request = Requests.TrainingJob();
        request["StoppingCondition"] = new JsonObject { ["MaxRuntimeInSeconds"] = 3600 };

        Assert.Equal(3600, Training(request)["StoppingCondition"]!["MaxRuntimeInSeconds"].Int());
    }

    [Fact]
    public void The_output_kms_key_is_an_empty_string_when_none_was_given()
    {
        var document = Training(Requests.TrainingJob());

        Assert.Equal(string.Empty, document["OutputDataConfig"]!["KmsKeyId"].Str());
    }

    [Fact]
    public void A_given_output_kms_key_is_kept()
    {
        var request = Requests.TrainingJob();
        request["OutputDataConfig"]!["KmsKeyId"] = "alias/my-key";

        Assert.Equal("alias/my-key", Training(request)["OutputDataConfig"]!["KmsKeyId"].Str());
    }

    [Theory]
    [InlineData("s3://bucket/output")]
    [InlineData("s3://bucket/output/")]
    public void Model_artifacts_are_under_the_output_path_job_name_and_output_folder(string outputPath)
    {
        var request = Requests.TrainingJob("xgb-1");
        request["OutputDataConfig"]!["S3OutputPath"] = outputPath;

        var document = Training(request);

        Assert.Equal("s3://bucket/output/xgb-1/output/model.tar.gz", document["ModelArtifacts"]!["S3ModelArtifacts"].Str());
        Assert.Equal(outputPath, document["OutputDataConfig"]!["S3OutputPath"].Str());
    }

    [Fact]
    public void Channels_get_sagemakers_defaults()
    {
        var channel = Training(Requests.TrainingJob())["InputDataConfig"]![0]!.AsObject();

        Assert.Equal("None", channel["CompressionType"].Str());
        Assert.Equal("None", channel["RecordWrapperType"].Str());
        Assert.Equal("FullyReplicated", channel["DataSource"]!["S3DataSource"]!["S3DataDistributionType"].Str());
    }

    [Fact]
    public void Given_channel_settings_are_not_overwritten_by_defaults()
    {
        var request = Requests.TrainingJob();
        request["InputDataConfig"] = new JsonArray(Wire.Obj("""
            { "ChannelName": "train", "CompressionType": "Gzip", "RecordWrapperType": "RecordIO", "InputMode": "Pipe",
              "DataSource": { "S3DataSource": { "S3DataType": "S3Prefix", "S3Uri": "s3://b/t/", "S3DataDistributionType": "ShardedByS3Key" } } }
            """));

        var channel = Training(request)["InputDataConfig"]![0]!.AsObject();

        Assert.Equal("Gzip", channel["CompressionType"].Str());
        Assert.Equal("RecordIO", channel["RecordWrapperType"].Str());
        Assert.Equal("ShardedByS3Key", channel["DataSource"]!["S3DataSource"]!["S3DataDistributionType"].Str());
    }

    [Fact]
    public void The_training_job_echoes_its_request()
    {
        var request = Requests.TrainingJob();
        request["HyperParameters"] = new JsonObject { ["eta"] = "0.1" };

        var document = Training(request);

        Assert.Equal(Wire.RoleArn, document["RoleArn"].Str());
        Assert.Equal("0.1", document["HyperParameters"]!["eta"].Str());
        Assert.Equal(Wire.Image, document["AlgorithmSpecification"]!["TrainingImage"].Str());
        Assert.Equal("File", document["AlgorithmSpecification"]!["TrainingInputMode"].Str());
        Assert.False(document["EnableNetworkIsolation"].Bool());
        Assert.False(document["EnableManagedSpotTraining"].Bool());
    }

    [Fact]
    public void Tags_are_not_part_of_the_training_job_document()
    {
        var request = Requests.TrainingJob();
        request["Tags"] = Wire.Obj("""{ "t": [ { "Key": "team", "Value": "ml" } ] }""")["t"]!.DeepClone();

        Assert.False(Training(request).ContainsKey("Tags"));
    }

    [Fact]
    public void The_training_job_document_is_a_valid_describe_training_job_response()
    {
        var request = Requests.TrainingJob();
        request["Tags"] = new JsonArray(new JsonObject { ["Key"] = "team", ["Value"] = "ml" });

        AssertIsA("DescribeTrainingJobResponse", Training(request));
    }

    [Fact]
    public void A_training_job_with_both_a_training_image_and_an_algorithm_name_is_rejected()
    {
        var request = Requests.TrainingJob();
        request["AlgorithmSpecification"]!["AlgorithmName"] = "my-algo";

        Assert.Contains("TrainingImage", TrainingFails(request), StringComparison.Ordinal);
    }

    [Fact]
    public void A_training_job_with_neither_a_training_image_nor_an_algorithm_name_is_rejected()
    {
        var request = Requests.TrainingJob();
        request["AlgorithmSpecification"]!.AsObject().Remove("TrainingImage");

        Assert.Contains("AlgorithmName", TrainingFails(request), StringComparison.Ordinal);
    }

    [Fact]
    public void A_training_job_with_only_an_algorithm_name_is_accepted()
    {
        var request = Requests.TrainingJob();
        request["AlgorithmSpecification"] = Wire.Obj("""{ "AlgorithmName": "arn:aws:sagemaker:us-east-1:123456789012:algorithm/my-algo", "TrainingInputMode": "File" }""");

        Assert.Equal("InProgress", Training(request)["TrainingJobStatus"].Str());
    }

    [Fact]
    public void A_training_job_without_an_algorithm_specification_is_rejected_as_a_null_member()
    {
        var request = Requests.TrainingJob();
        request.Remove("AlgorithmSpecification");

        Assert.Equal("1 validation error detected: Value null at 'algorithmSpecification' failed to satisfy constraint: Member must not be null", TrainingFails(request));
    }

    [Fact]
    public void Two_channels_with_the_same_name_are_rejected()
    {
        var request = Requests.TrainingJob();
        request["InputDataConfig"]!.AsArray().Add(request["InputDataConfig"]![0]!.DeepClone());

        Assert.Contains("'train'", TrainingFails(request), StringComparison.Ordinal);
    }

    // ---- Processing jobs ----

    [Fact]
    public void A_new_processing_job_is_in_progress_with_defaults()
    {
        var document = Processing(Requests.ProcessingJob("prep-1"));

        Assert.Equal("InProgress", document["ProcessingJobStatus"].Str());
        Assert.Equal("arn:aws:sagemaker:us-east-1:123456789012:processing-job/prep-1", document["ProcessingJobArn"].Str());
        Assert.Equal(86400, document["StoppingCondition"]!["MaxRuntimeInSeconds"].Int());
        var input = document["ProcessingInputs"]![0]!;
        Assert.False(input["AppManaged"].Bool());
        Assert.Equal("File", input["S3Input"]!["S3InputMode"].Str());
        Assert.Equal("FullyReplicated", input["S3Input"]!["S3DataDistributionType"].Str());
        Assert.Equal("None", input["S3Input"]!["S3CompressionType"].Str());
        Assert.False(document["ProcessingOutputConfig"]!["Outputs"]![0]!["AppManaged"].Bool());
        Assert.False(document.ContainsKey("SecondaryStatus"));
    }

    [Fact]
    public void The_processing_job_document_is_a_valid_describe_processing_job_response()
    {
        AssertIsA("DescribeProcessingJobResponse", Processing(Requests.ProcessingJob()));
    }

    [Theory]
    [InlineData("/tmp/input")]
    [InlineData("/opt/ml/input")]
    [InlineData("/opt/ml/processing")]
    [InlineData("/opt/ml/processingx/input")]
    [InlineData("opt/ml/processing/input")]
    [InlineData("/opt/ml/processing/../../../etc")]
    [InlineData("/opt/ml/processing/input/../../code")]
    public void A_processing_input_local_path_outside_opt_ml_processing_is_rejected(string localPath)
    {
        var request = Requests.ProcessingJob();
        request["ProcessingInputs"]![0]!["S3Input"]!["LocalPath"] = localPath;

        Assert.Contains(localPath, ProcessingFails(request), StringComparison.Ordinal);
    }

    [Fact]
    public void A_processing_output_local_path_outside_opt_ml_processing_is_rejected()
    {
        var request = Requests.ProcessingJob();
        request["ProcessingOutputConfig"]!["Outputs"]![0]!["S3Output"]!["LocalPath"] = "/opt/ml/model";

        Assert.Contains("/opt/ml/model", ProcessingFails(request), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/opt/ml/processing/input")]
    [InlineData("/opt/ml/processing/input/")]
    public void Two_processing_inputs_with_the_same_local_path_are_rejected(string secondPath)
    {
        var request = Requests.ProcessingJob();
        request["ProcessingInputs"]!.AsArray().Add(Wire.Obj($$"""
            { "InputName": "code", "S3Input": { "S3Uri": "s3://bucket/code/", "LocalPath": "{{secondPath}}", "S3DataType": "S3Prefix" } }
            """));

        Assert.Contains("LocalPath", ProcessingFails(request), StringComparison.Ordinal);
    }

    [Fact]
    public void Two_processing_inputs_with_distinct_local_paths_are_accepted()
    {
        var request = Requests.ProcessingJob();
        request["ProcessingInputs"]!.AsArray().Add(Wire.Obj("""
            { "InputName": "code", "S3Input": { "S3Uri": "s3://bucket/code/", "LocalPath": "/opt/ml/processing/input/code", "S3DataType": "S3Prefix" } }
            """));

        Assert.Equal(2, Processing(request)["ProcessingInputs"]!.AsArray().Count);
    }

    [Fact]
    public void A_processing_input_without_a_local_path_is_rejected_unless_app_managed()
    {
        var request = Requests.ProcessingJob();
        request["ProcessingInputs"]![0]!["S3Input"]!.AsObject().Remove("LocalPath");

        Assert.Contains("LocalPath", ProcessingFails(request), StringComparison.Ordinal);

        request["ProcessingInputs"]![0]!["AppManaged"] = true;
        Assert.True(Processing(request)["ProcessingInputs"]![0]!["AppManaged"].Bool());
    }

    [Fact]
    public void A_processing_output_without_a_local_path_is_rejected_unless_app_managed()
    {
        var request = Requests.ProcessingJob();
        request["ProcessingOutputConfig"]!["Outputs"]![0]!["S3Output"]!.AsObject().Remove("LocalPath");

        Assert.Contains("LocalPath", ProcessingFails(request), StringComparison.Ordinal);

        request["ProcessingOutputConfig"]!["Outputs"]![0]!["AppManaged"] = true;
        Assert.Equal("InProgress", Processing(request)["ProcessingJobStatus"].Str());
    }

    [Fact]
    public void A_dataset_definition_input_without_a_local_path_is_rejected_unless_app_managed()
    {
        // The model documents DatasetDefinition.LocalPath as "a required parameter when AppManaged is False (default)".
        var request = Requests.ProcessingJob();
        request["ProcessingInputs"] = new JsonArray(Wire.Obj("""
            { "InputName": "athena",
              "DatasetDefinition": { "AthenaDatasetDefinition": { "Catalog": "AwsDataCatalog", "Database": "db", "QueryString": "SELECT 1",
                                                                  "OutputS3Uri": "s3://bucket/athena/", "OutputFormat": "PARQUET" } } }
            """));

        Assert.Contains("LocalPath", ProcessingFails(request), StringComparison.Ordinal);

        request["ProcessingInputs"]![0]!["DatasetDefinition"]!["LocalPath"] = "/opt/ml/processing/athena";
        Assert.Equal("InProgress", Processing(request)["ProcessingJobStatus"].Str());
    }

    [Fact]
    public void A_dataset_definition_local_path_outside_opt_ml_processing_is_rejected()
    {
        var request = Requests.ProcessingJob();
        request["ProcessingInputs"] = new JsonArray(Wire.Obj("""
            { "InputName": "athena",
              "DatasetDefinition": { "LocalPath": "/data/athena",
                                     "AthenaDatasetDefinition": { "Catalog": "AwsDataCatalog", "Database": "db", "QueryString": "SELECT 1",
                                                                  "OutputS3Uri": "s3://bucket/athena/", "OutputFormat": "PARQUET" } } }
            """));

        Assert.Contains("/data/athena", ProcessingFails(request), StringComparison.Ordinal);
    }

    [Fact]
    public void Two_processing_inputs_with_the_same_name_are_rejected()
    {
        var request = Requests.ProcessingJob();
        request["ProcessingInputs"]!.AsArray().Add(Wire.Obj("""
            { "InputName": "raw", "S3Input": { "S3Uri": "s3://bucket/other/", "LocalPath": "/opt/ml/processing/other", "S3DataType": "S3Prefix" } }
            """));

        Assert.Contains("'raw'", ProcessingFails(request), StringComparison.Ordinal);
    }

    // ---- Transform jobs ----

    [Fact]
    public void A_new_transform_job_is_in_progress_with_sagemakers_defaults()
    {
        var document = Transform(Requests.TransformJob("batch-1"));

        Assert.Equal("InProgress", document["TransformJobStatus"].Str());
        Assert.Equal("arn:aws:sagemaker:us-east-1:123456789012:transform-job/batch-1", document["TransformJobArn"].Str());
        Assert.Equal(6, document["MaxPayloadInMB"].Int());
        Assert.Equal(600, document["ModelClientConfig"]!["InvocationsTimeoutInSeconds"].Int());
        Assert.Equal(3, document["ModelClientConfig"]!["InvocationsMaxRetries"].Int());
        Assert.Equal("None", document["TransformInput"]!["CompressionType"].Str());
        Assert.Equal("None", document["TransformInput"]!["SplitType"].Str());
        Assert.Equal("text/csv", document["TransformInput"]!["ContentType"].Str());
        Assert.Equal("None", document["TransformOutput"]!["AssembleWith"].Str());
    }

    [Fact]
    public void A_transform_job_without_data_processing_filters_nothing_and_joins_nothing()
    {
        // Contract 3.6: InputFilter and OutputFilter default to "$", JoinSource to None; Describe echoes them.
        var document = Transform(Requests.TransformJob());

        var processing = Assert.IsType<JsonObject>(document["DataProcessing"]);
        Assert.Equal("$", processing["InputFilter"].Str());
        Assert.Equal("$", processing["OutputFilter"].Str());
        Assert.Equal("None", processing["JoinSource"].Str());
    }

    [Fact]
    public void Given_transform_settings_are_kept()
    {
        var request = Requests.TransformJob();
        request["MaxPayloadInMB"] = 20;
        request["MaxConcurrentTransforms"] = 5;
        request["ModelClientConfig"] = Wire.Obj("""{ "InvocationsTimeoutInSeconds": 60, "InvocationsMaxRetries": 0 }""");
        request["TransformInput"]!["SplitType"] = "Line";
        request["TransformOutput"]!["AssembleWith"] = "Line";

        var document = Transform(request);

        Assert.Equal(20, document["MaxPayloadInMB"].Int());
        Assert.Equal(5, document["MaxConcurrentTransforms"].Int());
        Assert.Equal(60, document["ModelClientConfig"]!["InvocationsTimeoutInSeconds"].Int());
        Assert.Equal(0, document["ModelClientConfig"]!["InvocationsMaxRetries"].Int());
        Assert.Equal("Line", document["TransformInput"]!["SplitType"].Str());
        Assert.Equal("Line", document["TransformOutput"]!["AssembleWith"].Str());
    }

    [Theory]
    [InlineData("$..deep", "None", "text/csv", "Line", "The JSONPath expression '$..deep' is not supported")]
    [InlineData("$[1:]", "None", "application/x-recordio-protobuf", "Line", "DataProcessing filters and JoinSource need TransformInput.ContentType")]
    [InlineData("$", "Input", "text/csv", "None", "JoinSource Input with text/csv input needs TransformInput.SplitType Line and TransformOutput.AssembleWith Line.")]
    public void DataProcessing_that_cannot_work_is_refused_at_create(string inputFilter, string joinSource, string contentType, string assembleWith, string message)
    {
        var request = Requests.TransformJob();
        request["DataProcessing"] = new JsonObject { ["InputFilter"] = inputFilter, ["JoinSource"] = joinSource };
        request["TransformInput"]!["ContentType"] = contentType;
        request["TransformInput"]!["SplitType"] = "Line";
        request["TransformOutput"]!["AssembleWith"] = assembleWith;

        Assert.StartsWith(message, TransformFails(request), StringComparison.Ordinal);
    }

    [Fact]
    public void A_csv_join_split_and_assembled_by_line_is_accepted()
    {
        var request = Requests.TransformJob();
        request["DataProcessing"] = new JsonObject { ["InputFilter"] = "$[1:]", ["OutputFilter"] = "$[0,-1]", ["JoinSource"] = "Input" };
        request["TransformInput"]!["ContentType"] = "text/csv";
        request["TransformInput"]!["SplitType"] = "Line";
        request["TransformOutput"]!["AssembleWith"] = "Line";

        Assert.Equal("Input", Transform(request)["DataProcessing"]!["JoinSource"].Str());
    }

    [Fact]
    public void The_transform_job_document_is_a_valid_describe_transform_job_response()
    {
        AssertIsA("DescribeTransformJobResponse", Transform(Requests.TransformJob()));
    }

    [Fact]
    public void A_max_payload_over_100_MB_is_rejected()
    {
        var request = Requests.TransformJob();
        request["MaxPayloadInMB"] = 101;

        Assert.Equal(
            "1 validation error detected: Value '101' at 'maxPayloadInMB' failed to satisfy constraint: Member must have value less than or equal to 100",
            TransformFails(request));
    }

    [Theory]
    [InlineData(4, 30)]
    [InlineData(2, 51)]
    [InlineData(101, 1)]
    public void Concurrent_transforms_times_max_payload_over_100_MB_is_rejected(int concurrency, int payload)
    {
        var request = Requests.TransformJob();
        request["MaxConcurrentTransforms"] = concurrency;
        request["MaxPayloadInMB"] = payload;

        Assert.Contains("100", TransformFails(request), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4, 25)]
    [InlineData(1, 100)]
    [InlineData(100, 1)]
    [InlineData(50, 0)]
    [InlineData(0, 100)]
    public void Concurrent_transforms_times_max_payload_up_to_100_MB_is_accepted(int concurrency, int payload)
    {
        var request = Requests.TransformJob();
        request["MaxConcurrentTransforms"] = concurrency;
        request["MaxPayloadInMB"] = payload;

        Assert.Equal(payload, Transform(request)["MaxPayloadInMB"].Int());
    }

    [Fact]
    public void A_max_payload_of_100_MB_without_concurrency_is_accepted()
    {
        var request = Requests.TransformJob();
        request["MaxPayloadInMB"] = 100;

        Assert.Equal(100, Transform(request)["MaxPayloadInMB"].Int());
    }

    // ---- Models ----

    [Fact]
    public void A_model_arn_lower_cases_the_name_but_the_document_keeps_it()
    {
        var document = Model(Requests.Model("My-XGBoost-Model"));

        Assert.Equal("arn:aws:sagemaker:us-east-1:123456789012:model/my-xgboost-model", document["ModelArn"].Str());
        Assert.Equal("My-XGBoost-Model", document["ModelName"].Str());
        Assert.Equal(Wire.NowSeconds, document["CreationTime"].Dbl());
        Assert.False(ResourceDocuments.Describable(document, ResourceKind.Model).ContainsKey("LastModifiedTime"));
    }

    [Fact]
    public void A_container_mode_defaults_to_single_model()
    {
        var document = Model(Requests.Model());

        Assert.Equal("SingleModel", document["PrimaryContainer"]!["Mode"].Str());
        Assert.Equal(Wire.Image, document["PrimaryContainer"]!["Image"].Str());
        Assert.False(document["EnableNetworkIsolation"].Bool());
    }

    [Fact]
    public void A_multi_model_container_keeps_its_mode()
    {
        var request = Requests.Model();
        request["PrimaryContainer"]!["Mode"] = "MultiModel";

        Assert.Equal("MultiModel", Model(request)["PrimaryContainer"]!["Mode"].Str());
    }

    [Fact]
    public void Every_container_of_an_inference_pipeline_defaults_to_single_model()
    {
        var request = Requests.Model();
        var container = request["PrimaryContainer"]!;
        request.Remove("PrimaryContainer");
        request["Containers"] = new JsonArray(container.DeepClone(), container.DeepClone());
        request["Containers"]![1]!["Mode"] = "MultiModel";

        var document = Model(request);

        Assert.Equal("SingleModel", document["Containers"]![0]!["Mode"].Str());
        Assert.Equal("MultiModel", document["Containers"]![1]!["Mode"].Str());
        Assert.False(document.ContainsKey("PrimaryContainer"));
    }

    [Fact]
    public void A_model_with_both_a_primary_container_and_containers_is_rejected()
    {
        var request = Requests.Model();
        request["Containers"] = new JsonArray(request["PrimaryContainer"]!.DeepClone());

        Assert.Contains("PrimaryContainer", ModelFails(request), StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_with_neither_a_primary_container_nor_containers_is_rejected()
    {
        var request = Requests.Model();
        request.Remove("PrimaryContainer");

        Assert.Contains("PrimaryContainer", ModelFails(request), StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_with_an_empty_container_list_is_rejected()
    {
        var request = Requests.Model();
        request.Remove("PrimaryContainer");
        request["Containers"] = new JsonArray();

        Assert.StartsWith("1 validation error detected: ", ModelFails(request), StringComparison.Ordinal);
    }

    [Fact]
    public void A_container_without_an_image_or_model_package_is_rejected()
    {
        var request = Requests.Model();
        request["PrimaryContainer"] = Wire.Obj("""{ "ModelDataUrl": "s3://bucket/model.tar.gz" }""");

        Assert.Contains("Image", ModelFails(request), StringComparison.Ordinal);
    }

    [Fact]
    public void Tags_are_not_part_of_the_model_document_and_it_is_a_valid_describe_model_output()
    {
        var request = Requests.Model();
        request["Tags"] = new JsonArray(new JsonObject { ["Key"] = "team", ["Value"] = "ml" });

        var document = Model(request);

        Assert.False(document.ContainsKey("Tags"));
        AssertIsA("DescribeModelOutput", document);
    }

    // ---- Endpoint configurations ----

    [Fact]
    public void A_variant_weight_defaults_to_one()
    {
        var document = Config(Requests.EndpointConfig());

        Assert.Equal(1.0, document["ProductionVariants"]![0]!["InitialVariantWeight"].Dbl());
    }

    [Fact]
    public void A_given_variant_weight_is_kept()
    {
        var request = Requests.EndpointConfig();
        request["ProductionVariants"]![0]!["InitialVariantWeight"] = 0.25;

        Assert.Equal(0.25, Config(request)["ProductionVariants"]![0]!["InitialVariantWeight"].Dbl());
    }

    [Fact]
    public void An_endpoint_config_arn_lower_cases_the_name()
    {
        var document = Config(Requests.EndpointConfig("My-Config"));

        Assert.Equal("arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/my-config", document["EndpointConfigArn"].Str());
        Assert.Equal("My-Config", document["EndpointConfigName"].Str());
        Assert.False(ResourceDocuments.Describable(document, ResourceKind.EndpointConfig).ContainsKey("LastModifiedTime"));
    }

    [Fact]
    public void The_endpoint_config_document_is_a_valid_describe_endpoint_config_output()
    {
        var request = Requests.EndpointConfig();
        request["Tags"] = new JsonArray(new JsonObject { ["Key"] = "team", ["Value"] = "ml" });

        var document = Config(request);

        Assert.False(document.ContainsKey("Tags"));
        AssertIsA("DescribeEndpointConfigOutput", document);
    }

    [Fact]
    public void A_variant_without_a_model_name_is_rejected()
    {
        var request = Requests.EndpointConfig();
        request["ProductionVariants"]![0]!.AsObject().Remove("ModelName");

        Assert.Contains("AllTraffic", ConfigFails(request), StringComparison.Ordinal);
    }

    [Fact]
    public void Two_variants_with_the_same_name_are_rejected()
    {
        var request = Requests.EndpointConfig();
        request["ProductionVariants"]!.AsArray().Add(request["ProductionVariants"]![0]!.DeepClone());

        Assert.Contains("'AllTraffic'", ConfigFails(request), StringComparison.Ordinal);
    }

    [Fact]
    public void A_variant_with_neither_instances_nor_serverless_config_is_rejected()
    {
        var request = Requests.EndpointConfig();
        request["ProductionVariants"] = new JsonArray(Variant("""{ "VariantName": "AllTraffic", "ModelName": "my-model" }"""));

        Assert.Contains("ServerlessConfig", ConfigFails(request), StringComparison.Ordinal);
    }

    [Fact]
    public void A_variant_with_both_instances_and_serverless_config_is_rejected()
    {
        var request = Requests.EndpointConfig();
        request["ProductionVariants"]![0]!["ServerlessConfig"] = Wire.Obj("""{ "MemorySizeInMB": 2048, "MaxConcurrency": 5 }""");

        Assert.Contains("ServerlessConfig", ConfigFails(request), StringComparison.Ordinal);
    }

    [Fact]
    public void A_variant_with_an_instance_type_but_no_instance_count_is_rejected()
    {
        var request = Requests.EndpointConfig();
        request["ProductionVariants"]![0]!.AsObject().Remove("InitialInstanceCount");

        Assert.Contains("InitialInstanceCount", ConfigFails(request), StringComparison.Ordinal);
    }

    [Fact]
    public void A_serverless_variant_is_accepted()
    {
        var request = Requests.EndpointConfig();
        request["ProductionVariants"] = new JsonArray(Variant("""
            { "VariantName": "AllTraffic", "ModelName": "my-model", "ServerlessConfig": { "MemorySizeInMB": 2048, "MaxConcurrency": 5 } }
            """));

        var document = Config(request);

        Assert.Equal(2048, document["ProductionVariants"]![0]!["ServerlessConfig"]!["MemorySizeInMB"].Int());
    }

    [Fact]
    public void The_models_an_endpoint_config_uses_are_listed_once_each()
    {
        var request = Requests.EndpointConfig();
        request["ProductionVariants"]!.AsArray().Add(Variant("""{ "VariantName": "B", "ModelName": "my-model", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1 }"""));
        request["ProductionVariants"]!.AsArray().Add(Variant("""{ "VariantName": "C", "ModelName": "other-model", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1 }"""));

        Assert.Equal(["my-model", "other-model"], ResourceDocuments.ReferencedModels(Config(request)));
    }

    // ---- Endpoints ----

    [Fact]
    public void A_new_endpoint_is_creating_with_its_configuration()
    {
        var document = Endpoint(Requests.EndpointConfig("my-config"), "My-Endpoint");

        Assert.Equal("Creating", document["EndpointStatus"].Str());
        Assert.Equal("my-config", document["EndpointConfigName"].Str());
        Assert.Equal("My-Endpoint", document["EndpointName"].Str());
        Assert.Equal("arn:aws:sagemaker:us-east-1:123456789012:endpoint/my-endpoint", document["EndpointArn"].Str());
        Assert.Equal(Wire.NowSeconds, document["CreationTime"].Dbl());
        Assert.Equal(Wire.NowSeconds, document["LastModifiedTime"].Dbl());
    }

    [Fact]
    public void A_new_endpoint_summarises_each_variant_at_its_desired_weight_and_count()
    {
        var config = Requests.EndpointConfig();
        config["ProductionVariants"]!.AsArray().Add(Variant("""
            { "VariantName": "Canary", "ModelName": "my-model", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1, "InitialVariantWeight": 0.1 }
            """));

        var variants = Endpoint(config)["ProductionVariants"]!.AsArray();

        Assert.Equal(2, variants.Count);
        Assert.Equal("AllTraffic", variants[0]!["VariantName"].Str());
        Assert.Equal(1.0, variants[0]!["DesiredWeight"].Dbl());
        Assert.Equal(2, variants[0]!["DesiredInstanceCount"].Int());
        Assert.Equal("Canary", variants[1]!["VariantName"].Str());
        Assert.Equal(0.1, variants[1]!["DesiredWeight"].Dbl(), precision: 6);
        Assert.Equal(1, variants[1]!["DesiredInstanceCount"].Int());
        var status = Assert.Single(variants[0]!["VariantStatus"]!.AsArray())!;
        Assert.Equal("Creating", status["Status"].Str());
        Assert.Equal(Wire.NowSeconds, status["StartTime"].Dbl());
    }

    [Fact]
    public void A_serverless_variant_summary_carries_the_desired_serverless_config()
    {
        var config = Requests.EndpointConfig();
        config["ProductionVariants"] = new JsonArray(Variant("""
            { "VariantName": "AllTraffic", "ModelName": "my-model", "ServerlessConfig": { "MemorySizeInMB": 2048, "MaxConcurrency": 5 } }
            """));

        var variant = Endpoint(config)["ProductionVariants"]![0]!.AsObject();

        Assert.Equal(2048, variant["DesiredServerlessConfig"]!["MemorySizeInMB"].Int());
        Assert.Equal(5, variant["DesiredServerlessConfig"]!["MaxConcurrency"].Int());
        Assert.False(variant.ContainsKey("DesiredInstanceCount"));
    }

    [Fact]
    public void A_data_capture_config_becomes_a_started_capture_summary()
    {
        var config = Requests.EndpointConfig();
        config["DataCaptureConfig"] = Wire.Obj("""
            { "InitialSamplingPercentage": 20, "DestinationS3Uri": "s3://bucket/capture", "CaptureOptions": [ { "CaptureMode": "Input" } ] }
            """);

        var capture = Endpoint(config)["DataCaptureConfig"]!.AsObject();

        Assert.True(capture["EnableCapture"].Bool());
        Assert.Equal("Started", capture["CaptureStatus"].Str());
        Assert.Equal(20, capture["CurrentSamplingPercentage"].Int());
        Assert.Equal("s3://bucket/capture", capture["DestinationS3Uri"].Str());
        Assert.Equal(string.Empty, capture["KmsKeyId"].Str());
    }

    [Fact]
    public void A_disabled_data_capture_is_summarised_as_stopped()
    {
        var config = Requests.EndpointConfig();
        config["DataCaptureConfig"] = Wire.Obj("""
            { "EnableCapture": false, "InitialSamplingPercentage": 100, "DestinationS3Uri": "s3://bucket/capture", "KmsKeyId": "alias/k",
              "CaptureOptions": [ { "CaptureMode": "Input" }, { "CaptureMode": "Output" } ] }
            """);

        var capture = Endpoint(config)["DataCaptureConfig"]!.AsObject();

        Assert.False(capture["EnableCapture"].Bool());
        Assert.Equal("Stopped", capture["CaptureStatus"].Str());
        Assert.Equal("alias/k", capture["KmsKeyId"].Str());
    }

    [Fact]
    public void An_endpoint_without_data_capture_has_no_capture_summary()
    {
        Assert.False(Endpoint(Requests.EndpointConfig()).ContainsKey("DataCaptureConfig"));
    }

    [Fact]
    public void The_endpoint_document_is_a_valid_describe_endpoint_output()
    {
        var config = Requests.EndpointConfig();
        config["DataCaptureConfig"] = Wire.Obj("""
            { "InitialSamplingPercentage": 20, "DestinationS3Uri": "s3://bucket/capture", "CaptureOptions": [ { "CaptureMode": "Input" } ] }
            """);
        config["AsyncInferenceConfig"] = Wire.Obj("""{ "OutputConfig": { "S3OutputPath": "s3://bucket/async" } }""");
        var endpoint = Requests.Endpoint();
        endpoint["Tags"] = new JsonArray(new JsonObject { ["Key"] = "team", ["Value"] = "ml" });

        var document = ResourceDocuments.Endpoint(Wire.Valid("CreateEndpoint", endpoint), Config(config), Wire.Scope, Wire.Now);

        Assert.False(document.ContainsKey("Tags"));
        Assert.Equal("s3://bucket/async", document["AsyncInferenceConfig"]!["OutputConfig"]!["S3OutputPath"].Str());
        AssertIsA("DescribeEndpointOutput", document);
    }

    [Fact]
    public void An_endpoint_can_be_built_from_a_stored_and_reloaded_configuration()
    {
        var stored = JsonNode.Parse(Config(Requests.EndpointConfig()).ToJsonString())!.AsObject();

        var document = ResourceDocuments.Endpoint(Wire.Valid("CreateEndpoint", Requests.Endpoint()), stored, Wire.Scope, Wire.Now);

        Assert.Equal(1.0, document["ProductionVariants"]![0]!["DesiredWeight"].Dbl());
        Assert.Equal(2, document["ProductionVariants"]![0]!["DesiredInstanceCount"].Int());
    }
}
