"""Ratings on advice: one per user per piece of advice; a second click updates it."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlite_utils

from smartstep.db import write_transaction
from smartstep.errors import UserError
from smartstep.weeks import format_time

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
    a dangling row.
    """
    if rating not in RATINGS:
        raise UserError(f"unknown rating '{rating}'; use one of {', '.join(RATINGS)}")
    if not db["advice"].count_where("id = ?", [advice_id]):
        raise UserError(f"no advice with id '{advice_id}'")
    with write_transaction(db):
        new = not db["feedback"].count_where("advice_id = ? AND user = ?", [advice_id, user])
        db["feedback"].upsert(
            {
                "advice_id": advice_id,
                "user": user,
                "rating": rating,
                "comment": comment,
                "at": format_time(at or datetime.now(UTC)),
            },
            pk=("advice_id", "user"),
        )
    return new
