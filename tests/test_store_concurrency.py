"""Serving while a long import writes (issues 20 and 13 item 5).

Acks stay fast, no answer fails, every mention is answered once after the import commits, a
click is kept, and the import stays all or nothing. The import is the real importer (rows,
metric recompute, case-index update) and holds the write lock for as long as the test needs:
its rows come from a source that pauses until released, as a slow export would, for longer
than SQLite's own 5 s busy timeout. The Slack side is the real Bolt app over HTTP.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import table_dump
from demo_support import demo_db_path
from import_support import HOLD, ImportThread, PausingSource, ticket_rows
from slack_stub import BOT_USER, SlackHarness, SlackStub

from smartstep.db import open_db
from smartstep.errors import UserError
from smartstep.knowledge import IndexCache
from smartstep.knowledge.store import index_dir
from smartstep.slack.blocks import FRIENDLY_ERROR

MESSAGE_TS = "1700000500.000100"


@pytest.fixture(scope="module")
def indexed_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store with its similar-case index saved beside it, as `smartstep demo` leaves it."""
    path = tmp_path_factory.mktemp("served") / "demo.db"
    source = open_db(demo_db_path())
    source.conn.execute(f"VACUUM INTO '{path}'")
    source.close()
    db = open_db(path)
    IndexCache().get(db)
    db.close()
    return path


@pytest.fixture
def served(indexed_demo: Path, tmp_path: Path):
    path = tmp_path / "demo.db"
    shutil.copy(indexed_demo, path)
    shutil.copytree(index_dir(indexed_demo), index_dir(path))
    stub = SlackStub()
    harness = SlackHarness(path, stub)
    yield harness
    harness.close()
    stub.close()


def mention(slack: SlackHarness, text: str, ts: str, **extra: Any) -> float:
    """Post a signed mention; returns how long the ack took."""
    started = time.monotonic()
    event = {"type": "app_mention", "user": "U1", "channel": "C1", "ts": ts, "text": f"<@{BOT_USER}> {text}", **extra}
    status, _ = slack.event(event)
    assert status == 200
    return time.monotonic() - started


def replies_by_thread(stub: SlackStub) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for body in stub.calls_to("chat.postMessage"):
        out.setdefault(body.get("thread_ts") or body.get("channel"), []).append(body.get("text", ""))
    return out


def advice_button(message: dict[str, Any]) -> str:
    """The advice id on the first rating button of a next-steps answer."""
    blocks = message["blocks"] if isinstance(message["blocks"], list) else json.loads(message["blocks"])
    for block in blocks:
        for element in block.get("elements", []):
            if str(element.get("action_id", "")).startswith("rate_"):
                return element["value"]
    raise AssertionError("no rating button in the answer")


def click_up(slack: SlackHarness, message: dict[str, Any], advice_id: str) -> float:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U7"},
        "api_app_id": "A1",
        "container": {"type": "message", "message_ts": MESSAGE_TS, "channel_id": "C1", "is_ephemeral": False},
        "channel": {"id": "C1"},
        "message": {**message, "ts": MESSAGE_TS},
        "response_url": slack.stub.response_url("action"),
        "trigger_id": "1.2.3",
        "actions": [{"type": "button", "action_id": "rate_up", "value": advice_id, "action_ts": "1700000600.1"}],
    }
    started = time.monotonic()
    status, _ = slack.action(payload)
    assert status == 200
    return time.monotonic() - started


QUESTIONS = {
    "1700001000.000001": "how is CSAT for Billing?",
    "1700001000.000002": "show similar cases for invitation emails not arriving",
    "1700001000.000003": "what should Technical do next?",
    "1700001000.000004": "what's the backlog?",
}


def test_answers_during_a_long_import_wait_for_it_and_none_fails(served: SlackHarness) -> None:
    stub = served.stub
    mention(served, "what should Billing do next?", "1700000900.000001")
    [advice] = stub.wait_for("chat.postMessage", timeout=60)
    advice_id = advice_button(advice)
    before = len(stub.calls_to("chat.postMessage"))

    importer = ImportThread(served.db_path, PausingSource(ticket_rows(6000), pause_after=5500)).start_holding()
    first = time.monotonic()
    acks = [mention(served, text, ts) for ts, text in QUESTIONS.items()]
    acks.append(click_up(served, advice, advice_id))
    status, _ = served.event({"type": "app_home_opened", "user": "U7", "channel": "D7", "tab": "home"})
    assert status == 200
    time.sleep(max(0.0, HOLD - (time.monotonic() - first)))  # the import keeps the store that long
    assert all(ack < 3.0 for ack in acks), acks
    failed = [body for body in stub.calls_to("chat.postMessage") if FRIENDLY_ERROR in body.get("text", "")]
    assert failed == []  # on the old code: "database is locked" after 5 s, and this reply
    cued = {r["timestamp"] for r in stub.calls_to("reactions.add")}
    assert set(QUESTIONS) <= cued  # each asker sees "working on it" while the import holds the store
    importer.source.release.set()

    stub.wait_for("chat.postMessage", count=before + len(QUESTIONS), timeout=120)
    stub.wait_for("chat.update", timeout=60)
    stub.wait_for("views.publish", timeout=60)
    importer.join(timeout=120)
    assert importer.error is None
    time.sleep(0.5)  # a second reply to the same mention would arrive now
    replies = replies_by_thread(stub)
    for ts in QUESTIONS:
        assert len(replies[ts]) == 1, (ts, replies.get(ts))
        assert FRIENDLY_ERROR not in replies[ts][0]
    arrived = [t for (method, body), t in zip(stub.calls, stub.arrived, strict=True) if method == "chat.postMessage"]
    assert min(arrived[before:]) >= importer.committed_at  # the claims waited for the commit
    db = open_db(served.db_path)
    assert db.execute("SELECT count(*) FROM tickets WHERE id LIKE 'SLOW-%'").fetchone()[0] == 6000
    assert db.execute("SELECT rating FROM feedback WHERE advice_id = ? AND user = 'U7'", [advice_id]).fetchall() == [
        ("up",)
    ]
    db.close()


def test_an_import_that_fails_at_its_end_leaves_the_store_as_it_was_while_the_bot_serves(
    served: SlackHarness,
) -> None:
    db = open_db(served.db_path)
    before = table_dump(db)
    db.close()
    importer = ImportThread(served.db_path, PausingSource(ticket_rows(6000, bad_last=True), pause_after=5500))
    importer.start_holding()
    first = time.monotonic()
    acks = [mention(served, text, ts) for ts, text in QUESTIONS.items()]
    time.sleep(max(0.0, HOLD - (time.monotonic() - first)))
    importer.source.release.set()
    importer.join(timeout=120)
    assert isinstance(importer.error, UserError) and "slow-export.csv row 6000" in str(importer.error)
    served.stub.wait_for("chat.postMessage", count=len(QUESTIONS), timeout=120)
    assert all(ack < 3.0 for ack in acks), acks
    replies = replies_by_thread(served.stub)
    assert all(len(replies[ts]) == 1 and FRIENDLY_ERROR not in replies[ts][0] for ts in QUESTIONS), replies
    db = open_db(served.db_path)
    after = table_dump(db)
    db.close()
    assert after.pop("slack_events") != before.pop("slack_events")  # the bot's own claims landed after it
    # The bot's own writes: advice it logged ("what should Technical do next?"), its threads and their state.
    for table in ("advice", "feedback", "chat_sessions", "slack_threads"):
        after.pop(table), before.pop(table)
    assert after == before
