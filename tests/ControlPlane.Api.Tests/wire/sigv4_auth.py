"""SigV4 authentication as real clients meet it: boto3 and the aws CLI signed with a configured access key are
accepted; forged, stale, unsigned and unknown-key requests are refused with AWS's codes, messages and statuses.
Forgeries are made with botocore's own signer (SigV4Auth, SigV4QueryAuth) and then altered, as an attacker would.

usage: python3 sigv4_auth.py <service-url>   (the service runs with the ALPHA and BRAVO keys below)
"""

import datetime
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True

import boto3  # noqa: E402
import botocore.auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

from wirecheck import Checks, contains, eq, model_request, true, uid  # noqa: E402
from sigv4_requests import ALPHA, BRAVO, MISMATCH, expect, refused, send, sign, utc_now  # noqa: E402

check = Checks()


def signed_client(url, key, region="us-east-1", token=None):
    return boto3.session.Session(
        aws_access_key_id=key[0], aws_secret_access_key=key[1], aws_session_token=token, region_name=region
    ).client("sagemaker", endpoint_url=url, config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))


def describe_request(url, name="nothing-here", body=None):
    body = body if body is not None else json.dumps({"ModelName": name}).encode()
    return AWSRequest(
        method="POST",
        url=url + "/",
        data=body,
        headers={"X-Amz-Target": "SageMaker.DescribeModel", "Content-Type": "application/x-amz-json-1.1"},
    )


@check
def boto3_signed_with_a_configured_key_creates_and_describes_in_its_own_account(url):
    sm = signed_client(url, ALPHA, region="eu-central-1")
    name = "auth-" + uid()
    created = sm.create_model(**model_request(name))
    contains(created["ModelArn"], ":111111111111:model/", "the ARN names the key's account")
    eq(sm.describe_model(ModelName=name)["ModelName"], name, "describe")
    true(any(m["ModelName"] == name for m in sm.list_models(MaxResults=100)["Models"]), "list shows the model")


@check
def a_session_token_is_accepted(url):
    sm = signed_client(url, BRAVO, token="FwoGZXIvYXdzEXAMPLETOKEN//////////")
    sm.list_models()


@check
def the_aws_cli_signed_with_a_configured_key_is_accepted_and_with_a_wrong_secret_refused(url):
    env = dict(os.environ, AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_PAGER="", AWS_DEFAULT_REGION="ap-southeast-2")
    good = subprocess.run(
        ["aws", "--endpoint-url", url, "sagemaker", "list-models", "--output", "json"],
        env=dict(env, AWS_ACCESS_KEY_ID=ALPHA[0], AWS_SECRET_ACCESS_KEY=ALPHA[1]),
        capture_output=True, text=True, timeout=120,
    )
    eq(good.returncode, 0, "aws sagemaker list-models exit code (stderr %r)" % good.stderr)
    true("Models" in json.loads(good.stdout), "the CLI printed the list")
    bad = subprocess.run(
        ["aws", "--endpoint-url", url, "sagemaker", "list-models"],
        env=dict(env, AWS_ACCESS_KEY_ID=ALPHA[0], AWS_SECRET_ACCESS_KEY="not-the-secret"),
        capture_output=True, text=True, timeout=120,
    )
    true(bad.returncode != 0, "a wrong secret fails the CLI")
    contains(bad.stderr, "InvalidSignatureException", "the CLI reports the code")


@check
def a_wrong_secret_is_an_InvalidSignatureException(url):
    wrong = (ALPHA[0], "not-the-secret", ALPHA[2])
    refused(lambda: signed_client(url, wrong).list_models(), "InvalidSignatureException", 403, message=MISMATCH)


@check
def an_unknown_access_key_is_an_UnrecognizedClientException(url):
    refused(
        lambda: signed_client(url, ("AKIDNOBODY", "x", "")).list_models(),
        "UnrecognizedClientException", 403, message="The security token included in the request is invalid.",
    )


@check
def a_tampered_body_is_an_InvalidSignatureException(url):
    request = sign(describe_request(url, "original"))
    expect(send(request, body=json.dumps({"ModelName": "tampered"}).encode()), 403, "InvalidSignatureException", message=MISMATCH)
    expect(send(sign(describe_request(url, "original"))), 400, "ValidationException", what="the untampered request")


@check
def a_credential_for_another_service_is_refused(url):
    expect(
        send(sign(describe_request(url), service="s3")), 403, "InvalidSignatureException",
        message="Credential should be scoped to correct service: 'sagemaker'. ",
    )


@check
def a_signature_older_than_15_minutes_has_expired(url):
    expect(send(sign(describe_request(url), at=utc_now() - datetime.timedelta(minutes=20))), 403, "InvalidSignatureException", message_starts="Signature expired: ")
    expect(send(sign(describe_request(url), at=utc_now() - datetime.timedelta(minutes=10))), 400, "ValidationException", what="10 minutes old")


@check
def a_signature_dated_more_than_15_minutes_ahead_is_not_yet_current(url):
    expect(send(sign(describe_request(url), at=utc_now() + datetime.timedelta(minutes=20))), 403, "InvalidSignatureException", message_starts="Signature not yet current: ")
    expect(send(sign(describe_request(url), at=utc_now() + datetime.timedelta(minutes=10))), 400, "ValidationException", what="10 minutes ahead")


@check
def a_request_without_Authorization_is_a_MissingAuthenticationTokenException(url):
    expect(send(describe_request(url)), 403, "MissingAuthenticationTokenException", message="Missing Authentication Token")


@check
def a_signed_request_without_its_X_Amz_Date_is_an_IncompleteSignatureException(url):
    request = sign(describe_request(url))
    del request.headers["X-Amz-Date"]
    expect(send(request), 400, "IncompleteSignatureException", message="Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")


@check
def an_Authorization_header_without_a_signature_is_an_IncompleteSignatureException(url):
    request = sign(describe_request(url))
    request.headers.replace_header("Authorization", request.headers["Authorization"].split(", Signature=")[0])
    expect(send(request), 400, "IncompleteSignatureException", message="Authorization header requires 'Signature' parameter.")


@check
def a_presigned_query_string_is_accepted_until_it_expires(url):
    def presigned(expires, at=None):
        request = describe_request(url, "presigned-nothing")
        original = botocore.auth.get_current_datetime
        if at is not None:
            botocore.auth.get_current_datetime = lambda: at
        try:
            botocore.auth.SigV4QueryAuth(Credentials(ALPHA[0], ALPHA[1]), "sagemaker", "us-east-1", expires=expires).add_auth(request)
        finally:
            botocore.auth.get_current_datetime = original
        return request

    expect(send(presigned(300)), 400, "ValidationException", what="a fresh presigned request reaches the operation")
    expect(send(presigned(60, at=utc_now() - datetime.timedelta(minutes=5))), 403, "InvalidSignatureException", message_starts="Signature expired: ")


check.run()
