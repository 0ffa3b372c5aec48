"""The error codes and messages botocore's waiters, the SageMaker Python SDK and users' code match on.

usage: python3 boto3_errors.py <service-url>
"""

import json
import sys
import urllib.error
import urllib.request

sys.dont_write_bytecode = True

from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from botocore.exceptions import ClientError, WaiterError  # noqa: E402

from wirecheck import (  # noqa: E402
    Checks,
    arn,
    client,
    client_error,
    contains,
    endpoint_config_request,
    eq,
    fail,
    model_request,
    now,
    processing_job_request,
    training_job_request,
    transform_job_request,
    true,
    uid,
)

check = Checks()
RUN = uid()
JOB_NAME_PATTERN = "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"


@check
def client_error_carries_code_message_request_id_and_status(url):
    sm = client(url)
    error = client_error(sm.describe_training_job, "ValidationException", message="Requested resource not found.",
                         what="DescribeTrainingJob of an unknown name", TrainingJobName="missing-" + RUN)
    metadata = error.response["ResponseMetadata"]
    eq(metadata["HTTPHeaders"].get("x-amzn-requestid"), metadata["RequestId"], "x-amzn-RequestId header vs RequestId")
    text = str(error)
    true(text.startswith("An error occurred (ValidationException) when calling the DescribeTrainingJob operation")
         and text.endswith(": Requested resource not found."), "str(ClientError) is %r" % text)
    second = client_error(sm.describe_training_job, "ValidationException", what="second call", TrainingJobName="missing-" + RUN)
    true(second.response["ResponseMetadata"]["RequestId"] != metadata["RequestId"], "request ids must differ between requests")


@check
def describe_of_unknown_resources_is_validation_exception_with_sagemaker_text(url):
    sm = client(url)
    name = "Missing-" + RUN
    client_error(sm.describe_model, "ValidationException", message='Could not find model "%s".' % arn("model", name),
                 what="DescribeModel", ModelName=name)
    client_error(sm.describe_endpoint_config, "ValidationException",
                 message='Could not find endpoint configuration "%s".' % arn("endpoint-config", name),
                 what="DescribeEndpointConfig", EndpointConfigName=name)
    client_error(sm.describe_endpoint, "ValidationException", message='Could not find endpoint "%s".' % arn("endpoint", name),
                 what="DescribeEndpoint", EndpointName=name)
    client_error(sm.describe_processing_job, "ValidationException", message_contains="Could not find",
                 what="DescribeProcessingJob", ProcessingJobName=name)
    client_error(sm.describe_transform_job, "ValidationException", message_contains="Could not find",
                 what="DescribeTransformJob", TransformJobName=name)


@check
def delete_and_stop_of_unknown_resources_is_validation_exception(url):
    sm = client(url)
    name = "gone-" + RUN
    client_error(sm.delete_model, "ValidationException", message='Could not find model "%s".' % arn("model", name),
                 what="DeleteModel", ModelName=name)
    client_error(sm.delete_endpoint_config, "ValidationException",
                 message='Could not find endpoint configuration "%s".' % arn("endpoint-config", name),
                 what="DeleteEndpointConfig", EndpointConfigName=name)
    client_error(sm.delete_endpoint, "ValidationException", message='Could not find endpoint "%s".' % arn("endpoint", name),
                 what="DeleteEndpoint", EndpointName=name)
    client_error(sm.stop_training_job, "ValidationException", what="StopTrainingJob", TrainingJobName=name)
    client_error(sm.stop_processing_job, "ValidationException", what="StopProcessingJob", ProcessingJobName=name)
    client_error(sm.stop_transform_job, "ValidationException", what="StopTransformJob", TransformJobName=name)


