"""Reading the facts a conversation needs from the store (the I/O edge of the engine)."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from smartstep.chat.conversation import Context
from smartstep.metrics.note_store import notes_between
from smartstep.metrics.reader import choose_period, known_teams, load_history
from smartstep.weeks import shift_week


def load_context(db: sqlite_utils.Database, as_of: datetime | None = None, weeks: int = 60) -> Context:
    """Enough history for trends and baselines (about a year), up to the current week, and the
    names a question may use: teams, customer segments, products and channels."""
    now = choose_period(db, as_of)
    period = now.period
    history = load_history(db, until=period, weeks=weeks) if period else {}
    notes = notes_between(db, shift_week(period, -(weeks - 1)), period) if period else ()
    return Context(
        history=history,
        teams=tuple(known_teams(db)),
        period=period,
        notes=notes,
        note=now.note,
        segments=_distinct(db, "SELECT DISTINCT segment FROM customers"),
        products=_distinct(db, "SELECT DISTINCT product FROM tickets"),
        channels=_distinct(db, "SELECT DISTINCT channel FROM tickets"),
    )


def _distinct(db: sqlite_utils.Database, sql: str) -> tuple[str, ...]:
    return tuple(sorted(str(r[0]) for r in db.execute(sql).fetchall() if r[0]))
