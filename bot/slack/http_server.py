"""HTTP mode: the Bolt app behind waitress, a production WSGI server.

Bolt's own `app.start()` is a development server; waitress queues bursts on a fixed thread
pool and answers a request it cannot read with a 4xx instead of dropping the connection.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

import waitress
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY = 1024 * 1024  # Slack payloads are a few KB; anything this big is not from Slack
THREADS = 8
log = logging.getLogger("smartstep.http")

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _plain(start_response: Callable[..., Any], status: int, text: str) -> Iterable[bytes]:
    response = WsgiHttpResponse(status=status, headers={"content-type": ["text/plain; charset=utf-8"]}, body=text)
    start_response(response.status, response.get_headers())
    return response.get_body()


def build_wsgi(app: App, health: Callable[[], dict[str, Any]] | None = None) -> Wsgi:
    """POST /slack/events goes to Bolt (signature check first); GET /healthz says the process is up
    (as JSON with `health()`'s fields, e.g. the data's age and the last sync, when given)."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and method in ("GET", "HEAD") and health is not None:
            body = json.dumps({"status": "ok", **health()})
            response = WsgiHttpResponse(status=200, headers={"content-type": ["application/json"]}, body=body)
            start_response(response.status, response.get_headers())
            return response.get_body()
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return _plain(start_response, 200, "ok")
        if path != EVENTS_PATH:
            return _plain(start_response, 404, "Not Found")
        if method != "POST":
            return _plain(start_response, 405, "Method Not Allowed")
        request = WsgiHttpRequest(environ)
        try:
            bolt_request = BoltRequest(
                body=request.get_body(), query=request.query_string, headers=request.get_headers()
            )
        except Exception as error:  # undecodable bytes, broken JSON, a payload of the wrong shape
            log.info("refused an unreadable request to %s: %s", path, type(error).__name__)
            return _plain(start_response, 400, "Bad Request")
        if not well_formed(bolt_request.body):
            log.info("refused a request with a malformed payload to %s", path)
            return _plain(start_response, 400, "Bad Request")
        bolt_response = app.dispatch(bolt_request)
        response = WsgiHttpResponse(status=bolt_response.status, headers=bolt_response.headers, body=bolt_response.body)
        start_response(response.status, response.get_headers())
        return response.get_body()

    return application


OBJECT_FIELDS = ("event", "user", "channel", "team", "container", "message", "view", "enterprise")


def well_formed(body: object) -> bool:
    """The payload has the shape Bolt's middleware assumes (objects where Slack sends objects)."""
    if not isinstance(body, dict):
        return False
    if any(key in body and body[key] is not None and not isinstance(body[key], dict) for key in OBJECT_FIELDS):
        return False
    if body.get("type") == "event_callback" and not isinstance(body.get("event"), dict):
        return False
    if "view" in body and not isinstance((body["view"] or {}).get("type"), str):
        return False  # Bolt reads view.type on every view payload
    authorizations = body.get("authorizations")
    return authorizations is None or (
        isinstance(authorizations, list) and all(isinstance(a, dict) for a in authorizations)
    )


def favour_acks() -> None:
    """Hand the GIL over more often (1 ms instead of 5 ms) so request threads that only need to ack are
    not kept waiting behind listener threads computing answers; measured in bench/bench_slack.py."""
    sys.setswitchinterval(0.001)


def create_server(
    app: App,
    host: str = "0.0.0.0",
    port: int = 3000,
    threads: int = THREADS,
    health: Callable[[], dict[str, Any]] | None = None,
    **tuning: Any,
) -> Any:
    """A waitress server (not yet running): `.run()` serves, `.close()` stops, `.effective_port` is the port.

    `tuning` passes other waitress adjustments (tests shorten `asyncore_loop_timeout` to stop quickly).
    """
    return waitress.create_server(
        build_wsgi(app, health),
        host=host,
        port=port,
        threads=threads,
        backlog=1024,
        connection_limit=200,
        max_request_body_size=MAX_BODY,
        channel_timeout=30,
        clear_untrusted_proxy_headers=True,
        ident="smartstep",
        **tuning,
    )


class BackgroundServer:
    """The server on a daemon thread, stopped cleanly from another thread (tests and the benchmark).

    waitress's `run()` loops until the process exits; this loops in short slices so `stop()` can
    end the loop first and close the sockets after, instead of closing them under a running select().
    """

    def __init__(self, server: Any) -> None:
        self.server = server
        self.port: int = server.effective_port
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="smartstep-http", daemon=True)

    def start(self) -> BackgroundServer:
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.server.asyncore.loop(timeout=0.05, map=self.server._map, count=1)
        self.server.close()
        self.server.task_dispatcher.shutdown()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
