"""The demo organisation's calendar, weekly volumes and planted storylines, as plain numbers.

Everything the generator varies over time lives here, so the tests (and anyone reading the
README) can see what was planted and when without reading the generator. Week indexes count
from 0 (the first of the 104 weeks) to 103 (the last complete week, `END_WEEK`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from smartstep.weeks import shift_week, week_end, week_start

END_WEEK = "2026-W46"  # Monday 2026-11-09 to Sunday 2026-11-15: the demo's "now", on any day
WEEKS = 104
FIRST_WEEK = shift_week(END_WEEK, -(WEEKS - 1))
START = week_start(FIRST_WEEK)
SNAPSHOT = week_end(END_WEEK) - timedelta(seconds=1)  # the data is exported at this instant
TEAMS = ("Billing", "Technical", "Onboarding", "Enterprise")
ID_PREFIX = "DEMO-"  # every demo row's id starts with this; how `smartstep demo` tells a demo store


@dataclass(frozen=True)
class Storyline:
    """One planted situation a good advisor must find, and where it shows."""

    key: str
    team: str
    metric: str | None  # the weekly metric that shows it; None when it shows in raw tickets
    direction: str  # "up" or "down": the way the metric moves (worse) during the story
    start_week: str  # the first ISO week of the story; earlier history is stable
    summary: str
    segment: str | None = None  # when the story concerns one customer segment only
    problem: str | None = None  # the catalogue problem key, for the repeated-problem story


def _week(index: int) -> str:
    return shift_week(FIRST_WEEK, index)


EFFORT_START = 94  # Technical: transfers pile on from here (10 weeks)
SMILE_START = 92  # Enterprise: engineering escalations start to sit (12 weeks)
SURVEY_START = 94  # Billing: survey every ticket plus an NPS follow-up (10 weeks)
BACKLOG_START = 94  # Onboarding: demand outgrows capacity (10 weeks)
REPEAT_START = 92  # Billing: the blank invoice PDF problem appears (12 weeks)
TTV_SIGN_START = 84  # Onboarding: Mid-market customers signed from here take longer to go live

STORYLINES: tuple[Storyline, ...] = (
    Storyline(
        "effort_rising",
        "Technical",
        "ces",
        "down",
        _week(EFFORT_START),
        "Customer effort rises (CES falls from about 5.6 to 4.6) while CSAT stays near 89%: "
        "tickets get transferred (about 2 extra contacts each), but customers still like the agents.",
    ),
    Storyline(
        "smile_climbing",
        "Enterprise",
        "time_to_smile_days",
        "up",
        _week(SMILE_START),
        "Time to Smile climbs because escalations to engineering sit: engineering's wait grows "
        "from about 2 to about 9 days and a slightly larger share of tickets is escalated.",
    ),
    Storyline(
        "survey_fatigue",
        "Billing",
        "survey_response_rate",
        "down",
        _week(SURVEY_START),
        "Survey response rate falls from about 30% to about 12% as Billing rolls out surveying "
        "every ticket (no pacing) plus an NPS follow-up a week later, over 7 weeks.",
    ),
    Storyline(
        "backlog_growing",
        "Onboarding",
        "backlog",
        "up",
        _week(BACKLOG_START),
        "Backlog grows every week: more tickets are created than solved while capacity stays "
        "flat, so first replies slow down too.",
    ),
    Storyline(
        "repeated_no_article",
        "Billing",
        None,
        "up",
        _week(REPEAT_START),
        "One problem, 'invoice PDF download shows blank page', is solved again and again "
        "(30-60 tickets) with hand-written resolutions that never cite a knowledge article.",
        problem="invoice_pdf_blank",
    ),
    Storyline(
        "ttv_slipping",
        "Onboarding",
        "ttv_after_sale_days",
        "up",
        _week(TTV_SIGN_START + 6),
        f"Time to value after sale slips for Mid-market customers signed from {_week(TTV_SIGN_START)} "
        "(about 20 rising to 45 days from signature to go-live) while SMB stays steady; it shows "
        "in the go-lives of the last ~10 weeks.",
        segment="Mid-market",
    ),
)


def ramp(index: float, start: int, weeks: float) -> float:
    """0 before `start`, rising linearly to 1 over `weeks` weeks, then 1."""
    return min(1.0, max(0.0, (index - start) / weeks))


def progress(index: float, start: int) -> float:
    """0 before `start`, then the number of weeks since it (fractional)."""
    return max(0.0, index - start)


BASE_VOLUME = {"Billing": 92.0, "Technical": 132.0, "Onboarding": 64.0, "Enterprise": 50.0}


def weekly_volume(team: str, index: int) -> float:
    """Expected tickets created in week `index`: growth, seasons, and the planted stories."""
    monday = week_start(_week(index))
    growth = 1.0 + 0.28 * index / (WEEKS - 1)
    return BASE_VOLUME[team] * growth * _season(team, monday) * _story_volume(team, index)


def _season(team: str, monday: datetime) -> float:
    month, day = monday.month, monday.day
    factor = 1.0
    if (month == 12 and day >= 20) or (month == 1 and day <= 3):
        factor *= 0.6  # holidays
    if team == "Billing":
        if day <= 3 or day >= 26:
            factor *= 1.2  # the invoice run around the 1st
        if month == 1 and 4 <= day <= 14:
            factor *= 1.35  # annual renewals invoiced
    elif team == "Technical":
        factor *= 0.9 if month in (7, 8) else 1.0
        factor *= 1.0 + 0.06 * math.sin(monday.toordinal() / 9.0)  # release rhythm
    elif team == "Onboarding":
        factor *= {1: 1.15, 8: 0.85, 9: 1.2}.get(month, 1.0)
    elif team == "Enterprise":
        factor *= 0.8 if month == 8 else (1.1 if month in (3, 6, 9, 12) and day >= 15 else 1.0)
    return factor


def _story_volume(team: str, index: int) -> float:
    if team == "Onboarding":
        return 1.0 + 0.35 * ramp(index, BACKLOG_START, 2)
    return 1.0


def transfers_mean(index: float) -> float:
    """Technical: extra contacts per ticket from being passed between tiers."""
    return 2.2 * ramp(index, EFFORT_START, 5)


def engineering_wait_days(team: str, index: float) -> float:
    """Median days an escalation waits in engineering, by the ticket's creation week."""
    if team == "Enterprise":
        return 2.0 + 7.0 * ramp(index, SMILE_START, 6)
    return 2.0


