"""Times and ISO weeks. Every stored time is UTC; every period is an ISO week like `2026-W47`."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_time(text: str, default_tz: tzinfo = UTC) -> datetime:
    """Parse an ISO-8601 date or date-time; naive values are taken in `default_tz`.

    Accepts `Z`, `+01:00`, `+0100`, a space instead of `T`, and a plain date. Raises
    ValueError with the offending text so importers can name it.
    """
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = _parse_spaced_offset(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=default_tz)
    return parsed.astimezone(UTC)


def _parse_spaced_offset(value: str) -> datetime:
    # Exports such as Zendesk's write "2024-03-01 10:20:30 +0100".
    match = re.fullmatch(r"(.+?)\s+([+-]\d{2}:?\d{2}|UTC)", value)
    if not match:
        raise ValueError(f"not an ISO-8601 time: {value!r}")
    offset = "+00:00" if match.group(2) == "UTC" else match.group(2)
    return datetime.fromisoformat(f"{match.group(1)}{offset}")


def time_zone(name: str) -> ZoneInfo:
    """The IANA zone `name` names; ValueError in one sentence when it names none."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone like Europe/Berlin or UTC") from None


def format_time(moment: datetime) -> str:
    """The stored form: UTC, seconds precision, `Z` suffix; sorts as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_week(moment: datetime | date) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(period: str) -> datetime:
    """Monday 00:00 UTC of an ISO week."""
    match = _WEEK.match(period)
    if not match:
        raise ValueError(f"not an ISO week: {period!r} (expected like 2026-W47)")
    day = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def week_end(period: str) -> datetime:
    """The first instant after the week (next Monday 00:00 UTC): an exclusive bound."""
    return week_start(period) + timedelta(days=7)


@lru_cache(maxsize=65536)
def shift_week(period: str, weeks: int) -> str:
    """The ISO week `weeks` after (or before, if negative) `period`; cached, as every trend and
    baseline calls it for the same few hundred weeks."""
    return iso_week(week_start(period) + timedelta(weeks=weeks))


def week_range(first: str, last: str) -> list[str]:
    """Every ISO week from `first` to `last`, inclusive, in order."""
    out, current, end = [], week_start(first), week_start(last)
    while current <= end:
        out.append(iso_week(current))
        current += timedelta(weeks=1)
    return out


def is_week(text: str) -> bool:
    return bool(_WEEK.match(text))
