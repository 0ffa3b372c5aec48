"""boto3 `invoke_endpoint_async` against the inference gateway:
python3 boto3_runtime_async.py <gateway url> <async endpoint> <endpoint without AsyncInferenceConfig> <data directory>.

The endpoints run deploy/test-images/scripted-server; the async one's AsyncInferenceConfig writes answers under
s3://bucket/async-out and failures under s3://bucket/async-failures. The control plane's object store is the local one,
so s3://bucket/key is <data directory>/s3/bucket/key: the script writes inputs and reads results there. Prints PASS/FAIL
per check; exits 1 when any failed.
"""
import os
import sys
import time

sys.dont_write_bytecode = True

from wirecheck import Tally, runtime_client  # noqa: E402

url, endpoint, plain_endpoint, data = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
runtime = runtime_client(url)
check = Tally()


def path_of(location):
    assert location.startswith("s3://"), location
    return os.path.join(data, "s3", location[len("s3://"):])


def put(key, text):
    path = os.path.join(data, "s3", "bucket", key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return "s3://bucket/" + key


def wait_for(location, seconds=30):
    """The object's text once it exists, or None."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if os.path.exists(path_of(location)):
            time.sleep(0.2)  # the store writes through a temporary file; give a reader a moment past the rename
            with open(path_of(location)) as f:
                return f.read()
        time.sleep(0.2)
    return None


answer = runtime.invoke_endpoint_async(
    EndpointName=endpoint, InputLocation=put(f"async-in/{endpoint}/rows.csv", "1.5,2.5\n"), ContentType="text/csv",
    Accept="application/json", CustomAttributes="trace=async", InferenceId="inference-1")
check("InvokeEndpointAsync answers 202", answer["ResponseMetadata"]["HTTPStatusCode"] == 202, answer["ResponseMetadata"])
check("the InferenceId is the caller's", answer.get("InferenceId") == "inference-1", answer)
check("OutputLocation is under S3OutputPath", answer.get("OutputLocation") == "s3://bucket/async-out/inference-1.out", answer)
check("FailureLocation is under S3FailurePath", answer.get("FailureLocation") == "s3://bucket/async-failures/inference-1-error.out", answer)
output = wait_for(answer["OutputLocation"])
check("the model's answer is written to OutputLocation", output is not None and '"body": "1.5,2.5\\n"' in output, output)
check("the model got Accept, Content-Type, CustomAttributes and the InferenceId",
      output is not None and '"accept": "application/json"' in output and '"inference_id": "inference-1"' in output
      and "x-amzn-sagemaker-custom-attributes" in output, output)

named = runtime.invoke_endpoint_async(
    EndpointName=endpoint, InputLocation=put(f"async-in/{endpoint}/named.csv", "3,4\n"), ContentType="text/csv",
    S3OutputPathExtension="daily", Filename="answer.json")
inference_id = named.get("InferenceId", "")
check("without an InferenceId the gateway makes one", len(inference_id) == 36, named)
check("S3OutputPathExtension and Filename shape OutputLocation", named.get("OutputLocation") == "s3://bucket/async-out/daily/answer.json", named)
check("the named output is written", (wait_for(named["OutputLocation"]) or "").find('"body": "3,4\\n"') >= 0, named)

failing = runtime.invoke_endpoint_async(EndpointName=endpoint, InputLocation=put(f"async-in/{endpoint}/fail.csv", "!status 500"), ContentType="text/csv")
failure = wait_for(failing["FailureLocation"])
check("a model's 500 is written to FailureLocation", failure is not None and "500" in failure and "model says 500" in failure, failure)
check("nothing is written to OutputLocation for it", not os.path.exists(path_of(failing["OutputLocation"])), failing)

missing = runtime.invoke_endpoint_async(EndpointName=endpoint, InputLocation="s3://bucket/async-in/never-written.csv")
failure = wait_for(missing["FailureLocation"])
check("a missing input object is written to FailureLocation", failure is not None and "does not exist" in failure, failure)

# botocore checks ranges and patterns itself; the service must refuse what other clients let through.
unchecked = runtime_client(url, validate=False)
for name, kwargs, expected in [
    ("an endpoint without AsyncInferenceConfig", {"EndpointName": plain_endpoint}, "not configured for asynchronous inference"),
    ("an unknown endpoint", {"EndpointName": "never-created"}, "Endpoint never-created of account"),
    ("RequestTTLSeconds out of range", {"EndpointName": endpoint, "RequestTTLSeconds": 10}, "requestTTLSeconds"),
    ("an InputLocation that is no URL", {"EndpointName": endpoint, "InputLocation": "bucket/key"}, "inputLocation"),
]:
    try:
        unchecked.invoke_endpoint_async(**{"InputLocation": "s3://bucket/x.csv", **kwargs})
        check(name + " raises ValidationError", False, "no error")
    except unchecked.exceptions.ValidationError as error:
        check(name + " raises ValidationError", expected in error.response["Error"]["Message"], error.response)

check.exit()
