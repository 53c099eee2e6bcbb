"""Conversation state kept in the store between questions: one row per conversation (a Slack
thread or DM, a `smartstep ask --session ID`), forgotten a day after its last question."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import sqlite_utils

from smartstep.chat.conversation import ConversationState
from smartstep.db import write_transaction
from smartstep.weeks import format_time

KEEP = timedelta(days=1)
MAX_STATE = 200_000  # characters; a thread's memory is a few kilobytes


def load_session(db: sqlite_utils.Database, key: str, now: datetime | None = None) -> ConversationState:
    """The conversation's state, or a fresh one when it is new, expired or unreadable."""
    moment = now or datetime.now(UTC)
    row = db.execute("SELECT state, updated_at FROM chat_sessions WHERE key = ?", [key]).fetchone()
    if row is None or row[1] < format_time(moment - KEEP):
        return ConversationState()
    try:
        return ConversationState.from_dict(json.loads(row[0]))
    except (ValueError, TypeError, KeyError):
        return ConversationState()  # written by an older release: start the conversation afresh


def save_session(db: sqlite_utils.Database, key: str, state: ConversationState, now: datetime | None = None) -> None:
    """Store the state (and drop conversations idle for more than a day)."""
    moment = now or datetime.now(UTC)
    text = json.dumps(state.to_dict(), default=str, separators=(",", ":"))
    if len(text) > MAX_STATE:
        state.items = state.items[:20]
        text = json.dumps(state.to_dict(), default=str, separators=(",", ":"))
    with write_transaction(db):
        db.execute(
            "INSERT INTO chat_sessions (key, state, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            [key, text, format_time(moment)],
        )
        db.execute("DELETE FROM chat_sessions WHERE updated_at < ?", [format_time(moment - KEEP)])
