"""Evidence for one fired (rule, team), and the rule's `why` filled in with it.

Built only for candidates someone looks at. The template is filled with plain names
(`{ces_value:.1f}`); the schema refused attribute or index access and unusual formats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from smartstep.metrics.noise import spec
from smartstep.rules.conditions import Result
from smartstep.rules.snapshot import Snapshot

RECENT_WEEKS = 4  # weeks of a series kept with its evidence, for "still rising" and "flat lately"


@dataclass(frozen=True)
class Evidence:
    metric: str
    team: str
    value: float | None
    previous: float | None  # the real earlier value, or the baseline or peers' median compared with
    change: float | None  # value - previous
    period: str
    n: int | None = None
    label: str | None = None  # a part of the metric, or what a signal is about
    basis: str = "earlier"  # what `previous` is: earlier | baseline | peers | threshold (last week) | latest
    threshold: float | None = None  # the line a threshold condition compared with (never shown as "was")
    recent: tuple[float, ...] = ()  # the last weeks' values, oldest first, for words that match the series

    def as_dict(self) -> dict[str, Any]:
        keys = ("metric", "team", "value", "previous", "change", "period", "n")
        out = {k: getattr(self, k) for k in keys} | {"basis": self.basis}
        if self.threshold is not None:
            out["threshold"] = self.threshold
        return out | ({"label": self.label} if self.label else {})

    @property
    def lately(self) -> str:
        """How the series moved in its last weeks, in words that match it: "still rising" only while it rises."""
        return lately(self.recent, self.metric)


def compared(basis: str, previous: str | None, threshold: str | None = None) -> str:
    """What a piece of evidence was compared with, in words that say what the number is: "was 5.4"
    (an earlier week), "usual 5.4" (a baseline), "other teams 5.4", "line 20.0%, last week 18.0%"."""
    if basis == "threshold":
        line = f"line {threshold}" if threshold is not None else ""
        week = f"last week {previous}" if previous is not None else ""
        return ", ".join(p for p in (line, week) if p)
    if previous is None or basis == "latest":
        return ""
    return {"baseline": "usual", "peers": "other teams"}.get(basis, "was") + f" {previous}"


def lately(recent: Sequence[float], metric: str) -> str:
    """ "still rising", "still falling", "flat for the last N weeks", "easing lately" or "" (too short)."""
    points = [x for x in recent if not math.isnan(x)]
    if len(points) < 3:
        return ""
    steps = [b - a for a, b in zip(points, points[1:], strict=False)]
    s = spec(metric)
    small = max(s.change / 2, s.percent / 200 * abs(points[-1]))  # half the smallest change a lead acts on
    flat = 0
    for step in reversed(steps):
        if abs(step) > small:
            break
        flat += 1
    if flat >= 2:
        return f"flat for the last {flat + 1} weeks"
    last = steps[-1]
    if all(step > 0 for step in steps[-2:]):
        return "still rising"
    if all(step < 0 for step in steps[-2:]):
        return "still falling"
    return "easing lately" if (last < 0) == (sum(steps) > 0) else "turning lately"


def _number(x: float) -> float | None:
    return None if x is None or math.isnan(x) else round(float(x), 4)


def build_evidence(result: Result, row: int, snap: Snapshot) -> list[Evidence]:
    """The evidence of every condition that held for this team, in the order written."""
    if result.negated or not result.fired[row]:
        return []
    out: list[Evidence] = []
    for arrays in result.evidence:
        value, previous = _number(arrays.value[row]), _number(arrays.previous[row])
        change = None if value is None or previous is None else round(value - previous, 4)
        column = -1 if arrays.period is None else int(arrays.period[row])
        n = arrays.n[row]
        count = None if math.isnan(n) else int(n)
        label = arrays.labels[row] if arrays.labels else None
        series = snap.metric(arrays.metric)[0] if arrays.metric in snap.values or ":" in arrays.metric else None
        recent = tuple(float(x) for x in series[row, -RECENT_WEEKS:]) if series is not None else ()
        out.append(
            Evidence(
                arrays.metric,
                snap.teams[row],
                value,
                previous,
                change,
                snap.periods[column],
                count,
                label,
                arrays.basis,
                arrays.threshold,
                recent,
            )
        )
    for child in result.children:
        out += build_evidence(child, row, snap)
    return out


class _Number(float):
    """A number that prints tidily when the template gives no format."""

    def __format__(self, spec: str) -> str:
        if spec:
            return format(float(self), spec)
        return f"{float(self):.2f}".rstrip("0").rstrip(".") if abs(self) < 100 else f"{float(self):.0f}"


class _Missing:
    def __format__(self, spec: str) -> str:
        return "n/a"


class _Fields(dict):
    def __missing__(self, key: str) -> Any:
        return _Missing()


def template_values(team: str, period: str, evidence: Sequence[Evidence]) -> dict[str, Any]:
    values: dict[str, Any] = {"team": team, "period": period}
    for e in evidence:
        if f"{e.metric}_value" in values:
            continue
        fields = {"value": e.value, "previous": e.previous, "change": e.change, "n": e.n, "period": e.period}
        fields["label"] = e.label
        fields["threshold"] = e.threshold
        fields["lately"] = e.lately or None
        if e.change is not None:
            fields["abs_change"] = abs(e.change)
            if e.previous:
                fields["pct_change"] = 100.0 * e.change / abs(e.previous)
        for key, val in fields.items():
            if val is not None:
                values[f"{e.metric}_{key}"] = _Number(val) if isinstance(val, float | int) else val
    return values


def render_why(template: str, team: str, period: str, evidence: Sequence[Evidence]) -> str:
    return template.format_map(_Fields(template_values(team, period, evidence)))
