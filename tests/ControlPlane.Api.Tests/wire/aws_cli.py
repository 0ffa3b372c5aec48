"""The aws CLI against the service: `aws --endpoint-url <url> sagemaker <command> ... --output json`.

usage: python3 aws_cli.py <service-url>
"""

import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True

from wirecheck import (  # noqa: E402
    ROLE_ARN,
    Checks,
    arn,
    contains,
    eq,
    fail,
    is_time,
    model_request,
    now,
    training_job_request,
    true,
    uid,
)

check = Checks()
RUN = uid()
ENV = dict(
    os.environ,
    AWS_ACCESS_KEY_ID="test",
    AWS_SECRET_ACCESS_KEY="test",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_CONFIG_FILE="/dev/null",
    AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    AWS_PAGER="",
    AWS_EC2_METADATA_DISABLED="true",
)
ENV.pop("AWS_PROFILE", None)
ENV.pop("AWS_SESSION_TOKEN", None)
# The CLI exits 254 (v2) or 255 (v1) when the service returns an error.
SERVICE_ERROR_EXIT_CODES = (254, 255)


def find_aws():
    """The aws executable; behind a pyenv shim, the real one (the shim costs most of a second per call)."""
    found = shutil.which("aws")
    if found is None or os.sep + "shims" + os.sep not in found or shutil.which("pyenv") is None:
        return found
    resolved = subprocess.run(["pyenv", "which", "aws"], capture_output=True, text=True, check=False)
    real = resolved.stdout.strip()
    return real if resolved.returncode == 0 and os.access(real, os.X_OK) else found


AWS = find_aws()


def run(url, *args, service="sagemaker"):
    """Runs one CLI command of `service`; returns (exit code, stdout, stderr)."""
    if AWS is None:
        fail("the aws CLI is not on PATH")
    command = [AWS, "--endpoint-url", url, service] + list(args) + ["--output", "json"]
    completed = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=120, check=False)
    return completed.returncode, completed.stdout, completed.stderr


def aws(url, *args):
    """Runs a command that must succeed; returns its JSON output (or {} for commands that print nothing)."""
    code, out, err = run(url, *args)
    if code != 0:
        fail("aws sagemaker %s exited %d\nstdout: %s\nstderr: %s" % (" ".join(args), code, out.strip(), err.strip()))
    return json.loads(out) if out.strip() else {}


def aws_error(url, *args):
    """Runs a command the service must reject; returns its stderr."""
    code, out, err = run(url, *args)
    if code not in SERVICE_ERROR_EXIT_CODES:
        fail("aws sagemaker %s: expected exit code 254/255, got %d\nstdout: %s\nstderr: %s"
             % (" ".join(args), code, out.strip(), err.strip()))
    return err


def timestamp(value, what):
    """CLI v1 prints timestamps as received (epoch seconds), CLI v2 as ISO 8601; both must be a time near now."""
    if isinstance(value, (int, float)):
        parsed = datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    elif isinstance(value, str):
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    else:
        fail("%s: expected a timestamp, got %r" % (what, value))
        return
    is_time(parsed, what, near=now())


@check
def model_create_describe_list_delete(url):
    name = "cli-model-" + RUN
    request = model_request(name)
    created = aws(url, "create-model", "--model-name", name, "--execution-role-arn", ROLE_ARN,
                  "--primary-container", json.dumps(request["PrimaryContainer"]))
    eq(created.get("ModelArn"), arn("model", name), "ModelArn")
    model = aws(url, "describe-model", "--model-name", name)
    eq(model.get("ModelName"), name, "ModelName")
    eq(model.get("ExecutionRoleArn"), ROLE_ARN, "ExecutionRoleArn")
    eq(model["PrimaryContainer"].get("Image"), request["PrimaryContainer"]["Image"], "PrimaryContainer.Image")
    eq(model["PrimaryContainer"].get("Environment"), request["PrimaryContainer"]["Environment"], "PrimaryContainer.Environment")
    timestamp(model.get("CreationTime"), "CreationTime")
    listed = aws(url, "list-models", "--name-contains", name)
    eq([m["ModelName"] for m in listed["Models"]], [name], "list-models --name-contains")
    aws(url, "delete-model", "--model-name", name)
    err = aws_error(url, "describe-model", "--model-name", name)
    contains(err, "ValidationException", "describe-model after delete stderr")
    contains(err, 'Could not find model "%s"' % arn("model", name), "describe-model after delete stderr")


