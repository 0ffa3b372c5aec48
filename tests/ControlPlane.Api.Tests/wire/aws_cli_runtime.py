"""The aws CLI against the inference gateway: `aws --endpoint-url <gateway> sagemaker-runtime invoke-endpoint` and
`invoke-endpoint-async` (the CLI has no command for the streaming call).

usage: python3 aws_cli_runtime.py <gateway-url> <endpoint> <data directory>
    (the endpoint runs the scripted server; its AsyncInferenceConfig writes answers under s3://bucket/cli-async, and
    the control plane's local object store keeps s3://bucket/key at <data directory>/s3/bucket/key)
"""

import json
import os
import sys
import tempfile
import time

sys.dont_write_bytecode = True

from aws_cli import run  # noqa: E402
from wirecheck import Checks, contains, eq, fail, true  # noqa: E402

ENDPOINT, DATA = sys.argv[2], sys.argv[3]
check = Checks()


def runtime(url, *args):
    """A sagemaker-runtime command that must succeed; returns its JSON output."""
    code, out, err = run(url, *args, service="sagemaker-runtime")
    if code != 0:
        fail("aws sagemaker-runtime %s exited %d\nstdout: %s\nstderr: %s" % (" ".join(args), code, out.strip(), err.strip()))
    return json.loads(out)


@check
def invoke_endpoint_writes_the_models_answer_to_the_outfile_and_prints_the_metadata(url):
    with tempfile.TemporaryDirectory() as scratch:
        body, answer = os.path.join(scratch, "rows.csv"), os.path.join(scratch, "answer.json")
        with open(body, "wb") as f:
            f.write(b"1.5,2.5\n")
        printed = runtime(url, "invoke-endpoint", "--endpoint-name", ENDPOINT, "--body", "fileb://" + body,
                          "--content-type", "text/csv", "--accept", "application/json", "--custom-attributes", "cli=1", answer)
        with open(answer) as f:
            echo = json.load(f)
    eq(echo.get("body"), "1.5,2.5\n", "the model's answer in the outfile")
    eq(echo.get("accept"), "application/json", "Accept reached the model")
    eq(printed.get("ContentType"), "text/csv", "ContentType")
    eq(printed.get("InvokedProductionVariant"), "AllTraffic", "InvokedProductionVariant")
    eq(printed.get("CustomAttributes"), "seen=cli=1", "CustomAttributes")


@check
def invoke_endpoint_async_prints_where_the_answer_goes_and_the_worker_writes_it_there(url):
    path = os.path.join(DATA, "s3", "bucket", "cli-async-in", "row.csv")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("3,4\n")
    printed = runtime(url, "invoke-endpoint-async", "--endpoint-name", ENDPOINT, "--input-location", "s3://bucket/cli-async-in/row.csv",
                      "--content-type", "text/csv", "--inference-id", "cli-1")
    eq(printed.get("InferenceId"), "cli-1", "InferenceId")
    eq(printed.get("OutputLocation"), "s3://bucket/cli-async/cli-1.out", "OutputLocation")
    output = os.path.join(DATA, "s3", "bucket", "cli-async", "cli-1.out")
    deadline = time.monotonic() + 30
    while not os.path.exists(output) and time.monotonic() < deadline:
        time.sleep(0.2)
    true(os.path.exists(output), "no answer at %s" % printed.get("OutputLocation"))
    time.sleep(0.2)
    with open(output) as f:
        contains(f.read(), '"body": "3,4\\n"', "the model's answer at OutputLocation")


@check
def an_unknown_endpoint_is_a_ValidationError_on_stderr(url):
    code, _, err = run(url, "invoke-endpoint", "--endpoint-name", "never-created", "--body", "x", os.devnull, service="sagemaker-runtime")
    true(code != 0, "invoke-endpoint of an unknown endpoint must fail")
    contains(err, "ValidationError", "stderr")
    contains(err, "Endpoint never-created of account", "stderr")


if __name__ == "__main__":
    check.run()