@check
def python_sdk_deployment_entity_exists_logic(url):
    """sagemaker/session.py _deployment_entity_exists: ValidationException + "Could not find" means it does not exist."""
    sm = client(url)

    def exists(describe):
        try:
            describe()
            return True
        except ClientError as e:
            error = e.response["Error"]
            if error["Code"] == "ValidationException" and "Could not find" in error["Message"]:
                return False
            raise

    model = "sdk-model-" + RUN
    eq(exists(lambda: sm.describe_model(ModelName=model)), False, "model exists before creation")
    sm.create_model(**model_request(model))
    eq(exists(lambda: sm.describe_model(ModelName=model)), True, "model exists after creation")
    eq(exists(lambda: sm.describe_endpoint_config(EndpointConfigName="sdk-config-" + RUN)), False, "endpoint config exists")
    eq(exists(lambda: sm.describe_endpoint(EndpointName="sdk-endpoint-" + RUN)), False, "endpoint exists")


@check
def duplicate_jobs_are_resource_in_use(url):
    sm = client(url)
    training = "dup-train-" + RUN
    sm.create_training_job(**training_job_request(training))
    error = client_error(sm.create_training_job, "ResourceInUse",
                         message="Training job names must be unique within an AWS account and region, and a training job "
                                 "with this name already exists (%s)" % arn("training-job", training),
                         what="CreateTrainingJob twice", **training_job_request(training))
    true(isinstance(error, sm.exceptions.ResourceInUse), "botocore must raise the modeled ResourceInUse exception class")

    processing = "dup-proc-" + RUN
    sm.create_processing_job(**processing_job_request(processing))
    client_error(sm.create_processing_job, "ResourceInUse", what="CreateProcessingJob twice", **processing_job_request(processing))

    model = "dup-tr-model-" + RUN
    transform = "dup-transform-" + RUN
    sm.create_model(**model_request(model))
    sm.create_transform_job(**transform_job_request(transform, model))
    client_error(sm.create_transform_job, "ResourceInUse", what="CreateTransformJob twice", **transform_job_request(transform, model))


@check
def duplicate_models_configs_endpoints_are_validation_exception_cannot_create_already_existing(url):
    sm = client(url)
    model = "Dup-Model-" + RUN
    config = "dup-config-" + RUN
    endpoint = "dup-endpoint-" + RUN
    sm.create_model(**model_request(model))
    error = client_error(sm.create_model, "ValidationException",
                         message='Cannot create already existing model "%s".' % arn("model", model),
                         what="CreateModel twice", **model_request(model))
    contains(error.response["Error"]["Message"], "Cannot create already existing", "the Python SDK's match")
    client_error(sm.create_model, "ValidationException", message_contains="Cannot create already existing",
                 what="CreateModel with the name in another case", **model_request(model.lower()))
    sm.create_endpoint_config(**endpoint_config_request(config, model))
    client_error(sm.create_endpoint_config, "ValidationException",
                 message='Cannot create already existing endpoint configuration "%s".' % arn("endpoint-config", config),
                 what="CreateEndpointConfig twice", **endpoint_config_request(config, model))
    sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=config)
    client_error(sm.create_endpoint, "ValidationException",
                 message='Cannot create already existing endpoint "%s".' % arn("endpoint", endpoint),
                 what="CreateEndpoint twice", EndpointName=endpoint, EndpointConfigName=config)


@check
def references_to_unknown_models_and_configs_are_validation_exception(url):
    sm = client(url)
    model = "no-such-model-" + RUN
    config = "no-such-config-" + RUN
    client_error(sm.create_endpoint_config, "ValidationException", message='Could not find model "%s".' % arn("model", model),
                 what="CreateEndpointConfig with an unknown model", **endpoint_config_request("ref-config-" + RUN, model))
    client_error(sm.create_endpoint, "ValidationException",
                 message='Could not find endpoint configuration "%s".' % arn("endpoint-config", config),
                 what="CreateEndpoint with an unknown config", EndpointName="ref-endpoint-" + RUN, EndpointConfigName=config)
    client_error(sm.create_transform_job, "ValidationException", message='Could not find model "%s".' % arn("model", model),
                 what="CreateTransformJob with an unknown model", **transform_job_request("ref-transform-" + RUN, model))
    client_error(sm.describe_endpoint_config, "ValidationException", what="the failed CreateEndpointConfig left nothing",
                 EndpointConfigName="ref-config-" + RUN)


