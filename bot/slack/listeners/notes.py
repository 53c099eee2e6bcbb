"""`/smartstep note TEXT [team] [date]`: record what happened (a release, an outage, a policy change)
so charts, the digest and verdicts can show it; `/smartstep note` alone lists the latest notes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from smartstep.errors import UserError
from smartstep.metrics.note_store import add_note, list_notes, parse_day
from smartstep.slack.blocks import escape
from smartstep.slack.services import SlackServices

USAGE = (
    "Write what happened after the command, optionally ending with a team and a date, e.g. "
    "`/smartstep note Release 4.2 changed the invoice page Billing 2026-10-12`. "
    "Without a team the note is for everyone; without a date it is today."
)
SHOWN = 5


def split_note(argument: str, teams: tuple[str, ...]) -> tuple[str, str | None, str | None]:
    """`Release 4.2 Billing 2026-10-12` -> ("Release 4.2", "Billing", "2026-10-12"): a date as the
    last word, then a known team name (any case, several words allowed) just before it."""
    words = argument.split()
    day = None
    if words and len(words[-1]) == 10 and words[-1][4] == "-" and words[-1][:4].isdigit():
        day = words.pop()
    text = " ".join(words)
    for team in sorted(teams, key=len, reverse=True):
        if text.casefold() == team.casefold():
            break
        if text.casefold().endswith(" " + team.casefold()):
            return text[: -len(team) - 1].strip(), team, day
    return text, None, day


def note_command(services: SlackServices, argument: str, body: dict[str, Any]) -> dict[str, Any]:
    db = services.db()
    if not argument.strip() or argument.strip().lower() == "list":
        notes = list_notes(db)[-SHOWN:]
        if not notes:
            return {"text": f"No notes yet. {USAGE}"}
        lines = ["*Latest notes* (`smartstep note list` has them all)"]
        lines += [f"• {n.day.isoformat()} · {escape(n.team or 'every team')} · {escape(n.text)}" for n in notes]
        return {"text": "\n".join(lines)}
    text, team, day_text = split_note(argument, services.context().teams)
    if not text:
        return {"text": USAGE}
    try:
        day = parse_day(day_text, "the date") if day_text else None
        with services.store_lock:
            note = add_note(db, text, team=team, day=day, author=body.get("user_id"), at=datetime.now(UTC))
    except UserError as error:
        return {"text": f"{escape(str(error))}. {USAGE}"}
    who = note.team or "every team"
    return {
        "text": f"Noted for {escape(who)} on {note.day.isoformat()}: “{escape(note.text)}”. It will show on charts, "
        "beside the digest's moves it may explain, and in the verdicts of steps whose window it falls in."
    }
