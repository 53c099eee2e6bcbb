"""Reading the facts a conversation needs from the store (the I/O edge of the engine)."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from smartstep.chat.engine import Context
from smartstep.metrics.reader import choose_period, known_teams, load_history


def load_context(db: sqlite_utils.Database, as_of: datetime | None = None, weeks: int = 60) -> Context:
    """Enough history for trends and baselines (about a year), up to the current week."""
    now = choose_period(db, as_of)
    history = load_history(db, until=now.period, weeks=weeks) if now.period else {}
    return Context(history=history, teams=tuple(known_teams(db)), period=now.period, note=now.note)
