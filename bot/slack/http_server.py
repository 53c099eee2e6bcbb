"""HTTP mode: the Bolt app behind waitress, a production WSGI server.

Bolt's own `app.start()` is a development server; waitress queues bursts on a fixed thread
pool and answers a request it cannot read with a 4xx instead of dropping the connection.
"""

from __future__ import annotations

import json
import logging
import re
import resource
import sys
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from waitress.adjustments import Adjustments
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from smartstep.slack.verification import REQUEST_ID

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY = 1024 * 1024  # Slack payloads are a few KB; anything this big is not from Slack
THREADS = 8
PROXY_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")  # a proxy's X-Request-Id, if it is safe to log
log = logging.getLogger("smartstep.http")

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Health = Callable[[], list[str]]  # what is wrong, one sentence each; empty when healthy
Details = Callable[[], dict[str, Any]]  # more to report, e.g. the data's age and the last sync


def _plain(start_response: Callable[..., Any], status: int, text: str, request_id: str = "") -> Iterable[bytes]:
    headers = {"content-type": ["text/plain; charset=utf-8"]}
    if request_id:
        headers[REQUEST_ID] = [request_id]
    response = WsgiHttpResponse(status=status, headers=headers, body=text)
    start_response(response.status, response.get_headers())
    return response.get_body()


def _json(start_response: Callable[..., Any], status: int, data: dict[str, Any]) -> Iterable[bytes]:
    response = WsgiHttpResponse(status=status, headers={"content-type": ["application/json"]}, body=json.dumps(data))
    start_response(response.status, response.get_headers())
    return response.get_body()


def request_id_of(environ: dict[str, Any]) -> str:
    """The reverse proxy's X-Request-Id when it is a plain token (so log lines match the proxy's),
    otherwise a fresh one; sent back in the response's X-Request-Id."""
    given = str(environ.get("HTTP_X_REQUEST_ID") or "")
    return given if PROXY_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]


def build_wsgi(app: App, health: Health = lambda: [], details: Details | None = None) -> Wsgi:
    """POST /slack/events goes to Bolt (signature check first). GET /healthz runs `health` (the store's
    checks) and answers JSON: 200 `{"status": "ok", ...}`, or 503 `{"status": "unhealthy", "problems":
    [one sentence each], ...}`, with `details()` added (the data's age, each helpdesk sync)."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            problems = health()
            report: dict[str, Any] = {"status": "unhealthy" if problems else "ok"}
            if problems:
                log.error("unhealthy: %s", "; ".join(problems))
                report["problems"] = problems
            report.update(details() if details is not None else {})
            return _json(start_response, 503 if problems else 200, report)
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


# waitress's settings for a server on the open internet (waitress's defaults in brackets). Without them,
# 200 idle sockets held every connection slot for about a minute and /healthz and Slack timed out.
SERVER_SETTINGS: dict[str, Any] = {
    "backlog": 2048,  # connections the kernel queues while every channel is busy [1024]
    "connection_limit": 1000,  # open connections at once; at the limit the longest-idle make room [100]
    "channel_timeout": 15,  # close a connection idle this long (a proxy's keep-alive must be shorter) [120]
    "cleanup_interval": 1,  # look for idle connections every second, not every 30 s [30]
    "asyncore_use_poll": True,  # select() cannot watch more than 1,024 sockets [False]
    "max_request_header_size": 32 * 1024,  # Slack's headers are well under 4 KB [256 KB]
    "max_request_body_size": MAX_BODY,  # [1 GB]
    "clear_untrusted_proxy_headers": True,
    "ident": "smartstep",
}


class SheddingServer(TcpWSGIServer):
    """waitress's TCP server, except that at its connection limit it closes the connections that have
    been idle longest (no request being served, nothing left to send) instead of refusing new ones
    until its next clean-up: idle or slow sockets, however many, cannot lock Slack out."""

    def readable(self) -> bool:
        if self.accepting and len(self._map) >= self.adj.connection_limit:
            self.make_room()
        return bool(super().readable())

    def make_room(self) -> None:
        channels = list(self.active_channels.values())
        closing = sum(1 for c in channels if c.will_close)
        if len(self._map) - closing < self.adj.connection_limit:
            return  # room is already being made
        idle = sorted(
            (c for c in channels if not c.will_close and not c.requests and not c.total_outbufs_len),
            key=lambda c: c.last_activity,
        )[: max(1, self.adj.connection_limit // 10)]
        for channel in idle:
            channel.will_close = True  # closed by the loop on its next pass
        if idle:
            log.warning(
                "at the connection limit (%d): closing the %d longest-idle", self.adj.connection_limit, len(idle)
            )


def connection_limit(wanted: int) -> int:
    """At most half the open-file limit: each connection takes a descriptor, the store takes a few."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return wanted if soft == resource.RLIM_INFINITY else max(16, min(wanted, soft // 2))


def create_server(
    app: App,
    *,
    health: Health,
    details: Details | None = None,
    host: str = "0.0.0.0",
    port: int = 3000,
    threads: int = THREADS,
    **tuning: Any,
) -> Any:
    """A waitress server (not yet running): `.run()` serves, `.close()` stops, `.effective_port` is the port.
    `health` is what /healthz checks (`StoreFile.problems` of the store the app serves); `details` what
    it reports beside (the data's age, the helpdesk syncs).

    `tuning` overrides SERVER_SETTINGS or passes other waitress adjustments (tests shorten
    `asyncore_loop_timeout`, or lower the connection limit to reach it).
    """
    settings = {**SERVER_SETTINGS, **tuning}
    settings["connection_limit"] = connection_limit(settings["connection_limit"])
    adj = Adjustments(host=host, port=port, threads=threads, **settings)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    channels: dict[int, Any] = {}
    servers = [
        SheddingServer(build_wsgi(app, health, details), channels, dispatcher=dispatcher, adj=adj, sockinfo=sockinfo)
        for sockinfo in adj.listen
    ]
    if len(servers) == 1:
        return servers[0]
    listening = [(s.effective_host, s.effective_port) for s in servers]  # "localhost": IPv4 and IPv6
    return MultiSocketServer(channels, adj, listening, dispatcher, servers[-1].log_info)


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
            self.server.asyncore.loop(
                timeout=0.05, map=self.server._map, count=1, use_poll=self.server.adj.asyncore_use_poll
            )
        self.server.close()
        self.server.task_dispatcher.shutdown()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
