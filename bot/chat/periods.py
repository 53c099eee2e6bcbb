"""Periods in a lead's words ("last week", "this month", "in W40", "since October", "last 12 weeks",
"2026-10-14") as spans of ISO weeks, relative to the store's current week.

"Now" is the latest complete week in the data, so "this week" and "last week" both mean that
week (the one the scorecard shows), except side by side ("this week vs last week"). Calendar
months and quarters hold the weeks whose Thursday falls in them (the ISO rule).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from smartstep.chat.conversation import Period
from smartstep.weeks import iso_week, shift_week, week_start

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "a couple of": 2,
    "couple of": 2,
    "a few": 4,
    "few": 4,
}
MAX_WEEKS = 260
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_COUNT = r"(\d{1,3}|" + "|".join(sorted(NUMBERS, key=len, reverse=True)) + ")"
_PAST = r"(?:last|past|previous|recent|over the last|over the past|in the last|in the past|the last|the past)"


def _thursday(period: str) -> date:
    return (week_start(period) + timedelta(days=3)).date()


def _week_of(day: date) -> str:
    return iso_week(day)


def _month_weeks(year: int, month: int, now: str) -> tuple[str, str] | None:
    """The first and last ISO week whose Thursday falls in the month (cut at `now`)."""
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    start = _week_of(first + timedelta(days=(3 - first.weekday()) % 7))  # the month's first Thursday
    end = _week_of(following - timedelta(days=1 + (following.weekday() - 3) % 7))  # its last Thursday
    if start > now:
        return None
    return start, min(end, now)


def _latest_month(month: int, now: str) -> tuple[int, int]:
    """The most recent `month` that has begun by `now` (this year's, or last year's)."""
    today = _thursday(now)
    return (today.year if month <= today.month else today.year - 1), month


def _count(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS[word]


def _week_number(number: int, now: str) -> str | None:
    """Week N of the year `now` is in, or of the year before when week N is still to come."""
    year = int(now[:4])
    for candidate in (year, year - 1):
        try:
            week = iso_week(date.fromisocalendar(candidate, number, 4))
        except ValueError:
            continue
        if week <= now:
            return week
    return None


def _parse_day(day: int, month: int, now: str, year: int | None = None) -> str | None:
    today = _thursday(now) + timedelta(days=3)
    try:
        moment = date(year or today.year, month, day)
        if year is None and moment > today:
            moment = date(today.year - 1, month, day)
    except ValueError:
        return None
    return _week_of(moment)


def find_periods(text: str, now: str, before: Period | None = None) -> list[tuple[tuple[int, int], Period]]:
    """Every period named in `text` (lower-cased), with its character span, in reading order.

    `before` is the period the thread talked about last, for "the week before"."""
    found: list[tuple[tuple[int, int], Period]] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match, start: str | None, end: str | None) -> None:
        span = match.span()
        if start is None or end is None or any(a < span[1] and span[0] < b for a, b in taken):
            return
        if start > end:
            start, end = end, start
        taken.append(span)
        found.append((span, Period(start, end, match.group(0).strip())))

    for match in re.finditer(r"\b(?:between|from)\s+(.+?)\s+(?:and|to|until|till)\s+(\S+(?:\s\d{1,2}\b)?)", text):
        first = find_periods(match.group(1), now)
        second = find_periods(match.group(2), now)
        if len(first) == 1 and len(second) == 1:
            add(match, first[0][1].start, second[0][1].end)
    for match in re.finditer(r"\b(\d{4})-?w(\d{1,2})\b", text):
        week = f"{match.group(1)}-W{int(match.group(2)):02d}"
        try:
            week_start(week)
            date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        except ValueError:
            continue
        add(match, *_since(match, text, week, now))
    for match in re.finditer(r"\b(\d{4})-(\d{2})-(\d{2})\b", text):
        day = _parse_day(int(match.group(3)), int(match.group(2)), now, int(match.group(1)))
        add(match, *_since(match, text, day, now))
    for match in re.finditer(
        rf"\b(?:the\s+)?(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})|({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?)\b",
        text,
    ):
        day, month = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        week = _parse_day(int(day), MONTHS[month], now)
        add(match, *_since(match, text, week, now))
    for match in re.finditer(r"\b(?:in\s+|for\s+|since\s+)?(?:week\s+|w)(\d{1,2})\b", text):
        week = _week_number(int(match.group(1)), now)
        add(match, *_since(match, text, week, now))
    _relative(text, now, before, add)
    found.sort(key=lambda item: item[0][0])
    return found


def _since(match: re.Match, text: str, week: str | None, now: str) -> tuple[str | None, str | None]:
    """A named week alone, or from it up to now after "since"/"from"."""
    if week is None:
        return None, None
    if week > now:
        return week, week
    head = text[max(0, match.start() - 7) : match.start()] + match.group(0)[:6]
    return (week, now) if re.search(r"\b(since|from)\b", head) else (week, week)


def _relative(text: str, now: str, before: Period | None, add) -> None:
    for match in re.finditer(rf"\b{_PAST}\s+{_COUNT}\s+(weeks?|wks?|months?|quarters?|days?)\b", text):
        count, unit = _count(match.group(1)), match.group(2)
        weeks = count * {"w": 1, "m": 52 / 12, "q": 13, "d": 1 / 7}[unit[0]]
        weeks = min(max(1, round(weeks)), MAX_WEEKS)
        add(match, shift_week(now, -(weeks - 1)), now)
    for match in re.finditer(rf"\b{_COUNT}\s+(weeks?|months?)\s+ago\b", text):
        count = _count(match.group(1)) * (1 if match.group(2).startswith("w") else 4)
        week = shift_week(now, -min(count, MAX_WEEKS))
        add(match, week, week)
    for match in re.finditer(r"\b(?:the\s+)?(?:week before(?: that| last)?|previous week|prior week)\b", text):
        anchor = before.start if before is not None else now
        week = shift_week(anchor, -1)
        add(match, week, week)
    for match in re.finditer(
        r"\b(?:this|last|past|previous)\s+(week|month|quarter|year)\b|\b(ytd|year to date)\b", text
    ):
        which = match.group(0).split()[0]
        unit = match.group(1) or "year"
        add(match, *_calendar(which, unit, now))
    for match in re.finditer(rf"\b(since|in|during|for|over)?\s*\b({_MONTH})\b(?:\s+(\d{{4}}))?", text):
        month = MONTHS[match.group(2)]
        if match.group(2) == "may" and not match.group(1) and not match.group(3):
            continue  # "may" is far more often the verb
        if not match.group(1) and not match.group(3) and len(match.group(2)) <= 3 and match.group(2) != "oct":
            continue  # "mar", "jun" alone are too ambiguous without "in"/"since"
        year, month = (int(match.group(3)), month) if match.group(3) else _latest_month(month, now)
        weeks = _month_weeks(year, month, now)
        if weeks is None:
            continue
        add(match, weeks[0], now if match.group(1) == "since" else weeks[1])
    for match in re.finditer(r"\b(lately|recently|of late|these days)\b", text):
        add(match, shift_week(now, -3), now)
    for match in re.finditer(r"\b(today|yesterday)\b", text):
        add(match, now, now)


def _calendar(which: str, unit: str, now: str) -> tuple[str | None, str | None]:
    today = _thursday(now)
    if unit == "week":
        return now, now  # "last week" and "this week" are both the latest complete week
    if which == "past":
        weeks = {"month": 4, "quarter": 13, "year": 52}[unit]
        return shift_week(now, -(weeks - 1)), now
    previous = which in ("last", "previous")
    if unit == "month":
        year, month = today.year, today.month
        if previous:
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        weeks = _month_weeks(year, month, now)
        return weeks if weeks else (None, None)
    if unit == "quarter":
        first = 3 * ((today.month - 1) // 3) + 1
        year = today.year
        if previous:
            year, first = (year - 1, 10) if first == 1 else (year, first - 3)
        start = _month_weeks(year, first, now)
        end = _month_weeks(year, first + 2, now)
        return (start[0], end[1] if end else now) if start else (None, None)
    year = today.year - 1 if previous else today.year
    start = _week_number(1, f"{year}-W53") if previous else f"{year}-W01"
    end = _month_weeks(year, 12, now)
    return (start, end[1] if end else now) if start else (None, None)


def side_by_side(periods: list[Period], now: str) -> list[Period]:
    """ "this week vs last week": the second "week" is the one before."""
    same = len(periods) == 2 and (periods[0].start, periods[0].end) == (periods[1].start, periods[1].end)
    if same and periods[0].single:
        return [periods[0], Period(shift_week(now, -1), shift_week(now, -1), periods[1].text)]
    return periods