@check
def endpoint_config_and_endpoint_create_describe_delete_and_wait(url):
    model = "cli-ep-model-" + RUN
    config = "cli-config-" + RUN
    endpoint = "cli-endpoint-" + RUN
    aws(url, "create-model", "--model-name", model, "--execution-role-arn", ROLE_ARN,
        "--primary-container", "Image=%s" % model_request(model)["PrimaryContainer"]["Image"])
    created = aws(url, "create-endpoint-config", "--endpoint-config-name", config, "--production-variants",
                  "VariantName=AllTraffic,ModelName=%s,InitialInstanceCount=1,InstanceType=ml.m5.large" % model)
    eq(created.get("EndpointConfigArn"), arn("endpoint-config", config), "EndpointConfigArn")
    described = aws(url, "describe-endpoint-config", "--endpoint-config-name", config)
    eq(described["ProductionVariants"][0].get("ModelName"), model, "ProductionVariants[0].ModelName")
    created = aws(url, "create-endpoint", "--endpoint-name", endpoint, "--endpoint-config-name", config,
                  "--tags", "Key=owner,Value=cli")
    eq(created.get("EndpointArn"), arn("endpoint", endpoint), "EndpointArn")
    described = aws(url, "describe-endpoint", "--endpoint-name", endpoint)
    eq(described.get("EndpointStatus"), "Creating", "EndpointStatus")
    eq(described.get("EndpointConfigName"), config, "EndpointConfigName")
    timestamp(described.get("CreationTime"), "CreationTime")
    listed = aws(url, "list-endpoints", "--name-contains", endpoint)
    eq([e["EndpointName"] for e in listed["Endpoints"]], [endpoint], "list-endpoints --name-contains")
    aws(url, "delete-endpoint", "--endpoint-name", endpoint)
    code, out, err = run(url, "wait", "endpoint-deleted", "--endpoint-name", endpoint)
    eq(code, 0, "aws sagemaker wait endpoint-deleted exit code (stderr %r)" % err.strip())
    err = aws_error(url, "describe-endpoint", "--endpoint-name", endpoint)
    contains(err, "ValidationException", "describe-endpoint after delete stderr")
    contains(err, "Could not find endpoint", "describe-endpoint after delete stderr")
    aws(url, "delete-endpoint-config", "--endpoint-config-name", config)
    aws(url, "delete-model", "--model-name", model)


