"""Shared by the digest tests: a small synthetic store, a test rule base, copying a store, and a
Slack stand-in that also accepts the file upload step of files_upload_v2. (The demo store is the
session's shared one from `demo_support`.)"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils
from slack_sdk import WebClient
from slack_stub import SlackStub

from smartstep.db import open_db
from smartstep.rules.loader import RuleSet, load_rules
from smartstep.weeks import shift_week

LAST = "2026-W46"  # Nov 9-15 2026
WEEKS = 14
TEAMS = ("Alpha", "Beta")

RULES = """
rules:
  - id: test.backlog_high
    title: Backlog is above what the team can clear
    category: employee
    when: {kind: threshold, metric: backlog, above: 100}
    why: "{team}: {backlog_value:.0f} tickets are open."
    steps: [Clear the oldest first.]
    impact: 4
    urgency: 4
    target: backlog
    horizon_weeks: 2
    examples:
      - given: {backlog: [150]}
        fires: true
"""


def rules(tmp: Path) -> RuleSet:
    path = tmp / "digest-rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    return load_rules(path)


def put(db: sqlite_utils.Database, team: str, metric: str, values: list[float], n: int | None = None) -> None:
    """Weekly values ending at LAST, oldest first."""
    start = shift_week(LAST, -(len(values) - 1))
    rows = [
        {"team": team, "metric": metric, "period": shift_week(start, i), "value": v, "n": n, "source": "computed"}
        for i, v in enumerate(values)
    ]
    db["metric_values"].insert_all(rows, pk=("team", "metric", "period"), replace=True)


def flat_store(db: sqlite_utils.Database, backlog_alpha: list[float] | None = None) -> None:
    """Two teams whose numbers do not move; Alpha's backlog can be given to make something happen."""
    for team in TEAMS:
        put(db, team, "backlog", [40.0] * WEEKS)
        put(db, team, "fcr", [70.0] * WEEKS, n=300)
        put(db, team, "first_reply_hours", [3.0] * WEEKS, n=300)
    if backlog_alpha is not None:
        put(db, "Alpha", "backlog", backlog_alpha)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def copy_db(source: Path, target: Path) -> Path:
    db = open_db(source)
    db.conn.execute(f"VACUUM INTO '{target}'")
    db.close()
    return target


class UploadStub(SlackStub):
    """The shared stand-in, plus the step Slack's upload URL takes: raw file bytes, recorded in `uploads`."""

    def __init__(self) -> None:
        super().__init__()
        self.uploads: list[tuple[str, bytes]] = []
        stub, base = self, self.server.RequestHandlerClass

        class Handler(base):
            def do_POST(self) -> None:
                if not self.path.startswith("/upload/"):
                    return super().do_POST()
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with stub.lock:
                    stub.uploads.append((self.path, data))
                    stub.calls.append((self.path, {"bytes": len(data)}))
                payload = b"OK - " + str(len(data)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server.RequestHandlerClass = Handler

    def client(self) -> WebClient:
        return WebClient(token="xoxb-test", base_url=self.api_url)
