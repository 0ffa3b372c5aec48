"""Shared helpers for the wire scripts: a boto3 client pointed at the service, a tiny check runner, assertions and
request builders. Standard library + boto3 only (no pytest on the test machines).

Every script is run as `python3 <script> <service-url>`, prints `PASS name` / `FAIL name: reason` per check and
exits 1 if any check failed.
"""

import datetime
import os
import sys
import time
import traceback
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE_ARN = "arn:aws:iam::123456789012:role/SageMakerRole"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/wire-test:latest"
BUCKET = "s3://wire-test-bucket"

# Credentials only have to be well-formed: the service parses SigV4 but the tests do not configure secrets.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull


def service_url():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: %s <service-url>\n" % sys.argv[0])
        sys.exit(2)
    return sys.argv[1].rstrip("/")


def client(url, validate=True):
    """A SageMaker client as users create it, with retries off so a server fault shows as it is."""
    config = Config(
        region_name=REGION,
        parameter_validation=validate,
        retries={"total_max_attempts": 1, "mode": "standard"},
        connect_timeout=10,
        read_timeout=60,
    )
    return boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION
    ).client("sagemaker", endpoint_url=url, config=config)


def uid():
    return uuid.uuid4().hex[:10]


def arn(kind, name):
    """The ARN SageMaker reports; it lower-cases the name of models, endpoint configs and endpoints."""
    if kind in ("model", "endpoint-config", "endpoint"):
        name = name.lower()
    return "arn:aws:sagemaker:%s:%s:%s/%s" % (REGION, ACCOUNT, kind, name)


# ---------------------------------------------------------------------------------------------------------------------
# Checks


class CheckFailed(Exception):
    pass


def fail(message):
    raise CheckFailed(message)


def eq(actual, expected, what):
    if actual != expected:
        fail("%s: expected %r, got %r" % (what, expected, actual))


def true(condition, what):
    if not condition:
        fail(what)


def contains(text, fragment, what):
    if text is None or fragment not in text:
        fail("%s: expected %r to contain %r" % (what, text, fragment))


