"""HTTP mode: the Bolt app behind waitress, a production WSGI server.

Bolt's own `app.start()` is a development server; waitress queues bursts on a fixed thread
pool and answers a request it cannot read with a 4xx instead of dropping the connection.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import waitress
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse

from smartstep.slack.verification import REQUEST_ID

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY = 1024 * 1024  # Slack payloads are a few KB; anything this big is not from Slack
THREADS = 8
PROXY_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")  # a proxy's X-Request-Id, if it is safe to log
log = logging.getLogger("smartstep.http")

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _plain(start_response: Callable[..., Any], status: int, text: str, request_id: str = "") -> Iterable[bytes]:
    headers = {"content-type": ["text/plain; charset=utf-8"]}
    if request_id:
        headers[REQUEST_ID] = [request_id]
    response = WsgiHttpResponse(status=status, headers=headers, body=text)
    start_response(response.status, response.get_headers())
    return response.get_body()


def request_id_of(environ: dict[str, Any]) -> str:
    """The reverse proxy's X-Request-Id when it is a plain token (so log lines match the proxy's),
    otherwise a fresh one; sent back in the response's X-Request-Id."""
    given = str(environ.get("HTTP_X_REQUEST_ID") or "")
    return given if PROXY_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]


def build_wsgi(app: App) -> Wsgi:
    """POST /slack/events goes to Bolt (signature check first); GET /healthz says the process is up."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return _plain(start_response, 200, "ok")
        if path != EVENTS_PATH:
            return _plain(start_response, 404, "Not Found")
        if method != "POST":
            return _plain(start_response, 405, "Method Not Allowed")
        request, request_id = WsgiHttpRequest(environ), request_id_of(environ)
        try:
            headers = {**request.get_headers(), REQUEST_ID: request_id}
            bolt_request = BoltRequest(body=request.get_body(), query=request.query_string, headers=headers)
        except Exception as error:  # undecodable bytes, broken JSON, a payload of the wrong shape
            log.info("refused request %s: unreadable (%s)", request_id, type(error).__name__)
            return _plain(start_response, 400, "Bad Request", request_id)
        if not well_formed(bolt_request.body):
            log.info("refused request %s: the payload does not have the shape Slack sends", request_id)
            return _plain(start_response, 400, "Bad Request", request_id)
        bolt_response = app.dispatch(bolt_request)
        response_headers = {**bolt_response.headers, REQUEST_ID: [request_id]}
        response = WsgiHttpResponse(status=bolt_response.status, headers=response_headers, body=bolt_response.body)
        start_response(response.status, response.get_headers())
        return response.get_body()

    return application


OBJECT_FIELDS = ("event", "user", "channel", "team", "container", "message", "view", "enterprise")


def well_formed(body: object) -> bool:
    """The payload has the shape Bolt's middleware assumes (objects where Slack sends objects)."""
    if not isinstance(body, dict) or not body:
        return False  # Slack always sends something (a type, a command, a payload, or its ssl_check)
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


def create_server(app: App, host: str = "0.0.0.0", port: int = 3000, threads: int = THREADS, **tuning: Any) -> Any:
    """A waitress server (not yet running): `.run()` serves, `.close()` stops, `.effective_port` is the port.

    `tuning` passes other waitress adjustments (tests shorten `asyncore_loop_timeout` to stop quickly).
    """
    return waitress.create_server(
        build_wsgi(app),
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
