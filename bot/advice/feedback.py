"""Ratings on advice: one per user per piece of advice; a second click updates it.

Marking a step done also writes a note by itself (dated at the earliest "done"), so charts and
later verdicts show when the team acted; and any change to who has it as done drops its
measured outcome, which is then measured again from the new done week.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlite_utils

from smartstep.db import write_transaction
from smartstep.errors import UserError
from smartstep.metrics.note_store import drop_done_note, put_done_note
from smartstep.weeks import format_time, parse_time, week_start

RATINGS = ("up", "down", "done", "snooze")


def record_rating(
    db: sqlite_utils.Database,
    advice_id: str,
    user: str,
    rating: str,
    comment: str | None = None,
    at: datetime | None = None,
) -> bool:
    """Store or update `user`'s rating of `advice_id`; returns True when it was new.

    Unknown advice or rating is a UserError: a button from an old message must not write
    a dangling row. Clicking the same rating again keeps the time of the first click (a step's
    done week must not move because someone pressed ✅ twice); an explicit `at` before the week the
    advice is about is refused.
    """
    if rating not in RATINGS:
        raise UserError(f"unknown rating '{rating}'; use one of {', '.join(RATINGS)}")
    advice = db.execute("SELECT period FROM advice WHERE id = ?", [advice_id]).fetchone()
    if advice is None:
        raise UserError(f"no advice with id '{advice_id}'")
    if at is not None and advice[0] and at < week_start(advice[0]):
        raise UserError(f"advice {advice_id} is about {advice[0]}; a rating of it cannot be dated {format_time(at)}")
    with write_transaction(db):
        old = db.execute("SELECT rating, at, comment FROM feedback WHERE advice_id = ? AND user = ?", [advice_id, user])
        previous = old.fetchone()
        first_done = _first_done(db, advice_id)
        stamp = format_time(at or datetime.now(UTC))
        if previous is not None and previous[0] == rating and at is None:
            stamp = previous[1]
        db["feedback"].upsert(
            {
                "advice_id": advice_id,
                "user": user,
                "rating": rating,
                "comment": comment if comment is not None or previous is None else previous[2],
                "at": stamp,
            },
            pk=("advice_id", "user"),
        )
        if _first_done(db, advice_id) != first_done:
            db.execute("DELETE FROM outcomes WHERE advice_id = ?", [advice_id])
            _sync_done_note(db, advice_id)
    return previous is None


def _first_done(db: sqlite_utils.Database, advice_id: str) -> tuple[str, str] | None:
    """When the step was first marked done, and by whom (None: nobody has it as done)."""
    row = db.execute(
        "SELECT at, user FROM feedback WHERE advice_id = ? AND rating = 'done' ORDER BY at, user LIMIT 1", [advice_id]
    ).fetchone()
    return (row[0], row[1]) if row else None


def _sync_done_note(db: sqlite_utils.Database, advice_id: str) -> None:
    first = _first_done(db, advice_id)
    if first is None:
        drop_done_note(db, advice_id)
        return
    team, title, rule_id = db.execute("SELECT team, title, rule_id FROM advice WHERE id = ?", [advice_id]).fetchone()
    put_done_note(
        db,
        advice_id,
        day=parse_time(first[0]).date(),
        team=team,
        text=f"Done: {title or rule_id}",
        author=first[1],
        at=first[0],
    )
