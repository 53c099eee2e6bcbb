"""Notes in the store: add, list, remove, and the note a step marked done writes by itself.

Every surface (CLI `smartstep note`, Slack `/smartstep note`, the feedback buttons) writes through
here, so a note is checked the same way wherever it comes from.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlite_utils

from smartstep.db import write_transaction
from smartstep.errors import UserError
from smartstep.metrics.notes import DONE, MANUAL, Note, notes_in
from smartstep.weeks import format_time

MAX_TEXT = 300


def parse_day(text: str, where: str = "--at") -> date:
    """`2026-10-12` (or a full ISO time: its date); one sentence naming `where` otherwise."""
    value = text.strip()
    try:
        return date.fromisoformat(value[:10]) if len(value) >= 10 else date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{where}: {value!r} is not a date like 2026-10-12") from None


def add_note(
    db: sqlite_utils.Database,
    text: str,
    *,
    team: str | None = None,
    day: date | None = None,
    author: str | None = None,
    at: datetime | None = None,
) -> Note:
    """Store a note and return it with its id. Empty or very long text is refused."""
    cleaned = " ".join((text or "").split())
    if not cleaned:
        raise UserError("a note needs some text, e.g. “Release 4.2 changed the billing page”")
    if len(cleaned) > MAX_TEXT:
        raise UserError(f"a note is at most {MAX_TEXT} characters; this one has {len(cleaned)}")
    moment = at or datetime.now(UTC)
    row = {
        "day": (day or moment.date()).isoformat(),
        "team": team,
        "text": cleaned,
        "source": MANUAL,
        "advice_id": None,
        "author": author,
        "created_at": format_time(moment),
    }
    with write_transaction(db):
        note_id = db["notes"].insert(row).last_pk
    return _note({**row, "id": note_id})


def remove_note(db: sqlite_utils.Database, note_id: int) -> Note:
    """Delete a note by id; a note a done step wrote goes away when the step is no longer done."""
    rows = list(db.query("SELECT * FROM notes WHERE id = ?", [note_id]))
    if not rows:
        raise UserError(f"no note with id {note_id}")
    if rows[0]["source"] == DONE:
        step = rows[0]["advice_id"]
        raise UserError(f"note {note_id} was written by marking step {step} done; change that rating instead")
    with write_transaction(db):
        db["notes"].delete(note_id)
    return _note(rows[0])


def list_notes(db: sqlite_utils.Database, team: str | None = None) -> list[Note]:
    """Every note, oldest first; with `team`, that team's notes and the organisation-wide ones."""
    notes = [_note(r) for r in db.query("SELECT * FROM notes ORDER BY day, id")]
    return [n for n in notes if n.applies_to(team)]


def notes_between(
    db: sqlite_utils.Database, first_week: str, last_week: str, team: str | None = None
) -> tuple[Note, ...]:
    """The notes dated within ISO weeks `first_week`..`last_week` that apply to `team` (None: all):
    what the chat's "what changed?" and every chart read."""
    return notes_in(list_notes(db), first_week, last_week, team)


def put_done_note(
    db: sqlite_utils.Database, advice_id: str, *, day: date, team: str, text: str, author: str | None, at: str
) -> None:
    """The one note a step marked done writes by itself: created, or moved to `day`. Runs inside
    the caller's transaction (the rating's)."""
    values = {"day": day.isoformat(), "team": team, "text": text, "source": DONE, "advice_id": advice_id,
              "author": author, "created_at": at}  # fmt: skip
    existing = db.execute("SELECT id FROM notes WHERE source = ? AND advice_id = ?", [DONE, advice_id]).fetchone()
    if existing:
        db["notes"].update(existing[0], values)
    else:
        db["notes"].insert(values)


def drop_done_note(db: sqlite_utils.Database, advice_id: str) -> None:
    """A step nobody has as done any more has no done note."""
    db.execute("DELETE FROM notes WHERE source = ? AND advice_id = ?", [DONE, advice_id])


def _note(row: dict) -> Note:
    return Note(
        id=row["id"],
        day=date.fromisoformat(row["day"]),
        text=row["text"],
        team=row.get("team"),
        source=row.get("source") or MANUAL,
        advice_id=row.get("advice_id"),
        author=row.get("author"),
    )
