"""How listeners talk back beyond the answer itself: the "working on it" cue and the friendly failure."""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from smartstep.errors import UserError
from smartstep.slack.blocks import FRIENDLY_ERROR
from smartstep.slack.client import retry_handlers
from smartstep.slack.health import StoreUnavailable
from smartstep.slack.markup import escape, plain_text

SLOW_AFTER = 1.0  # seconds before the user sees that we are still working
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
T = TypeVar("T")


def strip_mention(text: str) -> str:
    return MENTION.sub(" ", text or "").strip()


def question_of(text: str) -> str:
    """The question in a mention or DM: without the mentions, in the words the person typed."""
    return plain_text(strip_mention(text)).strip()


def with_cue(work: Callable[[], T], cue: Callable[[], None], after: float = SLOW_AFTER) -> tuple[T, bool]:
    """Run `work`; if it takes longer than `after` seconds, `cue` runs once meanwhile. Returns (result, cued)."""
    fired = threading.Event()

    def fire() -> None:
        fired.set()
        try:
            cue()
        except Exception:  # a failed cue must never cost the answer
            logging.getLogger("smartstep.slack").warning("could not show the working-on-it cue", exc_info=True)

    timer = threading.Timer(after, fire)
    timer.daemon = True
    timer.start()
    try:
        return work(), fired.is_set()
    finally:
        timer.cancel()


def respond_url(url: str, message: dict[str, Any], **options: Any) -> None:
    """Post to a response_url (slash commands, ephemeral buttons): works where the bot is not a channel member."""
    WebhookClient(url, timeout=15, retry_handlers=retry_handlers()).send_dict({**message, **options})


def describe(body: dict[str, Any]) -> str:
    """Who and where, for the log line that goes with a failure."""
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    user_obj = body.get("user") if isinstance(body.get("user"), dict) else {}
    channel_obj = body.get("channel") if isinstance(body.get("channel"), dict) else {}
    user = body.get("user_id") or user_obj.get("id") or event.get("user")
    channel = body.get("channel_id") or channel_obj.get("id") or event.get("channel")
    kind = body.get("command") or event.get("type") or body.get("type")
    return f"kind={kind} team={body.get('team_id')} user={user} channel={channel} event_id={body.get('event_id')}"


@contextlib.contextmanager
def recording(what: str) -> Iterator[None]:
    """A write the user asked for (a rating, a call-back): if the store refuses it, they are told that
    `what` was not recorded instead of seeing it shown as done."""
    try:
        yield
    except (sqlite3.Error, OSError) as error:
        message = (
            f"Your {what} was not recorded: smartstep cannot write to its store right now. Please try again later."
        )
        raise StoreUnavailable(message, f"{type(error).__name__}: {error}") from None


def report_failure(error: BaseException, body: dict[str, Any], client: WebClient, logger: logging.Logger) -> None:
    """Log the failure with its context and tell the user in one sentence; never a traceback in Slack."""
    body = body if isinstance(body, dict) else {}
    if isinstance(error, StoreUnavailable):
        logger.error("store unavailable (%s): %s", describe(body), error.detail)
        text = escape(str(error))
    elif isinstance(error, UserError):
        logger.info("user error (%s): %s", describe(body), error)
        text = escape(str(error))  # it may quote what the user typed
    else:
        logger.error("handler failed (%s)", describe(body), exc_info=error)
        text = FRIENDLY_ERROR
    try:
        _tell(body, client, text)
    except Exception:
        logger.exception("could not send the failure message (%s)", describe(body))


def _tell(body: dict[str, Any], client: WebClient, text: str) -> None:
    if body.get("response_url"):
        respond_url(body["response_url"], {"text": text}, response_type="ephemeral", replace_original=False)
        return
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    channel = event.get("channel")
    if channel and event.get("type") in ("app_mention", "message"):
        client.chat_postMessage(channel=channel, thread_ts=event.get("thread_ts") or event.get("ts"), text=text)
    elif body.get("type") == "view_submission" and isinstance(body.get("user"), dict):  # the modal closed: a DM
        client.chat_postMessage(channel=str(body["user"].get("id")), text=text)


def guarded(handler: Callable[..., None]) -> Callable[..., None]:
    """Lazy listeners bypass Bolt's error handler, so they report their own failures the same way.

    Keeps the handler's signature visible to Bolt's argument injection.
    """

    @functools.wraps(handler)
    def wrapper(body: dict, client: WebClient, logger: logging.Logger, **kwargs: Any) -> None:
        try:
            handler(body=body, client=client, logger=logger, **kwargs)
        except Exception as error:
            report_failure(error, body, client, logger)

    return wrapper
