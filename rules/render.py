"""Evidence for one fired (rule, team), and the rule's `why` filled in with it.

Built only for candidates someone looks at. The template is filled with plain names
(`{ces_value:.1f}`); the schema refused attribute or index access and unusual formats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from smartstep.rules.conditions import Result
from smartstep.rules.snapshot import Snapshot


@dataclass(frozen=True)
class Evidence:
    metric: str
    team: str
    value: float | None
    previous: float | None  # what the rule compared against: an earlier value, a baseline, a line
    change: float | None  # value - previous
    period: str
    n: int | None = None
    label: str | None = None  # a part of the metric, or what a signal is about

    def as_dict(self) -> dict[str, Any]:
        keys = ("metric", "team", "value", "previous", "change", "period", "n")
        return {k: getattr(self, k) for k in keys} | ({"label": self.label} if self.label else {})


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
        out.append(
            Evidence(arrays.metric, snap.teams[row], value, previous, change, snap.periods[column], count, label)
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