@check
def waiters_end_at_once_on_unknown_resources(url):
    sm = client(url)
    quick = {"Delay": 1, "MaxAttempts": 3}
    sm.get_waiter("endpoint_deleted").wait(EndpointName="never-created-" + RUN, WaiterConfig=quick)
    for waiter, kwargs in [
        ("endpoint_in_service", {"EndpointName": "never-created-" + RUN}),
        ("training_job_completed_or_stopped", {"TrainingJobName": "never-created-" + RUN}),
        ("processing_job_completed_or_stopped", {"ProcessingJobName": "never-created-" + RUN}),
        ("transform_job_completed_or_stopped", {"TransformJobName": "never-created-" + RUN}),
    ]:
        started = now()
        try:
            sm.get_waiter(waiter).wait(WaiterConfig=quick, **kwargs)
            fail("%s succeeded on an unknown resource" % waiter)
        except WaiterError as e:
            contains(str(e), "terminal failure state", "%s error" % waiter)
            eq(e.last_response["Error"]["Code"], "ValidationException", "%s last error code" % waiter)
        true((now() - started).total_seconds() < 3, "%s did not stop at the first ValidationException" % waiter)


@check
def invalid_job_name_is_coral_validation_message(url):
    sm = client(url, validate=False)
    client_error(sm.create_training_job, "ValidationException",
                 message="1 validation error detected: Value 'bad_name' at 'trainingJobName' failed to satisfy constraint: "
                         "Member must satisfy regular expression pattern: " + JOB_NAME_PATTERN,
                 what="CreateTrainingJob bad_name", **training_job_request("bad_name"))
    client_error(sm.describe_training_job, "ValidationException",
                 message="1 validation error detected: Value 'bad_name' at 'trainingJobName' failed to satisfy constraint: "
                         "Member must satisfy regular expression pattern: " + JOB_NAME_PATTERN,
                 what="DescribeTrainingJob bad_name", TrainingJobName="bad_name")
    client_error(sm.create_model, "ValidationException",
                 message="1 validation error detected: Value 'bad_model' at 'modelName' failed to satisfy constraint: "
                         "Member must satisfy regular expression pattern: ^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?",
                 what="CreateModel bad_model", **model_request("bad_model"))


@check
def names_at_the_limits_of_the_patterns(url):
    sm = client(url, validate=False)
    longest = ("lim" + RUN + "x" * 63)[:63]
    eq(sm.create_training_job(**training_job_request(longest))["TrainingJobArn"], arn("training-job", longest),
       "a 63-character training job name is accepted")
    hyphens = "a--b-" + RUN
    sm.create_model(**model_request(hyphens))
    eq(sm.describe_model(ModelName=hyphens)["ModelName"], hyphens, "consecutive hyphens are allowed")
    for bad in ["trailing-" + RUN + "-", "-leading" + RUN]:
        client_error(sm.create_model, "ValidationException",
                     message="1 validation error detected: Value '%s' at 'modelName' failed to satisfy constraint: "
                             "Member must satisfy regular expression pattern: ^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?" % bad,
                     what="CreateModel %s" % bad, **model_request(bad))
    client_error(sm.create_endpoint, "ValidationException",
                 message_contains="Value 'end-' at 'endpointName' failed to satisfy constraint: Member must satisfy "
                                  "regular expression pattern: " + JOB_NAME_PATTERN,
                 what="CreateEndpoint end-", EndpointName="end-", EndpointConfigName="whatever")


