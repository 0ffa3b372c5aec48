"""boto3 `invoke_endpoint_with_response_stream` against the inference gateway: python3 boto3_runtime_stream.py <gateway url> <endpoint name>.

The endpoint runs deploy/test-images/scripted-server; the gateway's invocation timeout is 3 s (HostingService).
botocore parses the AWS event stream itself and checks every message's lengths and CRCs. Prints PASS/FAIL per check;
exits 1 when any failed.
"""
import sys
import time

import botocore.exceptions

sys.dont_write_bytecode = True

from wirecheck import Tally, runtime_client  # noqa: E402

url, endpoint = sys.argv[1], sys.argv[2]
runtime = runtime_client(url)
check = Tally()


def parts_of(answer):
    """The PayloadPart events with the seconds since `started` at which each arrived."""
    return [(event["PayloadPart"]["Bytes"], time.monotonic() - started) for event in answer["Body"]]


started = time.monotonic()
answer = runtime.invoke_endpoint_with_response_stream(
    EndpointName=endpoint, Body=b"!stream 3 0.5", ContentType="text/plain", Accept="application/jsonlines",
    CustomAttributes="trace=abc", InferenceId="inference-1")
parts = parts_of(answer)
text = b"".join(part for part, _ in parts).decode()
expected = "".join(f"part {i} of 3 for application/jsonlines\n" for i in (1, 2, 3))
check("the parts joined are the model's answer", text == expected, text)
check("each chunk the model flushed is its own PayloadPart", len(parts) == 3, parts)
check("the first part arrives before the model has finished", parts[0][1] < parts[-1][1] - 0.6, parts)
check("ContentType is the model's", answer.get("ContentType") == "text/plain", answer.get("ContentType"))
check("CustomAttributes answered", answer.get("CustomAttributes") == "seen=trace=abc", answer.get("CustomAttributes"))
check("InvokedProductionVariant named", answer.get("InvokedProductionVariant") == "AllTraffic", answer)

try:
    runtime.invoke_endpoint_with_response_stream(EndpointName=endpoint, Body=b"!status 500", ContentType="text/csv")
    check("model 500 raises ModelError", False, "no error")
except runtime.exceptions.ModelError as error:
    response = error.response
    check("model 500 raises ModelError", response["ResponseMetadata"]["HTTPStatusCode"] == 424, response)
    check("ModelError carries OriginalStatusCode 500", response.get("OriginalStatusCode") == 500, response)


def stream_error(body):
    """Reads the stream to its end; returns (parts, the EventStreamError raised, or None)."""
    answer = runtime.invoke_endpoint_with_response_stream(EndpointName=endpoint, Body=body, ContentType="text/plain")
    received = []
    try:
        for event in answer["Body"]:
            received.append(event["PayloadPart"]["Bytes"])
    except botocore.exceptions.EventStreamError as error:
        return received, error
    return received, None


received, error = stream_error(b"!stream-break 2")
check("a stream the model breaks off delivers what came before", len(received) >= 1 and b"".join(received).startswith(b"part 1 of 2"), received)
check("a stream the model breaks off ends with ModelStreamError",
      error is not None and error.response["Error"]["Code"] == "ModelStreamError", error and error.response)
# botocore keeps only the exception's Code and Message; the C# client's tests read its ErrorCode too.
check("its message says the stream broke off", error is not None and "broke off" in error.response["Error"]["Message"], error and error.response)

received, error = stream_error(b"!stream-stall 6")
check("a silent model's stream delivers its first part", b"".join(received) == b"part 1 of 1 for None\n", received)
check("a silent model's stream ends with ModelStreamError after the invocation timeout",
      error is not None and error.response["Error"]["Code"] == "ModelStreamError"
      and "sent nothing for 3 seconds" in error.response["Error"]["Message"], error and error.response)

try:
    runtime.invoke_endpoint_with_response_stream(EndpointName="never-created", Body=b"x")
    check("unknown endpoint raises ValidationError", False, "no error")
except runtime.exceptions.ValidationError as error:
    check("unknown endpoint raises ValidationError", "Endpoint never-created of account" in error.response["Error"]["Message"], error.response)

check.exit()
