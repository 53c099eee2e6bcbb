"""Notes that explain shifts: a release, an outage, a pricing or policy change, or a step a team
marked done. Plain data, so charts, the digest, verdicts and the conversation can all show the
note that falls inside the weeks they talk about. Reading and writing them is `note_store`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from smartstep.weeks import iso_week, week_start

MANUAL = "manual"
DONE = "done"  # written by itself when a step is marked done


@dataclass(frozen=True)
class Note:
    """Something that happened on `day`, for one team or (team None) the whole organisation."""

    id: int | None
    day: date
    text: str
    team: str | None = None
    source: str = MANUAL
    advice_id: str | None = None
    author: str | None = None

    @property
    def week(self) -> str:
        return iso_week(self.day)

    def applies_to(self, team: str | None) -> bool:
        """An organisation-wide note applies to every team; a team's note to that team only."""
        return team is None or self.team is None or self.team == team

    @property
    def label(self) -> str:
        """`“Release 4.2” on 2026-10-12` (with the team when it is one team's note)."""
        who = f" ({self.team})" if self.team else ""
        return f"“{self.text}”{who} on {self.day.isoformat()}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.day.isoformat(),
            "week": self.week,
            "team": self.team,
            "text": self.text,
            "source": self.source,
            "advice_id": self.advice_id,
            "author": self.author,
        }


def notes_in(
    notes: Iterable[Note],
    first_week: str,
    last_week: str,
    team: str | None = None,
    *,
    skip_advice: str | None = None,
) -> tuple[Note, ...]:
    """The notes dated within ISO weeks `first_week`..`last_week` (inclusive) that apply to `team`
    (None: any team), oldest first; `skip_advice` leaves out the note a step wrote about itself."""
    start, end = week_start(first_week).date(), week_start(last_week).date() + timedelta(days=6)
    found = [
        n
        for n in notes
        if start <= n.day <= end and n.applies_to(team) and (skip_advice is None or n.advice_id != skip_advice)
    ]
    return tuple(sorted(found, key=lambda n: (n.day, n.id or 0)))
