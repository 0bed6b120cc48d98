"""Verifying a minimis webhook in Python with the standard library only (hmac, hashlib, base64).

Pass the raw request body (bytes, exactly as received), the headers, and every signing secret
you currently accept. Usage as a script: a JSON object {"secrets": [...], "headers": {...},
"body": "..."} on stdin; prints the message type and exits 0, or exits 1 if it does not verify.
"""
import base64
import hashlib
import hmac
import json
import sys
import time

TOLERANCE_SECONDS = 5 * 60


def verify_minimis_webhook(secrets, raw_body, headers):
    headers = {name.lower(): value for name, value in headers.items()}
    msg_id = headers["webhook-id"]
    timestamp = headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        raise ValueError("timestamp outside the tolerance")
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + raw_body
    # One "v1,<base64>" per active minimis secret, space-separated (two during a rotation).
    received = [s.split(",", 1)[1] for s in headers["webhook-signature"].split(" ") if s.startswith("v1,")]
    for secret in secrets:
        key = base64.b64decode(secret.removeprefix("whsec_"))
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        if any(hmac.compare_digest(expected, signature) for signature in received):
            return json.loads(raw_body)
    raise ValueError("no matching signature")  # answer 401; minimis retries


if __name__ == "__main__":
    message = json.load(sys.stdin)
    try:
        payload = verify_minimis_webhook(message["secrets"], message["body"].encode(), message["headers"])
    except (ValueError, KeyError) as error:
        print(f"not verified: {error}", file=sys.stderr)
        sys.exit(1)
    print(payload["type"])
