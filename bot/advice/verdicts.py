"""Did the step work? The one verdict type and the one outcome record that the outcome check,
the ranking, "worked before", the digest, the feedback export and the CLI all share.

Plain data; the words a lead reads are rendered here from the numbers, never the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from smartstep.definitions import load_definitions
from smartstep.metrics.notes import Note
from smartstep.metrics.scorecard import format_value


class Verdict(StrEnum):
    WORKED = "worked"
    NO_EFFECT = "no effect"
    WORSE = "worse"
    TOO_EARLY = "too early"  # the horizon is not reached yet
    CANNOT_TELL = "cannot tell"  # too little data, or nothing to compare with

    @property
    def teaches(self) -> bool:
        """Whether the ranking may learn from it: a measured effect, or a measured lack of one."""
        return self in (Verdict.WORKED, Verdict.NO_EFFECT, Verdict.WORSE)


def format_change(value: float, unit: str, *, with_unit: bool = True) -> str:
    """A signed change in the metric's unit: `−2.5 h`, `+3.1 points`, `+12 tickets`, `+0.30` on a 1-7
    scale; `0` when it rounds to nothing."""
    digits = {"pts": 0, "tickets": 0, "/7": 2}.get(unit, 1)
    size = round(abs(value), digits)
    number = f"{size:,.{digits}f}"
    if size == 0:
        number = "0"
    elif value < 0:
        number = "−" + number
    else:
        number = "+" + number
    if not with_unit or unit == "/7":
        return number
    return f"{number} {'points' if unit in ('%', 'pts') else unit}"


def format_range(lo: float, hi: float, unit: str) -> str:
    """`−3.4 to −1.6 h`: both ends signed, the unit once."""
    return f"{format_change(lo, unit, with_unit=False)} to {format_change(hi, unit)}"


@dataclass(frozen=True)
class Outcome:
    """What became of one step marked done, measured against what would have happened anyway.

    `before`/`after` are the team's means over the weeks before and after the done week;
    `teams_change` is what comparable teams did over the same weeks (at this team's level) and
    `firings_change` what followed earlier firings of the rule that nobody acted on; `effect` is
    the change net of both, with its 90% `interval`. `p_better` is how sure the effect went the
    good way (the ranking weighs what it learns by it)."""

    advice_id: str
    rule_id: str
    team: str
    metric: str
    verdict: Verdict
    period: str  # the week the advice was about
    done_week: str
    due: str  # the last week of the window after: measured once it has data
    title: str = ""
    window: tuple[str, str] = ("", "")  # first week before .. last week after
    before: float | None = None
    after: float | None = None
    effect: float | None = None
    interval: tuple[float, float] | None = None
    teams_change: float | None = None
    teams: tuple[str, ...] = ()
    firings_change: float | None = None
    firings: int = 0
    p_better: float | None = None
    unsettled: str | None = None  # the week before acting stood apart: the effect is bracketed
    reason: str | None = None
    notes: tuple[Note, ...] = field(default=(), compare=False)

    @property
    def change(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before

    @property
    def success(self) -> float:
        """What a `worked` teaches the ranking: one success, weighed by how sure it is."""
        return (self.p_better or 0.0) if self.verdict is Verdict.WORKED else 0.0

    @property
    def failure(self) -> float:
        """What a `worse` or `no effect` teaches: one failure, weighed by how sure it is that the step
        did not help (a `no effect` that leaned the good way teaches little)."""
        if self.verdict not in (Verdict.NO_EFFECT, Verdict.WORSE):
            return 0.0
        return 1.0 - (self.p_better if self.p_better is not None else 0.5)

    @property
    def numbers(self) -> str:
        """The numbers in words: `First reply time 6.1 h → 3.2 h; other teams moved −0.4 h; effect
        −2.5 h, 90% interval −3.4 to −1.6 h`, or why there are none."""
        unit = load_definitions().get(self.metric).unit
        name = load_definitions().get(self.metric).short
        if self.verdict is Verdict.TOO_EARLY:
            return f"{name}: measured once {self.due} is in (done in {self.done_week})"
        parts = []
        if self.before is not None and self.after is not None:
            parts.append(f"{name} {format_value(self.before, unit)} → {format_value(self.after, unit)}")
        if self.teams_change is not None:
            who = f"other teams ({', '.join(self.teams)})" if len(self.teams) <= 3 else f"{len(self.teams)} other teams"
            parts.append(f"{who} moved {format_change(self.teams_change, unit)}")
        if self.firings_change is not None:
            times = "time" if self.firings == 1 else "times"
            parts.append(
                f"after the {self.firings} earlier {times} nobody acted on it, it moved "
                f"{format_change(self.firings_change, unit)} by itself"
            )
        if self.effect is not None and self.interval is not None:
            lo, hi = self.interval
            parts.append(f"effect {format_change(self.effect, unit)}, 90% interval {format_range(lo, hi, unit)}")
        if self.unsettled:
            parts.append(
                f"{self.unsettled} stood apart from the weeks before it; the interval allows for it lasting or not"
            )
        if self.reason:
            parts.append(self.reason)
        parts += [f"{n.label} falls inside this window" for n in self.notes]
        return "; ".join(parts) if parts else name

    @property
    def text(self) -> str:
        """`worked: First reply time 6.1 h → 3.2 h; …` — the verdict first, then its numbers."""
        return f"{self.verdict.value}: {self.numbers}"

    def to_json(self) -> dict[str, Any]:
        """The `smartstep outcomes --json` record (and the feedback export's `outcome`)."""
        return {
            "advice_id": self.advice_id,
            "rule_id": self.rule_id,
            "team": self.team,
            "metric": self.metric,
            "verdict": self.verdict.value,
            "effect": _rounded(self.effect),
            "interval": [_rounded(v) for v in self.interval] if self.interval else None,
            "before": _rounded(self.before),
            "after": _rounded(self.after),
            "comparison": {
                "teams": list(self.teams),
                "teams_change": _rounded(self.teams_change),
                "firings": self.firings,
                "firings_change": _rounded(self.firings_change),
            },
            "title": self.title,
            "period": self.period,
            "done_week": self.done_week,
            "window": list(self.window),
            "due": self.due,
            "period_before": self.window[0] or None,
            "period_after": self.window[1] or None,
            "p_better": _rounded(self.p_better),
            "notes": [n.to_json() for n in self.notes],
            "text": self.text,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True)
class PastSituation:
    """A similar earlier team-week where this step was done, and what its outcome was."""

    outcome: Outcome
    similarity: float

    @property
    def team(self) -> str:
        return self.outcome.team

    @property
    def period(self) -> str:
        return self.outcome.period

    @property
    def verdict(self) -> Verdict:
        return self.outcome.verdict

    def as_dict(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "period": self.period,
            "outcome": self.outcome.text,
            "verdict": self.verdict.value,
            "effect": _rounded(self.outcome.effect),
            "similarity": round(self.similarity, 3),
        }