@check
def more_than_fifty_tags_on_a_resource_is_validation_exception(url):
    sm = client(url)
    name = "tags50-" + RUN
    model_arn = sm.create_model(**model_request(name))["ModelArn"]
    sm.add_tags(ResourceArn=model_arn, Tags=[{"Key": "a%02d" % i, "Value": "v"} for i in range(30)])
    client_error(sm.add_tags, "ValidationException", what="AddTags to 60 tags",
                 ResourceArn=model_arn, Tags=[{"Key": "b%02d" % i, "Value": "v"} for i in range(30)])
    eq(len(sm.list_tags(ResourceArn=model_arn)["Tags"]), 30, "a rejected AddTags adds nothing")


@check
def too_long_name_reports_both_broken_constraints(url):
    sm = client(url, validate=False)
    name = "a" * 64
    error = client_error(sm.create_training_job, "ValidationException", what="CreateTrainingJob with 64 characters",
                         **training_job_request(name))
    message = error.response["Error"]["Message"]
    true(message.startswith("2 validation errors detected: "), "message %r should report 2 errors" % message)
    contains(message, "Value '%s' at 'trainingJobName' failed to satisfy constraint: Member must have length less than or "
                      "equal to 63" % name, "length violation")
    contains(message, "Value '%s' at 'trainingJobName' failed to satisfy constraint: Member must satisfy regular "
                      "expression pattern: %s" % (name, JOB_NAME_PATTERN), "pattern violation")


@check
def missing_required_members_are_not_null_violations(url):
    sm = client(url, validate=False)
    request = training_job_request("no-role-" + RUN)
    del request["RoleArn"]
    client_error(sm.create_training_job, "ValidationException",
                 message="1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: "
                         "Member must not be null",
                 what="CreateTrainingJob without RoleArn", **request)
    client_error(sm.describe_model, "ValidationException",
                 message="1 validation error detected: Value null at 'modelName' failed to satisfy constraint: "
                         "Member must not be null",
                 what="DescribeModel without ModelName")
    client_error(sm.describe_training_job, "ValidationException", what="nothing created", TrainingJobName="no-role-" + RUN)


@check
def nested_range_enum_and_list_violations_name_their_path(url):
    sm = client(url, validate=False)
    client_error(sm.create_training_job, "ValidationException",
                 message="1 validation error detected: Value '0' at 'stoppingCondition.maxRuntimeInSeconds' failed to "
                         "satisfy constraint: Member must have value greater than or equal to 1",
                 what="MaxRuntimeInSeconds 0",
                 **training_job_request("range-" + RUN, StoppingCondition={"MaxRuntimeInSeconds": 0}))
    client_error(sm.list_training_jobs, "ValidationException",
                 message="1 validation error detected: Value 'Up' at 'sortOrder' failed to satisfy constraint: "
                         "Member must satisfy enum value set: [Ascending, Descending]",
                 what="SortOrder Up", SortOrder="Up")
    client_error(sm.list_training_jobs, "ValidationException",
                 message_contains=["1 validation error detected: Value 'Running' at 'statusEquals' failed to satisfy "
                                   "constraint: Member must satisfy enum value set: [", "InProgress", "Stopping"],
                 what="StatusEquals Running", StatusEquals="Running")
    client_error(sm.list_models, "ValidationException",
                 message="1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: "
                         "Member must have value greater than or equal to 1",
                 what="MaxResults 0", MaxResults=0)
    client_error(sm.list_endpoints, "ValidationException",
                 message="1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: "
                         "Member must have value less than or equal to 100",
                 what="MaxResults 101", MaxResults=101)
    client_error(sm.list_tags, "ValidationException",
                 message_contains=["at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 50"],
                 what="ListTags MaxResults 2", ResourceArn=arn("model", "whatever"), MaxResults=2)


@check
def wrong_member_types_are_serialization_exception(url):
    sm = client(url, validate=False)
    client_error(sm.list_training_jobs, "SerializationException", what="MaxResults as a string", MaxResults="ten")
    client_error(sm.describe_model, "SerializationException", what="ModelName as a number", ModelName=42)


