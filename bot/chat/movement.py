"""Whether a number moved: the conversation's one call into the signal model, plus pooling of
several weeks into one value and the minimum sample below which nothing is called a move.

Every answer that says "up", "down", "steady" or "too few to tell" goes through `read_change`,
so swapping in a better signal model (`smartstep.metrics.noise`) changes one function.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from smartstep.definitions import load_definitions
from smartstep.metrics.noise import beyond_noise
from smartstep.metrics.values import History, MetricValue
from smartstep.weeks import shift_week

MIN_SAMPLE = 10  # as in the digest: a value resting on fewer cases than this is never called a move
# As in the digest: the smallest change worth a lead's attention, by unit.
MATERIAL_POINTS = 1.0  # percentage points
MATERIAL_COUNT = 5  # tickets
MATERIAL_SHARE = 0.05  # anything else: this share of its level


@dataclass(frozen=True)
class Reading:
    """How `latest` compares with `previous`: up, down, steady (within noise) or too_few."""

    kind: str
    change: float
    good: bool | None = None  # None: a context metric, or no move

    @property
    def moved(self) -> bool:
        return self.kind in ("up", "down")


def too_few(value: MetricValue) -> bool:
    return value.n is not None and value.n < MIN_SAMPLE


def read_change(latest: MetricValue, previous: MetricValue, metric: str) -> Reading:
    """The one decision "did it move?" every answer uses (today `metrics.noise.beyond_noise`)."""
    definition = load_definitions().get(metric)
    change = latest.value - previous.value
    if too_few(latest) or too_few(previous):
        return Reading("too_few", change)
    if not beyond_noise(latest, previous, definition.unit) or not _material(change, latest, previous, definition.unit):
        return Reading("steady", change)
    return Reading("up" if change > 0 else "down", change, definition.improved(change))


def _material(change: float, latest: MetricValue, previous: MetricValue, unit: str) -> bool:
    if unit == "%":
        return abs(change) >= MATERIAL_POINTS
    if unit == "tickets":
        return abs(change) >= MATERIAL_COUNT
    return abs(change) >= MATERIAL_SHARE * max(abs(latest.value), abs(previous.value))


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
        total = sum(v.n for v in values)  # type: ignore[misc]
        mean = sum(v.value * v.n for v in values) / total  # type: ignore[operator]
        ci = None
        if all(v.ci for v in values):
            half = math.sqrt(sum(((v.n / total) * (v.ci[1] - v.ci[0]) / 2) ** 2 for v in values))  # type: ignore
            ci = (mean - half, mean + half)
        return MetricValue(first.team, first.metric, values[-1].period, mean, n=total, ci=ci)
    mean = sum(v.value for v in values) / len(values)
    return MetricValue(first.team, first.metric, values[-1].period, mean)


def usual(history: History, team: str, metric: str, end: str, recent: int = 4, baseline: int = 12):
    """(the last `recent` weeks pooled, the `baseline` weeks before them pooled) up to `end`."""
    now = pooled(window(history, team, metric, shift_week(end, -(recent - 1)), end))
    before = pooled(window(history, team, metric, shift_week(end, -(recent + baseline - 1)), shift_week(end, -recent)))
    return now, before
