"""Whether a number moved, in the conversation's terms: the signal model's one decision
(`smartstep.metrics.noise`: a week against its usual level, two values against each other, the
minimum sample and the smallest change worth acting on, all from metrics.yaml), plus pooling of
several weeks into one value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from smartstep.definitions import load_definitions
from smartstep.metrics.noise import Judgement, differs, judge
from smartstep.metrics.sampling import spec
from smartstep.metrics.values import History, MetricValue
from smartstep.weeks import shift_week


@dataclass(frozen=True)
class Reading:
    """How `latest` compares with `previous`: up, down, steady (within noise) or too_few."""

    kind: str
    change: float
    good: bool | None = None  # None: a context metric, or no move

    @property
    def moved(self) -> bool:
        return self.kind in ("up", "down")


def min_sample(metric: str) -> int:
    """The fewest cases a value of `metric` may rest on before anything is said about it."""
    s = spec(metric)
    return s.min_n if s.sampled else 0


def too_few(value: MetricValue, metric: str | None = None) -> bool:
    return value.n is not None and value.n < min_sample(metric or value.metric)


def read_change(latest: MetricValue, previous: MetricValue, metric: str) -> Reading:
    """Two values (two weeks, or two pooled spans) against each other: the signal model's `differs`."""
    change = latest.value - previous.value
    if too_few(latest, metric) or too_few(previous, metric):
        return Reading("too_few", change)
    if not differs(latest, previous, metric):
        return Reading("steady", change)
    return Reading("up" if change > 0 else "down", change, load_definitions().get(metric).improved(change))


def judged(values: list[MetricValue], metric: str) -> Judgement:
    """The latest of a team's weekly values against its usual level (the digest's and scorecard's decision)."""
    return judge(values, metric)


def window(history: History, team: str, metric: str, start: str, end: str) -> list[MetricValue]:
    """The team's values of `metric` in weeks start..end. A sum of other metrics (Time to Customer
    Value) rests on the smallest sample among its parts that week."""
    values = [v for v in history.get((team, metric), ()) if start <= v.period <= end]
    definitions = load_definitions()
    if values and any(part in definitions.metrics for part in values[-1].detail):
        values = [_with_parts_sample(history, v) for v in values]
    return values


def _with_parts_sample(history: History, value: MetricValue) -> MetricValue:
    samples = []
    for part in value.detail:
        match = next((p for p in history.get((value.team, part), ()) if p.period == value.period), None)
        if match is not None and match.n is not None:
            samples.append(match.n)
    return replace(value, n=min(samples)) if samples and value.n is None else value


def pooled(values: list[MetricValue]) -> MetricValue | None:
    """Several weeks as one value: weighted by sample where every week has one, with the
    interval of a weighted mean of independent weekly estimates."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    first = values[0]
    if all(v.n for v in values):
        total = sum(v.n for v in values)
        mean = sum(v.value * v.n for v in values) / total
        ci = None
        if all(v.ci for v in values):
            half = math.sqrt(sum(((v.n / total) * (v.ci[1] - v.ci[0]) / 2) ** 2 for v in values))
            ci = (mean - half, mean + half)
        return MetricValue(first.team, first.metric, values[-1].period, mean, n=total, ci=ci)
    mean = sum(v.value for v in values) / len(values)
    return MetricValue(first.team, first.metric, values[-1].period, mean)


def usual(history: History, team: str, metric: str, end: str, recent: int = 4, baseline: int = 12):
    """(the last `recent` weeks pooled, the `baseline` weeks before them pooled) up to `end`."""
    now = pooled(window(history, team, metric, shift_week(end, -(recent - 1)), end))
    before = pooled(window(history, team, metric, shift_week(end, -(recent + baseline - 1)), shift_week(end, -recent)))
    return now, before
