"""A stand-in for Slack: a local Web API server that records calls, and a harness that signs requests
to the real app served by waitress, the way Slack calls it (bolt-python's mock_web_api_server, trimmed).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import Future, ThreadPoolExecutor, wait
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from slack_data import advice_skills, seed_tickets

from smartstep.advice.rule_inputs import load_rule_base
from smartstep.db import open_db
from smartstep.settings import Settings
from smartstep.slack.app import build_app
from smartstep.slack.health import StoreFile
from smartstep.slack.http_server import BackgroundServer, create_server
from smartstep.slack.services import SlackServices
from smartstep.slack.workers import AnswerWorkers, WorkerSetup

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_USER = "UBOT"


class SlackStub:
    """Answers the Web API methods the app uses and records each call (method, body, headers)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.arrived: list[float] = []  # time.monotonic() of each entry in `calls` (for the benchmark)
        self.refused: list[str] = []  # methods answered with 429
        self.rate_limit: dict[str, int] = {}  # method -> how many 429s to give before answering
        self.lock = threading.Lock()
        self.arrival = threading.Condition(self.lock)  # notified on every recorded call
        self._ts = 1700000000
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode(errors="replace")
                stub.handle(self, self.path, raw, self.headers.get("Content-Type", ""))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def api_url(self) -> str:
        return self.base + "/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.base}/response/{name}"

    def handle(self, handler: BaseHTTPRequestHandler, path: str, raw: str, content_type: str) -> None:
        if path.startswith("/upload/"):  # the file bytes themselves, sent to the URL Slack handed out
            body: dict[str, Any] = {"size": len(raw), "png": raw.startswith("\ufffdPNG")}
        else:
            body = json.loads(raw or "{}") if "json" in content_type else dict(urllib.parse.parse_qsl(raw))
        method = path.removeprefix("/api/") if path.startswith("/api/") else path
        with self.lock:
            if self.rate_limit.get(method, 0) > 0:
                self.rate_limit[method] -= 1
                self.refused.append(method)
                self._send(handler, 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
                return
            self.calls.append((method, body))
            self.arrived.append(time.monotonic())
            self._ts += 1
            ts = f"{self._ts}.000100"
            self.arrival.notify_all()
        self._send(handler, 200, self._answer(method, body, ts))

    def _answer(self, method: str, body: dict[str, Any], ts: str) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": "BBOT", "team_id": "T1", "user": "smartstep"}
        if method in ("chat.postMessage", "chat.update"):
            return {"ok": True, "channel": body.get("channel"), "ts": body.get("ts") or ts, "message": body}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(body.get("users", "X"))}}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": f"{self.base}/upload/F1", "file_id": "F1"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": "F1"}]}
        return {"ok": True}

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, data: dict, headers: dict | None = None) -> None:
        payload = json.dumps(data).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(payload)

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self.lock:
            return self._calls_to(method)

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until `count` calls to `method` arrived (listeners reply after the ack, on other threads);
        after `timeout` seconds, the calls so far (the caller's assertion then says what is missing)."""
        with self.arrival:
            self.arrival.wait_for(lambda: len(self._calls_to(method)) >= count, timeout=timeout)
            return self._calls_to(method)

    def _calls_to(self, method: str) -> list[dict[str, Any]]:
        return [body for name, body in self.calls if name == method]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class DrainableExecutor(ThreadPoolExecutor):
    """The app's listener pool, with a way to wait until every listener it was given has finished:
    after `settle()`, anything the app was going to post for the requests so far has been posted."""

    def __init__(self) -> None:
        super().__init__(max_workers=4, thread_name_prefix="test-listener")
        self._pending: set[Future] = set()
        self._lock = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until no listener is running or queued; fail loudly if that takes longer than `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                pending = set(self._pending)
            if not pending:
                return
            left = deadline - time.monotonic()
            _, not_done = wait(pending, timeout=max(left, 0))
            if not_done and time.monotonic() >= deadline:
                raise AssertionError(f"{len(not_done)} listener(s) still running after {timeout} s")


def sign(body: str, timestamp: int, secret: str = SECRET) -> str:
    """Slack's v0 signature, computed here independently of the SDK: HMAC-SHA256 over `v0:ts:body`."""
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


@functools.cache
def shipped_rules():
    """The shipped rule base, parsed once per test session (each harness would otherwise parse it again)."""
    return load_rule_base(None)


class SlackHarness:
    """The real app in HTTP mode on a loopback port, and helpers that post to it like Slack does."""

    def __init__(
        self,
        db_path: Path,
        stub: SlackStub,
        admins: frozenset[str] = frozenset(),
        skills=None,
        rules=None,
        workers: int = 0,
        ticket_url: str | None = None,
    ) -> None:
        settings = Settings(
            db_path=db_path,
            slack_bot_token="xoxb-test",
            slack_signing_secret=SECRET,
            slack_api_url=stub.api_url,
            admins=admins,
            ticket_url=ticket_url,
        )
        self.stub = stub
        open_db(db_path).close()
        self.store = StoreFile(db_path, settings.min_free_mb)  # what /healthz checks, as `smartstep serve` wires it
        rules = rules if rules is not None else shipped_rules()
        self.answer_workers = None
        if workers:  # answer worker processes, as `smartstep serve --workers N` starts them
            setup = WorkerSetup(settings, db_path, self.store, skills=skills, rules=rules, warm_up=False)
            self.answer_workers = AnswerWorkers(setup, workers)
        self.listeners = DrainableExecutor()
        self.workers = DrainableExecutor()
        self.app = build_app(
            settings,
            db_path,
            skills=skills,
            rules=rules,
            store=self.store,
            workers=self.answer_workers,
            listener_executor=self.listeners,
            store_workers=self.workers,
        )
        self.db_path = db_path
        server = create_server(self.app, health=self.store.problems, host="127.0.0.1", port=0, threads=8)
        self.server = BackgroundServer(server).start()
        self.url = f"http://127.0.0.1:{self.server.port}"
        self._event = 0

    def post(
        self,
        body: str | bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str = SECRET,
        headers: dict[str, str | None] | None = None,
        path: str = "/slack/events",
    ) -> tuple[int, str]:
        stamp = int(time.time()) if timestamp is None else timestamp
        data = body.encode() if isinstance(body, str) else body
        text = data.decode(errors="replace")
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(stamp),
            "X-Slack-Signature": sign(text, stamp, secret),
            **(headers or {}),
        }
        all_headers = {name: value for name, value in all_headers.items() if value is not None}  # None: leave out
        request = urllib.request.Request(self.url + path, data=data, headers=all_headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def event(self, event: dict[str, Any], *, event_id: str | None = None, **options: Any) -> tuple[int, str]:
        self._event += 1
        body = {
            "token": "t",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id or f"Ev{self._event:06d}",
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": "T1", "user_id": BOT_USER, "is_bot": True}],
        }
        return self.post(json.dumps(body), "application/json", **options)

    def command(self, text: str, *, user: str = "U1", channel: str = "C1", **options: Any) -> tuple[int, str]:
        form = {
            "token": "t",
            "team_id": "T1",
            "channel_id": channel,
            "user_id": user,
            "command": "/smartstep",
            "text": text,
            "response_url": self.stub.response_url("cmd"),
            "trigger_id": "1.2.3",
        }
        return self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded", **options)

    def action(self, payload: dict[str, Any], **options: Any) -> tuple[int, str]:
        form = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self.post(form, "application/x-www-form-urlencoded", **options)

    def settle(self) -> None:
        """Wait until the app has done everything the requests so far asked of it: the listeners first,
        since they hand their work to the store workers."""
        self.listeners.settle()
        self.workers.settle()

    def close(self) -> None:
        self.server.stop()
        self.listeners.shutdown(wait=True)
        self.workers.shutdown(wait=True)
        if self.answer_workers is not None:
            self.answer_workers.close()


@pytest.fixture(name="seeded", scope="session")
def seeded_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seeded store per session (copied per test), and the engine's models loaded once."""
    path = tmp_path_factory.mktemp("slack-seed") / "seed.db"
    db = open_db(path)
    seed_tickets(db)
    db.close()
    SlackServices(settings=Settings(), db_path=path).warm_up()
    return path


@pytest.fixture(name="slack")
def slack_fixture(seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "smartstep.db"
    source = open_db(seeded)
    source.conn.execute(f"VACUUM INTO '{path}'")
    source.close()
    stub = SlackStub()
    harness = SlackHarness(path, stub, admins=frozenset({"UADMIN"}), skills=advice_skills)
    yield harness
    harness.close()
    stub.close()
