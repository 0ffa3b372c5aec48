"""Recomputes a captured request's SigV4 signature with botocore's own implementation and compares it.

Input on stdin (JSON): method, url, headers ([[name, value], ...] as they arrived on the wire), body (base64),
access_key, secret_key, token, region. Prints botocore's Authorization header and the client's; exits 0 when they
are equal, 1 when they differ.
"""
import base64
import json
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

captured = json.load(sys.stdin)
authorization = [v for k, v in captured["headers"] if k.lower() == "authorization"]
headers = [(k, v) for k, v in captured["headers"] if k.lower() != "authorization"]
request = AWSRequest(method=captured["method"], url=captured["url"], data=base64.b64decode(captured["body"]))
for name, value in headers:
    request.headers[name] = value
# Sign at the time the client signed: botocore's add_auth would take the current time instead.
request.context["timestamp"] = request.headers["X-Amz-Date"]
signer = SigV4Auth(Credentials(captured["access_key"], captured["secret_key"], captured["token"]), "sagemaker", captured["region"])
canonical = signer.canonical_request(request)
signature = signer.signature(signer.string_to_sign(request, canonical), request)
signed_headers = signer.signed_headers(signer.headers_to_sign(request))
expected = (f"AWS4-HMAC-SHA256 Credential={captured['access_key']}/{signer.credential_scope(request)}, "
            f"SignedHeaders={signed_headers}, Signature={signature}")
print(json.dumps({"botocore": expected, "client": authorization[0] if authorization else None, "canonical_request": canonical}, indent=1))
sys.exit(0 if authorization and authorization[0] == expected else 1)