@check
def unknown_members_are_ignored(url):
    """Newer SDKs send members an older service model does not know; SageMaker ignores them."""
    sm = client(url)

    def add_future_member(request, **_):
        body = json.loads(request.data)
        body["FutureMember"] = {"Nested": [1, 2]}
        body["PrimaryContainer"]["FutureContainerMember"] = "x"
        request.data = json.dumps(body).encode()

    sm.meta.events.register("before-sign.sagemaker.CreateModel", add_future_member)
    name = "extra-" + RUN
    sm.create_model(**model_request(name))
    eq(sm.describe_model(ModelName=name)["ModelName"], name, "model created despite an unknown member")


@check
def tags_on_unknown_resources_are_validation_exception(url):
    sm = client(url)
    missing = arn("model", "never-" + RUN)
    client_error(sm.list_tags, "ValidationException", message="Resource does not exist", what="ListTags", ResourceArn=missing)
    client_error(sm.add_tags, "ValidationException", what="AddTags", ResourceArn=missing, Tags=[{"Key": "a", "Value": "b"}])
    client_error(sm.delete_tags, "ValidationException", what="DeleteTags", ResourceArn=missing, TagKeys=["a"])


@check
def invalid_pagination_token_is_validation_exception(url):
    sm = client(url)
    client_error(sm.list_models, "ValidationException", message_contains="Invalid pagination token", what="ListModels",
                 NextToken="not-a-token")
    for i in range(3):
        sm.create_model(**model_request("tok-%d-%s" % (i, RUN)))
    first = sm.list_models(NameContains="tok-", MaxResults=1)
    true("NextToken" in first, "a first page of 1 of 3 models must carry NextToken")
    client_error(sm.list_endpoint_configs, "ValidationException", message_contains="Invalid pagination token",
                 what="a ListModels token used with ListEndpointConfigs", NextToken=first["NextToken"])
    client_error(sm.list_models, "ValidationException", message_contains="Invalid pagination token",
                 what="a token used with another filter", NameContains="other", NextToken=first["NextToken"])


def raw_call(url, target, body):
    """A request signed as botocore signs it, for what boto3 cannot send: an unknown operation, a broken body."""
    request = AWSRequest(method="POST", url=url + "/", data=body,
                         headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target})
    SigV4Auth(Credentials("test", "test"), "sagemaker", "us-east-1").add_auth(request)
    prepared = request.prepare()
    http = urllib.request.Request(prepared.url, data=prepared.body, headers=dict(prepared.headers), method="POST")
    try:
        with urllib.request.urlopen(http, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), json.loads(e.read() or b"{}")


@check
def unknown_operation_and_malformed_json_over_the_raw_protocol(url):
    status, headers, body = raw_call(url, "SageMaker.NoSuchOperation", b"{}")
    eq(status, 400, "unknown operation status")
    eq(body.get("__type"), "UnknownOperationException", "unknown operation __type")
    true(body.get("message"), "unknown operation message")
    true({k.lower(): v for k, v in headers.items()}.get("x-amzn-requestid"), "x-amzn-RequestId header")
    status, headers, body = raw_call(url, "SageMaker.ListModels", b'{"MaxResults": 1')
    eq(status, 400, "malformed JSON status")
    eq(body.get("__type"), "SerializationException", "malformed JSON __type")
    status, headers, body = raw_call(url, "SageMaker.ListModels", b"")
    eq(status, 200, "empty body of ListModels is an empty request")
    true(isinstance(body.get("Models"), list), "ListModels with an empty body returns Models")


@check
def role_arn_pattern_is_checked(url):
    sm = client(url, validate=False)
    error = client_error(sm.create_training_job, "ValidationException", what="RoleArn not an IAM role",
                         **training_job_request("role-" + RUN, RoleArn="not-an-arn-but-long-enough"))
    contains(error.response["Error"]["Message"],
             "Value 'not-an-arn-but-long-enough' at 'roleArn' failed to satisfy constraint: Member must satisfy regular "
             "expression pattern: ^arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+", "RoleArn message")


if __name__ == "__main__":
    check.run()
