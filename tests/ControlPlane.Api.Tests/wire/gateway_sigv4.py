"""The inference gateway with SigV4 authentication, as boto3's sagemaker-runtime meets it: InvokeEndpoint signed with a
configured key (service `sagemaker`, any region) reaches the model; forged, stale, unsigned and unknown-key calls are
refused with AWS's codes; another account's endpoint answers as one that does not exist.

usage: python3 gateway_sigv4.py <control-plane-url> <gateway-url> <endpoint>
    (the services run with the ALPHA and BRAVO keys; <endpoint> is ALPHA's, on the scripted server)
"""

import datetime
import json
import sys
import urllib.request

sys.dont_write_bytecode = True

import boto3  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from sigv4_requests import ALPHA, BRAVO, MISMATCH, expect, refused, send, sign, utc_now  # noqa: E402
from wirecheck import Checks, eq, fail, true  # noqa: E402

GATEWAY, ENDPOINT = sys.argv[2].rstrip("/"), sys.argv[3]
MAX_PAYLOAD = 6 * 1024 * 1024

check = Checks()


def runtime(key, region="us-east-1"):
    return boto3.session.Session(aws_access_key_id=key[0], aws_secret_access_key=key[1], region_name=region).client(
        "sagemaker-runtime", endpoint_url=GATEWAY, config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))


def invocation(body=b"1.0,2.0", endpoint=ENDPOINT):
    return AWSRequest(method="POST", url="%s/endpoints/%s/invocations" % (GATEWAY, endpoint), data=body, headers={"Content-Type": "text/csv"})


@check
def boto3_sagemaker_runtime_signed_with_a_configured_key_reaches_the_model_in_any_region(url):
    for region in ("us-east-1", "eu-west-1"):
        answer = runtime(ALPHA, region).invoke_endpoint(EndpointName=ENDPOINT, Body=b"1.0,2.0", ContentType="text/csv")
        eq(json.loads(answer["Body"].read())["body"], "1.0,2.0", "the model's echo of the body (%s)" % region)
        eq(answer["InvokedProductionVariant"], "AllTraffic", "the variant that served")


@check
def a_signed_payload_of_5_MB_is_verified_and_forwarded_whole(url):
    body = b"x" * (5 * 1024 * 1024)
    answer = runtime(ALPHA).invoke_endpoint(EndpointName=ENDPOINT, Body=body, ContentType="text/csv")
    eq(len(json.loads(answer["Body"].read())["body"]), len(body), "the length the model received")


@check
def a_signed_payload_over_6_MB_is_a_ValidationError(url):
    expect(send(sign(invocation(b"x" * (MAX_PAYLOAD + 1)))), 400, "ValidationError", message_starts="The request body exceeds the maximum size")


@check
def a_model_error_reaches_a_signed_caller_as_ModelError(url):
    refused(lambda: runtime(ALPHA).invoke_endpoint(EndpointName=ENDPOINT, Body=b"!status 500"), "ModelError", 424,
            message_starts="Received server error (500) from primary")


@check
def another_accounts_endpoint_answers_exactly_as_an_endpoint_that_does_not_exist(url):
    bravo = runtime(BRAVO)
    refused(lambda: bravo.invoke_endpoint(EndpointName=ENDPOINT, Body=b"1"), "ValidationError", 400,
            message="Endpoint %s of account %s not found." % (ENDPOINT, BRAVO[2]), what="ALPHA's endpoint")
    refused(lambda: bravo.invoke_endpoint(EndpointName="never-created", Body=b"1"), "ValidationError", 400,
            message="Endpoint never-created of account %s not found." % BRAVO[2], what="an endpoint never created")


@check
def a_tampered_body_is_an_InvalidSignatureException(url):
    expect(send(sign(invocation(b"1.0,2.0")), body=b"9.9,9.9"), 403, "InvalidSignatureException", message=MISMATCH)


@check
def a_wrong_secret_is_an_InvalidSignatureException(url):
    refused(lambda: runtime((ALPHA[0], "not-the-secret")).invoke_endpoint(EndpointName=ENDPOINT, Body=b"1"), "InvalidSignatureException", 403, message=MISMATCH)


@check
def a_credential_for_another_service_is_refused(url):
    for service in ("sagemaker-runtime", "s3"):
        expect(send(sign(invocation(), service=service)), 403, "InvalidSignatureException",
               message="Credential should be scoped to correct service: 'sagemaker'. ", what=service)


@check
def a_signature_older_than_15_minutes_has_expired(url):
    expect(send(sign(invocation(), at=utc_now() - datetime.timedelta(minutes=20))), 403, "InvalidSignatureException", message_starts="Signature expired: ")
    eq(send(sign(invocation(), at=utc_now() - datetime.timedelta(minutes=10)))[0], 200, "10 minutes old")


@check
def a_signature_dated_more_than_15_minutes_ahead_is_not_yet_current(url):
    expect(send(sign(invocation(), at=utc_now() + datetime.timedelta(minutes=20))), 403, "InvalidSignatureException", message_starts="Signature not yet current: ")
    eq(send(sign(invocation(), at=utc_now() + datetime.timedelta(minutes=10)))[0], 200, "10 minutes ahead")


@check
def an_unsigned_invocation_is_a_MissingAuthenticationTokenException(url):
    expect(send(invocation()), 403, "MissingAuthenticationTokenException", message="Missing Authentication Token")


@check
def an_unknown_access_key_is_an_UnrecognizedClientException(url):
    refused(lambda: runtime(("AKIDNOBODY", "x")).invoke_endpoint(EndpointName=ENDPOINT, Body=b"1"), "UnrecognizedClientException", 403,
            message="The security token included in the request is invalid.")


@check
def an_Authorization_header_without_a_signature_is_an_IncompleteSignatureException(url):
    request = sign(invocation())
    request.headers.replace_header("Authorization", request.headers["Authorization"].split(", Signature=")[0])
    expect(send(request), 400, "IncompleteSignatureException", message="Authorization header requires 'Signature' parameter.")


@check
def refusals_carry_a_request_id_and_ping_stays_open(url):
    try:
        runtime(("AKIDNOBODY", "x")).invoke_endpoint(EndpointName=ENDPOINT, Body=b"1")
        fail("an unknown key was accepted")
    except ClientError as error:
        true(error.response["ResponseMetadata"].get("RequestId"), "x-amzn-RequestId on a refusal")
    with urllib.request.urlopen(GATEWAY + "/ping", timeout=10) as ping:
        eq(ping.status, 200, "GET /ping without credentials")


check.run()