def is_time(value, what, near=None, tolerance=600):
    """A timestamp botocore parsed from the wire (epoch seconds) into a timezone-aware datetime."""
    if not isinstance(value, datetime.datetime):
        fail("%s: expected a datetime, got %r" % (what, value))
    if value.tzinfo is None:
        fail("%s: expected a timezone-aware datetime, got %r" % (what, value))
    if near is not None:
        delta = abs((value - near).total_seconds())
        if delta > tolerance:
            fail("%s: %s is %.0f s away from %s" % (what, value.isoformat(), delta, near.isoformat()))


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def subset(actual, expected, what):
    """Every member of `expected` is in `actual` with the same value (recursively); `actual` may have more (defaults)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            fail("%s: expected an object, got %r" % (what, actual))
        for key, value in expected.items():
            if key not in actual:
                fail("%s: member %s missing (got %r)" % (what, key, sorted(actual)))
            subset(actual[key], value, "%s.%s" % (what, key))
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            fail("%s: expected %r, got %r" % (what, expected, actual))
        for i, (a, e) in enumerate(zip(actual, expected)):
            subset(a, e, "%s[%d]" % (what, i))
    elif actual != expected:
        fail("%s: expected %r, got %r" % (what, expected, actual))


def request_id_of(response, what):
    request_id = (response.get("ResponseMetadata") or {}).get("RequestId")
    if not request_id:
        fail("%s: ResponseMetadata.RequestId is empty (metadata %r)" % (what, response.get("ResponseMetadata")))
    return request_id


def client_error(call, code, message=None, message_contains=None, what="error", **kwargs):
    """Calls `call(**kwargs)`, which must raise a ClientError with this code (and message); returns the error."""
    try:
        result = call(**kwargs)
    except ClientError as e:
        error = e.response.get("Error", {})
        if error.get("Code") != code:
            fail("%s: expected error code %r, got %r (message %r)" % (what, code, error.get("Code"), error.get("Message")))
        if message is not None and error.get("Message") != message:
            fail("%s: expected message %r, got %r" % (what, message, error.get("Message")))
        if message_contains is not None:
            for fragment in [message_contains] if isinstance(message_contains, str) else message_contains:
                contains(error.get("Message"), fragment, "%s message" % what)
        if not error.get("Message"):
            fail("%s: Error.Message is empty" % what)
        request_id_of(e.response, what)
        error_type = e.response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("x-amzn-errortype")
        if error_type is not None and error_type.split(":")[0] != code:
            fail("%s: header x-amzn-ErrorType %r disagrees with __type %r (JS v3 reads the header first)" % (what, error_type, code))
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status != 400:
            fail("%s: expected HTTP 400, got %r" % (what, status))
        return e
    fail("%s: expected %s, the call succeeded with %r" % (what, code, result))
    return None


class Checks:
    """An ordered list of named checks; each is a plain function taking the service URL."""

    def __init__(self):
        self._checks = []

    def __call__(self, function):
        self._checks.append(function)
        return function

    def run(self):
        url = service_url()
        failed = 0
        for check in self._checks:
            started = time.monotonic()
            try:
                check(url)
            except CheckFailed as e:
                failed += 1
                print("FAIL %s: %s" % (check.__name__, e), flush=True)
                continue
            except Exception as e:  # noqa: BLE001 - any other error is a failed check, with its traceback
                failed += 1
                detail = traceback.format_exc().strip().replace("\n", "\n    ")
                print("FAIL %s: %s: %s\n    %s" % (check.__name__, type(e).__name__, e, detail), flush=True)
                continue
            print("PASS %s (%.1f s)" % (check.__name__, time.monotonic() - started), flush=True)
        print("%d checks, %d failed" % (len(self._checks), failed), flush=True)
        sys.exit(1 if failed else 0)


# ---------------------------------------------------------------------------------------------------------------------
# Requests, as users write them


def training_job_request(name, **overrides):
    request = {
        "TrainingJobName": name,
        "RoleArn": ROLE_ARN,
        "AlgorithmSpecification": {
            "TrainingImage": IMAGE,
            "TrainingInputMode": "File",
            "MetricDefinitions": [{"Name": "train:loss", "Regex": "loss=([0-9.]+)"}],
        },
        "HyperParameters": {"max_depth": "5", "eta": "0.2"},
        "InputDataConfig": [
            {
                "ChannelName": "train",
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": BUCKET + "/train/"}},
                "ContentType": "text/csv",
            }
        ],
        "OutputDataConfig": {"S3OutputPath": BUCKET + "/output"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "Environment": {"MODE": "test"},
        "Tags": [{"Key": "team", "Value": "ml"}],
    }
    request.update(overrides)
    return request


def processing_job_request(name, **overrides):
    request = {
        "ProcessingJobName": name,
        "RoleArn": ROLE_ARN,
        "AppSpecification": {
            "ImageUri": IMAGE,
            "ContainerEntrypoint": ["python3", "/opt/ml/processing/code/run.py"],
            "ContainerArguments": ["--rows", "10"],
        },
        "ProcessingResources": {
            "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}
        },
        "ProcessingInputs": [
            {
                "InputName": "raw",
                "S3Input": {
                    "S3Uri": BUCKET + "/raw/",
                    "LocalPath": "/opt/ml/processing/input",
                    "S3DataType": "S3Prefix",
                },
            }
        ],
        "ProcessingOutputConfig": {
            "Outputs": [
                {
                    "OutputName": "clean",
                    "S3Output": {
                        "S3Uri": BUCKET + "/clean/",
                        "LocalPath": "/opt/ml/processing/output",
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        "Environment": {"STAGE": "test"},
    }
    request.update(overrides)
    return request


def model_request(name, **overrides):
    request = {
        "ModelName": name,
        "ExecutionRoleArn": ROLE_ARN,
        "PrimaryContainer": {
            "Image": IMAGE,
            "ModelDataUrl": BUCKET + "/output/model.tar.gz",
            "Environment": {"SAGEMAKER_PROGRAM": "inference.py"},
        },
    }
    request.update(overrides)
    return request


def endpoint_config_request(name, model_name, **overrides):
    request = {
        "EndpointConfigName": name,
        "ProductionVariants": [
            {
                "VariantName": "AllTraffic",
                "ModelName": model_name,
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
    }
    request.update(overrides)
    return request


def transform_job_request(name, model_name, **overrides):
    request = {
        "TransformJobName": name,
        "ModelName": model_name,
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": BUCKET + "/batch-in/"}},
            "ContentType": "text/csv",
        },
        "TransformOutput": {"S3OutputPath": BUCKET + "/batch-out/"},
        "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
    }
    request.update(overrides)
    return request


def runtime_client(url, validate=True, read_timeout=60):
    """A sagemaker-runtime client as users create it, with retries off; validate=False lets through what botocore
    itself would refuse (ranges, patterns), so that the service's own checks are what answers."""
    config = Config(
        region_name=REGION,
        parameter_validation=validate,
        retries={"total_max_attempts": 1, "mode": "standard"},
        connect_timeout=10,
        read_timeout=read_timeout,
    )
    return boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION
    ).client("sagemaker-runtime", endpoint_url=url, config=config)


class Tally:
    """PASS/FAIL lines for checks made one after another in a script whose steps build on each other."""

    def __init__(self):
        self.failures = 0

    def __call__(self, name, condition, detail=""):
        print(("PASS " if condition else "FAIL ") + name + ("" if condition else ": " + str(detail)), flush=True)
        self.failures += 0 if condition else 1

    def exit(self):
        sys.exit(1 if self.failures else 0)
