"""Digest subscriptions: which channel gets which teams' digest, on which weekday, at what local time.

One subscription per channel (subscribing again replaces it), so one (channel, week) row in
`digests` is exactly one post. `parse_subscription` reads the words an admin types after
`/smartstep digest subscribe`, in any order:

    subscribe [all | TEAM[,TEAM...]] [monday..sunday] [HH:MM] [TIME/ZONE] [quiet | skip]

Defaults: every team, Monday, 09:00, UTC, and a quiet week posts one "all steady" line
(`skip` posts nothing in a quiet week).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import sqlite_utils

from smartstep.db import write_transaction
from smartstep.errors import UserError
from smartstep.slack.markup import escape
from smartstep.weeks import format_time

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
QUIET_MODES = ("line", "skip")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Subscription:
    channel: str
    teams: tuple[str, ...] | None  # None: every team
    weekday: int = 0  # 0 = Monday
    time: str = "09:00"
    timezone: str = "UTC"
    quiet: str = "line"
    created_by: str | None = None
    created_at: str = "1970-01-01T00:00:00Z"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def describe(self) -> str:
        """One Slack line (mrkdwn, the channel as a link; team names escaped)."""
        teams = escape(", ".join(self.teams)) if self.teams else "all teams"
        quiet = "posts nothing" if self.quiet == "skip" else "posts one line"
        return (
            f"<#{self.channel}>: {teams}, {WEEKDAYS[self.weekday].title()}s at {self.time} {self.timezone} "
            f"(a quiet week {quiet})"
        )


def parse_subscription(
    words: str, channel: str, known_teams: list[str], user: str | None = None, now: datetime | None = None
) -> Subscription:
    """The subscription an admin typed, or a UserError naming the word that could not be read."""
    teams: list[str] = []
    fields: dict[str, object] = {}
    for word in words.replace(", ", ",").split():
        lower = word.lower()
        if lower in ("all", "every", "everyone"):
            teams = []
        elif lower in ("quiet", "line", "skip", "silent"):
            fields["quiet"] = "skip" if lower in ("skip", "silent") else "line"
        elif any(day.startswith(lower) and len(lower) >= 3 for day in WEEKDAYS):
            fields["weekday"] = next(i for i, day in enumerate(WEEKDAYS) if day.startswith(lower))
        elif _TIME.match(word):
            hours, minutes = _TIME.match(word).groups()
            fields["time"] = f"{int(hours):02d}:{minutes}"
        elif "/" in word or word.upper() == "UTC":
            fields["timezone"] = _zone_name(word)
        else:
            teams += [_team(name, known_teams) for name in word.split(",") if name]
    stamp = format_time(now or datetime.now(UTC))
    return Subscription(channel, tuple(teams) or None, created_by=user, created_at=stamp, **fields)


def _zone_name(word: str) -> str:
    if word.upper() == "UTC":
        return "UTC"
    try:
        ZoneInfo(word)
        return word
    except (ZoneInfoNotFoundError, ValueError):
        matches = [z for z in available_timezones() if z.casefold() == word.casefold()]
        if matches:
            return matches[0]
    raise UserError(f"unknown time zone '{word}'; use a name like Europe/Berlin or America/New_York")


def _team(name: str, known_teams: list[str]) -> str:
    for team in known_teams:
        if team.casefold() == name.casefold():
            return team
    known = ", ".join(known_teams) or "none yet"
    raise UserError(f"unknown team or word '{name}' (known teams: {known})")


def save_subscription(db: sqlite_utils.Database, sub: Subscription) -> None:
    with write_transaction(db):
        db["digest_subscriptions"].upsert(_row(sub), pk="channel")


def remove_subscription(db: sqlite_utils.Database, channel: str) -> bool:
    with write_transaction(db):
        found = bool(db["digest_subscriptions"].count_where("channel = ?", [channel]))
        db.execute("DELETE FROM digest_subscriptions WHERE channel = ?", [channel])
    return found


def list_subscriptions(db: sqlite_utils.Database) -> list[Subscription]:
    return [_subscription(r) for r in db.query("SELECT * FROM digest_subscriptions ORDER BY channel")]


def _row(sub: Subscription) -> dict[str, object]:
    return {
        "channel": sub.channel,
        "teams": json.dumps(list(sub.teams)) if sub.teams else None,
        "weekday": sub.weekday,
        "time": sub.time,
        "timezone": sub.timezone,
        "quiet": sub.quiet,
        "created_by": sub.created_by,
        "created_at": sub.created_at,
    }


def _subscription(row: dict) -> Subscription:
    teams = tuple(json.loads(row["teams"])) if row.get("teams") else None
    return Subscription(
        channel=row["channel"],
        teams=teams,
        weekday=row["weekday"],
        time=row["time"],
        timezone=row["timezone"],
        quiet=row["quiet"],
        created_by=row.get("created_by"),
        created_at=row["created_at"],
    )
