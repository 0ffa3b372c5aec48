"""Signed requests as the SigV4 scripts make them: the ALPHA and BRAVO keys the signed test services accept, botocore's
own signer (SigV4Auth) with a chosen key, service and time, requests sent exactly as signed (or with their body
altered), and assertions on AWS's refusals.
"""

import datetime
import json
import urllib.error
import urllib.request

import botocore.auth
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from wirecheck import eq, fail, true

ALPHA = ("AKIDALPHA", "alpha-secret", "111111111111")
BRAVO = ("AKIDBRAVO", "bravo-secret", "222222222222")
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key "
    "and signing method. Consult the service documentation for details."
)


def refused(call, code, status, message=None, message_starts=None, what="call"):
    try:
        result = call()
    except ClientError as e:
        error = e.response["Error"]
        eq(error.get("Code"), code, "%s: code" % what)
        eq(e.response["ResponseMetadata"]["HTTPStatusCode"], status, "%s: status" % what)
        if message is not None:
            eq(error.get("Message"), message, "%s: message" % what)
        if message_starts is not None:
            true((error.get("Message") or "").startswith(message_starts), "%s: message %r" % (what, error.get("Message")))
        return
    fail("%s: expected %s, the call succeeded with %r" % (what, code, result))


def sign(request, key=ALPHA, service="sagemaker", region="us-east-1", at=None):
    original = botocore.auth.get_current_datetime
    if at is not None:
        botocore.auth.get_current_datetime = lambda: at
    try:
        botocore.auth.SigV4Auth(Credentials(key[0], key[1]), service, region).add_auth(request)
    finally:
        botocore.auth.get_current_datetime = original
    return request


def send(request, body=None):
    """Sends a prepared request as-is (optionally with another body); returns (status, parsed JSON body)."""
    prepared = request.prepare()
    data = body if body is not None else prepared.body
    data = data.encode() if isinstance(data, str) else data
    raw = urllib.request.Request(prepared.url, data=data, method=prepared.method, headers=dict(prepared.headers))
    try:
        with urllib.request.urlopen(raw, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def expect(result, status, code, message=None, message_starts=None, what="request"):
    got_status, body = result
    eq((got_status, body.get("__type")), (status, code), "%s: status and __type (message %r)" % (what, body.get("message")))
    if message is not None:
        eq(body.get("message"), message, "%s: message" % what)
    if message_starts is not None:
        true(body.get("message", "").startswith(message_starts), "%s: message %r" % (what, body.get("message")))


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)
