"""Is this request from Slack? The signature check every HTTP request passes before anything acts on it.

slack_sdk's `SignatureVerifier` does the HMAC, but it trusts the headers' shape: a timestamp such
as `abc` or `1e3`, or a signature with a non-ASCII character, makes it raise instead of refuse, and
an exception in Bolt's middleware reaches the app's error handler with the unverified body. So the
headers are checked here first, every surprise is a refusal, and a request that passed is marked in
its context: the error handler acts only on marked requests.

Refusals are logged with their reason and request id only, never the body (it can hold message
text, card numbers or e-mail addresses).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence

from slack_bolt import BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier

VERIFIED = "smartstep_verified"  # set in a request's context once its signature checked out
REQUEST_ID = "x-request-id"
MAX_AGE = 5 * 60  # Slack's rule: refuse requests signed more than five minutes ago (replays)
TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits only: int() would also take "١٢٣" or " 12"
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
log = logging.getLogger("smartstep.slack")


def refusal(
    verifier: SignatureVerifier | None, body: str | bytes, headers: Mapping[str, Sequence[str]], now: float
) -> str | None:
    """Why this request is not from Slack, or None when its signature is valid."""
    if verifier is None:
        return "no signing secret is configured"
    timestamps, signatures = headers.get("x-slack-request-timestamp") or [], headers.get("x-slack-signature") or []
    if len(timestamps) != 1 or len(signatures) != 1:
        return "not exactly one X-Slack-Request-Timestamp and one X-Slack-Signature header"
    timestamp, signature = str(timestamps[0]), str(signatures[0])
    if not TIMESTAMP.fullmatch(timestamp):
        return "X-Slack-Request-Timestamp is not a Unix time"
    if not SIGNATURE.fullmatch(signature):
        return "X-Slack-Signature is not a v0 signature"
    if abs(now - int(timestamp)) > MAX_AGE:
        return "signed more than five minutes from now (a replay, or a wrong clock)"
    try:
        valid = verifier.is_valid(body, timestamp, signature)
    except (UnicodeError, ValueError, TypeError):  # a body that is not UTF-8, say
        return "the signature could not be computed over this body"
    return None if valid else "the signature does not match the signing secret"


def request_id(req: BoltRequest) -> str:
    """The id the HTTP layer gave this request (or the proxy's), for log lines about it."""
    return str((req.headers.get(REQUEST_ID) or ["-"])[0])


def verify_requests(signing_secret: str | None) -> Callable[..., BoltResponse | None]:
    """Bolt middleware that runs before anything else touches the request (authorization included)."""
    verifier = SignatureVerifier(signing_secret) if signing_secret else None

    def verify_signature(req: BoltRequest, next: Callable[[], None]) -> BoltResponse | None:  # noqa: A002 (Bolt's kwarg name)
        if req.mode == "socket_mode":  # the WebSocket itself is authenticated by the app-level token
            req.context[VERIFIED] = True
            next()
            return None
        try:
            reason = refusal(verifier, req.raw_body, req.headers, time.time())
        except Exception as error:  # a refusal, whatever went wrong: never an error the handler could act on
            reason = f"the headers could not be checked ({type(error).__name__})"
        if reason is not None:
            log.info("refused request %s: %s", request_id(req), reason)
            return BoltResponse(status=401, body={"error": "invalid request"})
        req.context[VERIFIED] = True
        next()
        return None

    return verify_signature


def is_verified(context: Mapping[str, object] | None) -> bool:
    return bool(context) and context.get(VERIFIED) is True
