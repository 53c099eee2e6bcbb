"""How current the store is: "data as of …" for every answer, the digest, App Home and /healthz.

The data is as current as the later of its newest row and the last successful helpdesk sync (a
sync that found nothing new still proves nothing happened). Within a day nothing is said; older
than that, answers carry "Data as of …"; older than SMARTSTEP_STALE_AFTER (default 3 days) they
warn, and name a failing sync when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import sqlite_utils

from smartstep.weeks import format_time, parse_time

QUIET_FOR = timedelta(days=1)
Reply = TypeVar("Reply")


@dataclass(frozen=True)
class SyncStatus:
    source: str
    last_success_at: str | None
    last_error: str | None
    running: bool


@dataclass(frozen=True)
class Freshness:
    as_of: datetime | None
    """The moment the data is known complete up to; None for an empty store."""
    now: datetime
    stale_after: timedelta
    syncs: tuple[SyncStatus, ...] = ()
    demo: bool = False
    """The store holds only the demo organisation, whose end date is fixed on purpose: no note."""

    @property
    def age(self) -> timedelta | None:
        return None if self.as_of is None else max(timedelta(0), self.now - self.as_of)

    @property
    def stale(self) -> bool:
        return self.age is not None and self.age > self.stale_after

    def note(self) -> str | None:
        """One line for people (Slack mrkdwn), or None while the data is less than a day old."""
        age = self.age
        if age is None or age <= QUIET_FOR or self.demo:
            return None
        line = f"_Data as of {self.as_of:%a %d %b %Y %H:%M} UTC ({_words(age)} ago)._"
        if not self.stale:
            return line
        failing = [s for s in self.syncs if s.last_error]
        if failing:
            why = f"the last {failing[0].source.capitalize()} sync failed: {failing[0].last_error}"
        elif self.syncs:
            why = "the helpdesk sync has not succeeded since; is `smartstep serve` (or its schedule) running?"
        else:
            why = "import a fresh export, or connect the helpdesk with `smartstep sync zendesk|freshdesk`"
        return f":warning: {line[1:-1]} That is older than {_words(self.stale_after)}: {why}"

    def to_json(self) -> dict[str, Any]:
        """The fields /healthz reports."""
        age = self.age
        return {
            "data_as_of": format_time(self.as_of) if self.as_of else None,
            "data_age_hours": None if age is None else round(age.total_seconds() / 3600, 2),
            "stale": self.stale and not self.demo,
            "stale_after_hours": round(self.stale_after.total_seconds() / 3600, 2),
            "syncs": {
                s.source: {"last_success_at": s.last_success_at, "last_error": s.last_error, "running": s.running}
                for s in self.syncs
            },
        }


def data_freshness(
    db: sqlite_utils.Database, *, now: datetime | None = None, stale_after_hours: float = 72.0
) -> Freshness:
    moment = now or datetime.now(UTC)
    # Per team, so the (team, created_at) and (team, solved_at) indexes answer it: it runs with every answer.
    newest = db.execute(
        "SELECT max(x) FROM (SELECT (SELECT max(created_at) FROM tickets WHERE team = teams.name) AS x FROM teams "
        "UNION ALL SELECT (SELECT max(solved_at) FROM tickets WHERE team = teams.name) FROM teams "
        "UNION ALL SELECT max(responded_at) FROM surveys UNION ALL SELECT max(sent_at) FROM surveys)"
    ).fetchone()[0]
    syncs = _syncs(db, moment)
    times = [parse_time(t) for t in (newest, *(s.last_success_at for s in syncs)) if t]
    return Freshness(max(times) if times else None, moment, timedelta(hours=stale_after_hours), syncs, _demo_only(db))


def freshness_note(db: sqlite_utils.Database, stale_after_hours: float = 72.0) -> str | None:
    """The line to add under an answer, the digest or App Home (None when the data is current)."""
    return data_freshness(db, stale_after_hours=stale_after_hours).note()


def with_freshness(reply: Reply, db: sqlite_utils.Database, stale_after_hours: float, as_of: datetime | None) -> Reply:
    """An answer (any dataclass with `text`) with "Data as of …" under it when the data is more than a
    day old; answers about a date the user chose (--as-of) stay as they are."""
    note = None if as_of is not None else freshness_note(db, stale_after_hours)
    return replace(reply, text=f"{reply.text}\n{note}") if note else reply


def _demo_only(db: sqlite_utils.Database) -> bool:
    """Every ticket is a demo row (ids `DEMO-…`, see smartstep.demo.plan): two primary-key range reads."""
    has_demo = db.execute("SELECT 1 FROM tickets WHERE id >= 'DEMO-' AND id < 'DEMO.' LIMIT 1").fetchone()
    others = db.execute("SELECT 1 FROM tickets WHERE id < 'DEMO-' OR id >= 'DEMO.' LIMIT 1").fetchone()
    return has_demo is not None and others is None


def _syncs(db: sqlite_utils.Database, now: datetime) -> tuple[SyncStatus, ...]:
    if "sync_state" not in db.table_names():
        return ()
    rows = db.execute("SELECT source, last_success_at, last_error, lease_until FROM sync_state ORDER BY source")
    return tuple(
        SyncStatus(source, success, error, bool(lease) and parse_time(lease) > now)
        for source, success, error, lease in rows.fetchall()
    )


def _words(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    if hours < 48:
        return f"{hours:.0f} hours"
    days = hours / 24
    return f"{days:.0f} days" if days < 60 else f"{days / 30.4:.0f} months"


def health_fields(db_path: Any, stale_after_hours: float = 72.0) -> dict[str, Any]:
    """What /healthz adds about the data: its age, whether it is stale, and each sync's last outcome.
    Never raises: a health check must answer even when the store cannot be read."""
    from smartstep.db import open_db

    try:
        db = open_db(db_path, migrate=False)
        try:
            return data_freshness(db, stale_after_hours=stale_after_hours).to_json()
        finally:
            db.close()
    except Exception as error:  # noqa: BLE001 - reported, not raised
        return {"data_error": f"{type(error).__name__}: {error}"}