def escalation_boost(team: str, index: float) -> float:
    return 1.0 + 0.5 * ramp(index, SMILE_START, 6) if team == "Enterprise" else 1.0


def weekly_capacity(team: str, index: int) -> float | None:
    """Onboarding: tickets the team can start per week, planned at 10% above normal demand.

    Demand grows by a third from BACKLOG_START while capacity stays at plan, so the queue
    (and with it the backlog and the wait for a first reply) grows every week. None: the
    team's capacity never binds.
    """
    if team != "Onboarding":
        return None
    return 1.1 * weekly_volume(team, index) / _story_volume(team, index)


def surveys_every_ticket(team: str, index: float, customer_id: str) -> bool:
    """Billing drops survey pacing and adds an NPS follow-up, rolled out to a growing share
    of its customers over 7 weeks from SURVEY_START (so the response rate keeps falling)."""
    if team != "Billing" or index < SURVEY_START:
        return False
    return int(customer_id[-5:]) * 37 % 100 < 100 * ramp(index, SURVEY_START - 1, 7)


def repeated_problem_count(index: int) -> int:
    """Billing tickets about the blank invoice PDF planted in week `index` (none before)."""
    return 0 if index < REPEAT_START else 3 + (index * 7) % 3  # 3-5 a week, about 48 in all


def mid_market_ttv_days(signed_index: float) -> float:
    """Median days from signature to go-live for a Mid-market customer signed in that week."""
    return 20.0 + 25.0 * ramp(signed_index, TTV_SIGN_START, 10)


def week_index(moment: datetime) -> float:
    """Fractional weeks since the first demo week (negative before it)."""
    return (moment - START).total_seconds() / (7 * 86400)


_EPOCH = datetime(1970, 1, 1, tzinfo=START.tzinfo)
_DAYS: dict[int, str] = {}


def stamp(moment: datetime) -> str:
    """The stored time form (as `weeks.format_time`), several times faster for the demo's
    ~200,000 UTC datetimes: whole seconds from the epoch, with each day's date text cached."""
    delta = moment - _EPOCH
    day, second = delta.days, delta.seconds
    text = _DAYS.get(day)
    if text is None:
        text = _DAYS[day] = (_EPOCH + timedelta(days=day)).strftime("%Y-%m-%dT")
    hour, rest = divmod(second, 3600)
    return f"{text}{hour:02d}:{rest // 60:02d}:{rest % 60:02d}Z"
