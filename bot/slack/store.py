"""The Slack app's reads and writes in the store: handled event ids, advice for buttons, App Home lists.

Kept apart from the listeners so they stay wiring, and apart from `blocks` so the builders stay pure.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from smartstep.db import write_transaction
from smartstep.weeks import format_time

KEEP_EVENTS = timedelta(days=2)  # Slack retries within minutes; two days is generous.


def claim_event(db: sqlite_utils.Database, event_id: str, now: datetime | None = None) -> bool:
    """True the first time an event id is seen; False for a retry or a duplicate delivery.

    The INSERT is the claim, so two threads handling the same delivery cannot both win.
    """
    moment = now or datetime.now(UTC)
    try:
        with write_transaction(db):  # waits for an import to commit instead of failing
            db.execute(
                "INSERT INTO slack_events (event_id, received_at) VALUES (?, ?)", [event_id, format_time(moment)]
            )
            if hash(event_id) % 50 == 0:  # prune now and then, not on every event
                db.execute("DELETE FROM slack_events WHERE received_at < ?", [format_time(moment - KEEP_EVENTS)])
    except sqlite3.IntegrityError:
        return False
    return True


def advice_from_row(row: dict[str, Any]) -> dict[str, Any]:
    """An `advice` table row in the docs/interface.md advice JSON shape (what the advisor returns)."""

    def parsed(name: str, default: Any) -> Any:
        value = row.get(name)
        if not value:
            return default
        try:
            return json.loads(value)
        except ValueError:
            return default

    return {
        "advice_id": row["id"],
        "rule_id": row["rule_id"],
        "team": row["team"],
        "title": row.get("title") or row["rule_id"],
        "why": row.get("why") or "",
        "steps": parsed("steps", []),
        "score": row.get("score"),
        "evidence": parsed("evidence", []),
        "similar_situations": parsed("similar_situations", []),
    }


def load_advice(db: sqlite_utils.Database, advice_id: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM advice WHERE id = ?", [advice_id]))
    return advice_from_row(rows[0]) if rows else None


def load_ratings(db: sqlite_utils.Database, advice_id: str) -> list[tuple[str, str]]:
    """(user, rating) pairs for one piece of advice, oldest first: what the message shows as recorded."""
    rows = db.execute("SELECT user, rating FROM feedback WHERE advice_id = ? ORDER BY at, user", [advice_id])
    return [(user, rating) for user, rating in rows.fetchall()]


def recent_advice(db: sqlite_utils.Database, limit: int = 5) -> list[dict[str, Any]]:
    """The latest advice with its outcome verdict (if measured) and rating counts, newest first."""
    sql = """
        SELECT a.id, a.team, a.title, a.rule_id, a.created_at, o.verdict, o.metric, o.before, o.after,
               (SELECT count(*) FROM feedback f WHERE f.advice_id = a.id AND f.rating = 'done') AS done
        FROM advice a LEFT JOIN outcomes o ON o.advice_id = a.id
        ORDER BY a.created_at DESC, a.id LIMIT ?
    """
    return list(db.query(sql, [limit]))


KEEP_THREADS = timedelta(days=30)  # a follow-up weeks later in the same thread is still answered


def remember_thread(db: sqlite_utils.Database, channel: str, thread_ts: str, now: datetime | None = None) -> None:
    """The bot answered in this thread: later messages in it are questions for the bot, no @mention needed."""
    moment = now or datetime.now(UTC)
    with db.conn:
        db.conn.execute(
            "INSERT INTO slack_threads (channel, thread_ts, at) VALUES (?, ?, ?) "
            "ON CONFLICT(channel, thread_ts) DO UPDATE SET at = excluded.at",
            [channel, thread_ts, format_time(moment)],
        )
        if hash(thread_ts) % 50 == 0:
            db.conn.execute("DELETE FROM slack_threads WHERE at < ?", [format_time(moment - KEEP_THREADS)])


def is_bot_thread(db: sqlite_utils.Database, channel: str, thread_ts: str) -> bool:
    """Whether the bot started this thread (a digest post) or answered in it."""
    answered = db.execute("SELECT 1 FROM slack_threads WHERE channel = ? AND thread_ts = ?", [channel, thread_ts])
    if answered.fetchone():
        return True
    started = db.execute("SELECT 1 FROM digests WHERE channel = ? AND message_ts = ?", [channel, thread_ts])
    return started.fetchone() is not None
