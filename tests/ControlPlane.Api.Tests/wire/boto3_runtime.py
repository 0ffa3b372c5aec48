"""boto3 `sagemaker-runtime` against the inference gateway: python3 boto3_runtime.py <gateway url> <endpoint name>.

The endpoint runs deploy/test-images/scripted-server. Prints PASS/FAIL per check; exits 1 when any failed.
"""
import json
import sys

sys.dont_write_bytecode = True

from wirecheck import Tally, runtime_client  # noqa: E402

url, endpoint = sys.argv[1], sys.argv[2]
runtime = runtime_client(url)
check = Tally()

answer = runtime.invoke_endpoint(
    EndpointName=endpoint, Body=b"1.0,2.0\n", ContentType="text/csv", Accept="application/json",
    CustomAttributes="trace=abc", InferenceId="inference-1")
body = json.loads(answer["Body"].read())
check("body is the model's", body["body"] == "1.0,2.0\n", body)
check("Content-Type is the model's", answer["ContentType"] == "text/csv", answer["ContentType"])
check("Accept forwarded", body["accept"] == "application/json", body)
check("InferenceId forwarded", body["inference_id"] == "inference-1", body)
check("CustomAttributes answered", answer.get("CustomAttributes") == "seen=trace=abc", answer.get("CustomAttributes"))
check("InvokedProductionVariant named", answer.get("InvokedProductionVariant") == "AllTraffic", answer)

try:
    runtime.invoke_endpoint(EndpointName=endpoint, Body=b"!status 500", ContentType="text/csv")
    check("model 500 raises ModelError", False, "no error")
except runtime.exceptions.ModelError as error:
    response = error.response
    check("model 500 raises ModelError", response["ResponseMetadata"]["HTTPStatusCode"] == 424, response)
    check("ModelError carries OriginalStatusCode 500", response.get("OriginalStatusCode") == 500, response)
    check("ModelError carries OriginalMessage", response.get("OriginalMessage") == "model says 500", response)
    check("ModelError carries LogStreamArn", str(response.get("LogStreamArn", "")).endswith("/aws/sagemaker/Endpoints/" + endpoint), response)

try:
    runtime.invoke_endpoint(EndpointName="never-created", Body=b"x")
    check("unknown endpoint raises ValidationError", False, "no error")
except runtime.exceptions.ValidationError as error:
    check("unknown endpoint raises ValidationError", "Endpoint never-created of account" in error.response["Error"]["Message"], error.response)

check.exit()
