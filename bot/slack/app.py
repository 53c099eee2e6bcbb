"""Building the Slack app: the Bolt `App` with our client, middleware, error handler and listeners.

Nothing happens at import time and construction makes no network call, so tests (and
`smartstep serve`) decide when and where Slack is reached.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk import WebClient

from smartstep.advice.signals import signal_registry
from smartstep.db import open_db
from smartstep.knowledge import IndexCache
from smartstep.rules.loader import RuleSet
from smartstep.rules.watch import RuleWatcher
from smartstep.settings import Settings
from smartstep.slack.advisor import advisor_skills, check_rule_problems
from smartstep.slack.client import build_client
from smartstep.slack.health import StoreFile
from smartstep.slack.listeners import register
from smartstep.slack.listeners.replies import describe, report_failure
from smartstep.slack.markup import escape
from smartstep.slack.services import STORE_WORKERS, Answerer, SkillFactory, SlackServices
from smartstep.slack.verification import is_verified, request_id, verify_requests

LISTENER_THREADS = 4
log = logging.getLogger("smartstep.slack")


def watch_rules(settings: Settings, client: WebClient, interval: float = 2.0) -> RuleWatcher:
    """The rule base in force (`.current`), reloaded when its files change on disk. A broken edit is
    logged and sent to every admin in a direct message; the last good rule base stays in force."""
    from smartstep.rules.loader import RuleBaseError, default_rules_path

    path = settings.rules_path or default_rules_path()

    def report(problems: list) -> None:
        shown = "\n".join(f"• {p}" for p in problems[:10])
        text = f"A rule base edit in {path} was not applied; the last good rules stay in force.\n{shown}"
        log.error(text)
        text = escape(text)  # a rule file's text, quoted in a problem, is not ours
        for admin in sorted(settings.admins):
            try:
                client.chat_postMessage(channel=admin, text=text)
            except Exception:  # telling admins must never take the bot down
                log.exception("could not tell admin %s about the broken rule base", admin)

    watcher = RuleWatcher(path, on_error=report, signals=signal_registry())
    if watcher.current is None:
        raise RuleBaseError(check_rule_problems(path))
    watcher.start(interval)
    return watcher


def build_app(
    settings: Settings,
    db_path: str | Path,
    client: WebClient | None = None,
    *,
    as_of: datetime | None = None,
    warm_up: bool = False,
    skills: SkillFactory | None = None,
    rules: RuleSet | None = None,
    listener_executor: Executor | None = None,
    store_workers: Executor | None = None,
    store: StoreFile | None = None,
    workers: Answerer | None = None,
) -> App:
    """The app, ready for an HTTP adapter or Socket Mode; the store's schema is brought up to date first.

    `warm_up` answers one question on a background thread so the first real question is not the one
    that waits for models to load (no network involved). `skills` builds the conversation skills; by
    default the advisor, similar cases and feedback in words over `rules` (default: the rule base in
    force, from SMARTSTEP_RULES or the shipped one, reloaded when its files change). `store` is the
    store file the HTTP server's /healthz checks too (by default one is made here). `workers` answer
    questions in other processes (`workers.AnswerWorkers`, built over the same settings); by default
    this process answers. Listeners acknowledge on `listener_executor` and hand their work to
    `store_workers` (defaults: small thread pools); tests pass executors they can drain.
    """
    open_db(db_path).close()
    store = store or StoreFile(db_path, settings.min_free_mb)
    client = client or build_client(settings)
    if rules is not None:
        provider: Callable[[], RuleSet] = lambda: rules  # noqa: E731 - a fixed rule base (tests)
    else:
        watcher = watch_rules(settings, client)
        provider = lambda: watcher.current  # noqa: E731
    # After an import the case index is updated on a background thread; questions go on meanwhile.
    cases = IndexCache(connect=lambda path: open_db(path, migrate=False))
    default_skills, top_steps = advisor_skills(settings, provider, as_of, cases)
    services = SlackServices(
        settings=settings,
        db_path=Path(db_path),
        as_of=as_of,
        skills=skills if skills is not None else default_skills,
        top_steps=top_steps,
        cases=cases,
        store_file=store,
        answers=workers,
        workers=store_workers or store_worker_pool(workers),
    )
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        token_verification_enabled=False,
        # Our own check replaces Bolt's: it refuses malformed headers instead of raising, marks what it
        # verified, and never logs a refused body. It runs before authorization (no Web API call first).
        request_verification_enabled=False,
        before_authorize=verify_requests(settings.slack_signing_secret),
        process_before_response=False,
        # Unknown event types, action ids and views reach the error handler, which acknowledges them
        # with 200: a 404 makes Slack retry a delivery we will never handle.
        raise_error_for_unhandled_request=True,
        listener_executor=listener_executor
        or ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="smartstep-listener"),
        name="smartstep",
    )
    app.use(_dedupe_middleware(services))
    app.error(_error_handler)
    register(app, services)
    if warm_up:
        threading.Thread(target=services.warm_up, name="smartstep-warm-up", daemon=True).start()
    return app


def store_worker_pool(answers: Answerer | None) -> ThreadPoolExecutor:
    """The threads handlers run on after the ack. With answer workers, a thread mostly waits on another
    process: two per worker keep every one busy. Without, answers are CPU-bound under one GIL."""
    count = STORE_WORKERS if answers is None else max(STORE_WORKERS, 2 * getattr(answers, "count", 1))
    return ThreadPoolExecutor(max_workers=count, thread_name_prefix="smartstep-store")


def _dedupe_middleware(services: SlackServices):
    """Slack redelivers an event it thinks we missed (X-Slack-Retry-Num): a delivery this process has
    already seen is acknowledged here without dispatch; listeners also claim each event in the store."""

    def dedupe_events(body: dict, request, next, logger) -> BoltResponse | None:  # noqa: A002 (Bolt's kwarg name)
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not services.recent_events.add(str(event_id)):
            retry = request.headers.get("x-slack-retry-num", ["?"])[0]
            logger.info("event %s already handled; acknowledging retry %s without replying", event_id, retry)
            return BoltResponse(status=200, body="")
        next()
        return None

    return dedupe_events


def _error_handler(
    error: Exception, body: dict, context: dict, request: BoltRequest, client: WebClient, logger: logging.Logger
) -> BoltResponse | None:
    """The backstop: log with context, tell the user in one friendly line, keep serving.

    Acts only on a request whose signature was verified: anything else is refused without a word to
    Slack (the body, its channel and its response_url are the sender's inventions).
    """
    if not is_verified(context):
        log.warning(
            "refused request %s: it failed before its signature was checked (%s)",
            request_id(request),
            type(error).__name__,
        )
        return BoltResponse(status=401, body={"error": "invalid request"})
    if isinstance(error, BoltUnhandledRequestError):
        logger.info("ignored a request no listener handles (%s)", describe(body))
        return BoltResponse(status=200, body="")
    report_failure(error, body, client, logger)
    return None