@check
def training_job_from_cli_input_json_describe_stop_list(url):
    names = ["cli-train-%s-%d" % (RUN, i) for i in range(3)]
    with tempfile.TemporaryDirectory() as directory:
        for name in names:
            path = os.path.join(directory, name + ".json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(training_job_request(name), f)
            created = aws(url, "create-training-job", "--cli-input-json", "file://" + path)
            eq(created.get("TrainingJobArn"), arn("training-job", name), "TrainingJobArn")

    job = aws(url, "describe-training-job", "--training-job-name", names[0])
    eq(job.get("TrainingJobStatus"), "InProgress", "TrainingJobStatus")
    eq(job.get("SecondaryStatus"), "Starting", "SecondaryStatus")
    eq(job.get("HyperParameters"), training_job_request(names[0])["HyperParameters"], "HyperParameters")
    eq(job["OutputDataConfig"].get("KmsKeyId"), "", "OutputDataConfig.KmsKeyId")
    eq(job["ModelArtifacts"]["S3ModelArtifacts"],
       "%s/%s/output/model.tar.gz" % (training_job_request(names[0])["OutputDataConfig"]["S3OutputPath"], names[0]),
       "ModelArtifacts.S3ModelArtifacts")
    timestamp(job.get("CreationTime"), "CreationTime")

    eq(aws(url, "stop-training-job", "--training-job-name", names[0]), {}, "stop-training-job output")
    eq(aws(url, "describe-training-job", "--training-job-name", names[0]).get("TrainingJobStatus"), "Stopping",
       "status after stop")
    aws(url, "stop-training-job", "--training-job-name", names[0])

    # The CLI follows NextToken itself: pages of 1 come back as one list, in SageMaker's default (ascending) order.
    listed = aws(url, "list-training-jobs", "--name-contains", "cli-train-" + RUN, "--page-size", "1")
    eq([s["TrainingJobName"] for s in listed["TrainingJobSummaries"]], names, "list-training-jobs --page-size 1")
    eq([s["TrainingJobStatus"] for s in listed["TrainingJobSummaries"]], ["Stopping", "InProgress", "InProgress"],
       "statuses in the list")
    first = aws(url, "list-training-jobs", "--name-contains", "cli-train-" + RUN, "--max-items", "2", "--page-size", "1")
    eq([s["TrainingJobName"] for s in first["TrainingJobSummaries"]], names[:2], "list-training-jobs --max-items 2")
    true(first.get("NextToken"), "--max-items 2 of 3 prints NextToken")
    rest = aws(url, "list-training-jobs", "--name-contains", "cli-train-" + RUN, "--starting-token", first["NextToken"])
    eq([s["TrainingJobName"] for s in rest["TrainingJobSummaries"]], names[2:], "list-training-jobs --starting-token")
    stopping = aws(url, "list-training-jobs", "--name-contains", "cli-train-" + RUN, "--status-equals", "Stopping")
    eq([s["TrainingJobName"] for s in stopping["TrainingJobSummaries"]], names[:1], "--status-equals Stopping")


@check
def tags_add_list_delete(url):
    name = "cli-tags-" + RUN
    resource_arn = aws(url, "create-model", "--model-name", name, "--execution-role-arn", ROLE_ARN,
                       "--primary-container", "Image=%s" % model_request(name)["PrimaryContainer"]["Image"])["ModelArn"]
    added = aws(url, "add-tags", "--resource-arn", resource_arn, "--tags", "Key=team,Value=ml", "Key=cost,Value=42")
    eq(sorted(t["Key"] for t in added.get("Tags", [])), ["cost", "team"], "add-tags output")
    tags = aws(url, "list-tags", "--resource-arn", resource_arn)["Tags"]
    eq(sorted((t["Key"], t["Value"]) for t in tags), [("cost", "42"), ("team", "ml")], "list-tags")
    aws(url, "delete-tags", "--resource-arn", resource_arn, "--tag-keys", "cost")
    eq(aws(url, "list-tags", "--resource-arn", resource_arn)["Tags"], [{"Key": "team", "Value": "ml"}], "list-tags after delete")


@check
def service_errors_exit_non_zero_with_code_on_stderr(url):
    err = aws_error(url, "describe-training-job", "--training-job-name", "cli-missing-" + RUN)
    contains(err, "An error occurred (ValidationException) when calling the DescribeTrainingJob operation", "stderr")
    contains(err, "Requested resource not found.", "stderr")
    name = "cli-train-%s-1" % RUN
    err = aws_error(url, "create-training-job", "--cli-input-json", json.dumps(training_job_request(name)))
    contains(err, "(ResourceInUse)", "duplicate training job stderr")
    err = aws_error(url, "create-model", "--model-name", "cli-tags-" + RUN, "--execution-role-arn", ROLE_ARN,
                    "--primary-container", "Image=x")
    contains(err, "(ValidationException)", "duplicate model stderr")
    contains(err, "Cannot create already existing model", "duplicate model stderr")


@check
def client_side_validation_fails_before_any_request(url):
    """The CLI itself rejects a missing required argument (exit 252 v2 / 255 v1), without calling the service."""
    code, out, err = run(url, "describe-model")
    true(code != 0, "describe-model without --model-name must fail, got exit 0 and %r" % out)
    contains(err, "--model-name", "stderr names the missing argument")


if __name__ == "__main__":
    check.run()
