"""Vectorised condition evaluators: each turns one condition into a fired mask, a severity
(how many noise units the evidence clears) and evidence arrays, for every team at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from smartstep.definitions import load_definitions
from smartstep.metrics.noise import settings
from smartstep.metrics.values import describe_where
from smartstep.rules import model as m
from smartstep.rules.snapshot import (
    Snapshot,
    enough_sample,
    judged_current,
    material,
    noise,
    trend,
    window_mean,
    wobble,
)


@dataclass
class EvidenceArrays:
    metric: str
    value: np.ndarray
    previous: np.ndarray  # the real earlier value or the baseline the rule compared with
    n: np.ndarray
    period: np.ndarray | None = None  # column index per team; None = the current week
    labels: list[str] | None = None
    basis: str = "earlier"  # what `previous` is: earlier | baseline | peers | threshold | latest
    threshold: float | None = None  # the line a threshold condition compared with


@dataclass
class Result:
    fired: np.ndarray
    severity: np.ndarray | None = None
    evidence: list[EvidenceArrays] = field(default_factory=list)
    children: list[Result] = field(default_factory=list)
    negated: bool = False


def key(c: Any) -> str:
    """Where a condition's series lives in the snapshot: the metric (over the `where` cut), or one part of it."""
    name = m.series_name(c, c.metric)
    return f"{name}:{c.part}" if getattr(c, "part", None) else name


def _part(c: Any, like: np.ndarray) -> list[str] | None:
    """The evidence label: the part of a split metric and the cut of the tickets, when the condition has them."""
    words = [p for p in (getattr(c, "part", None), describe_where(getattr(c, "where", None) or {})) if p]
    return ["; ".join(words)] * len(like) if words else None


def _finite(x: np.ndarray) -> np.ndarray:
    """NaN and infinities to 0 (np.nan_to_num is several times slower for this)."""
    return np.where(np.isfinite(x), x, 0.0)


@lru_cache(maxsize=256)
def sign_of(metric: str, direction: str) -> float:
    """+1 when the condition wants the value to go up, -1 when down."""
    if direction in ("up", "down"):
        return 1.0 if direction == "up" else -1.0
    better_up = load_definitions().get(metric).better == "higher"
    return 1.0 if (direction == "improves") == better_up else -1.0


def _big_enough(moved: np.ndarray, base: np.ndarray, cond: Any) -> np.ndarray:
    """moved (already signed) is positive and clears `by` / `by_percent` of the base."""
    with np.errstate(invalid="ignore"):
        if cond.by is not None:
            return (moved > 0) & (moved >= cond.by)
        if cond.by_percent is not None:
            return (moved > 0) & (moved >= np.abs(base) * (cond.by_percent / 100.0))
        return moved > 0


def _z() -> float:
    """The one decision's noise units (metrics.yaml `false_alarm`): a rule clears at least as many."""
    return settings().z


def _se(half: np.ndarray) -> np.ndarray:
    """A stored interval's half-width as a standard error (the intervals are at `confidence`)."""
    from scipy import special

    return np.nan_to_num(half) / float(special.ndtri(0.5 + settings().confidence / 2))


def _current(snap: Snapshot, metric: str, min_n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The current value as the one decision judges it (pooled weeks below the metric's minimum,
    NaN when too few to tell), NaN too below the rule's own `min_n`; with its n and half-width."""
    value, n, half = judged_current(snap, metric)
    return np.where(n < min_n, np.nan, value), n, half


def _earlier(snap: Snapshot, metric: str) -> np.ndarray:
    """Last week's value: what "was" means next to a threshold."""
    v, _, _ = snap.metric(metric)
    return v[:, -2] if v.shape[1] > 1 else np.full(v.shape[0], np.nan)


def threshold(snap: Snapshot, c: m.Threshold) -> Result:
    value, n, half = _current(snap, key(c), c.min_n)
    line = c.above if c.above is not None else c.below
    with np.errstate(invalid="ignore"):
        margin = (value - line) if c.above is not None else (line - value)
        # Past the line by more than the value's own sampling noise: 31% breaches on 3 tickets is no finding.
        fired = margin > _z() * _se(half)
    severity = _finite(margin / noise(snap, key(c)))
    evidence = EvidenceArrays(
        c.metric, value, _earlier(snap, key(c)), n, labels=_part(c, value), basis="threshold", threshold=line
    )
    return Result(fired, severity, [evidence])


def change(snap: Snapshot, c: m.Change) -> Result:
    now, _, n_now = window_mean(snap, key(c), 0, c.smooth, c.min_n)
    then, _, n_then = window_mean(snap, key(c), c.weeks, c.smooth, c.min_n)
    _, _, h = snap.metric(key(c))
    moved = sign_of(c.metric, c.direction) * (now - then)
    # Beyond both samples' noise and the team's own week-to-week wobble, in the decision's noise units.
    sampling = _finite(np.hypot(_se(h[:, -1]), _se(h[:, -1 - c.weeks]))) / np.sqrt(c.smooth)
    guard = _z() * np.fmax(sampling, wobble(snap, key(c)) * np.sqrt(2.0 / c.smooth))
    with np.errstate(invalid="ignore"):
        fired = _big_enough(moved, then, c) & (moved > guard) & material(key(c), moved, then)
        fired &= enough_sample(key(c), n_now) & enough_sample(key(c), n_then)
    severity = _finite(moved / noise(snap, key(c)))
    return Result(fired, severity, [EvidenceArrays(c.metric, now, then, n_now, labels=_part(c, now))])


def trend_condition(snap: Snapshot, c: m.Trend) -> Result:
    t = trend(snap, key(c), c.weeks, c.min_n)
    sign = sign_of(c.metric, c.direction)
    tstat = sign * t["slope"] / t["se"]
    with np.errstate(invalid="ignore"):
        fired = _big_enough(sign * t["fit_change"], t["fit_start"], c) & (tstat >= max(c.min_t, _z()))
        fired &= material(key(c), sign * t["fit_change"], t["fit_start"]) & enough_sample(key(c), t["n"])
        # Week-to-week wobble is autocorrelated in a backlog, which flatters a slope's t: the fitted
        # change must also be more than twice the team's usual week-to-week move.
        fired &= ~(sign * t["fit_change"] <= 2 * wobble(snap, key(c)))
        if c.min_total_n:
            fired &= ~(t["n"] < c.min_total_n)
    # how far it moved in noise units (the slope's significance is the gate above)
    severity = _finite(sign * t["fit_change"] / noise(snap, key(c)))
    return Result(
        fired, severity, [EvidenceArrays(c.metric, t["last"], t["first"], t["n"], labels=_part(c, t["last"]))]
    )


def _median_of_others(snap: Snapshot, metric: str, min_n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    def compute() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        value, _, _ = _current(snap, metric, min_n)
        size = len(value)
        others = np.where(np.eye(size, dtype=bool), np.nan, np.broadcast_to(value, (size, size)))
        count = (~np.isnan(others)).sum(axis=1)
        valid = value[~np.isnan(value)]
        spread = float(np.std(valid)) if len(valid) >= 2 else 0.0
        if count.max(initial=0) == 0:
            return np.full(size, np.nan), count, np.full(size, spread)
        with np.errstate(invalid="ignore"):
            median = np.where(count > 0, np.nanmedian(np.where(count[:, None] > 0, others, 0.0), axis=1), np.nan)
        return median, count, np.full(size, spread)

    return snap.cached(("median", metric, min_n), compute)


def versus_teams(snap: Snapshot, c: m.VersusTeams) -> Result:
    value, n, _ = _current(snap, key(c), c.min_n)
    median, count, spread = _median_of_others(snap, key(c), c.min_n)
    moved = sign_of(c.metric, c.direction) * (value - median)
    fired = _big_enough(moved, median, c) & (count >= c.min_teams) & material(key(c), moved, median)
    scale = np.maximum(spread, noise(snap, key(c)))
    evidence = EvidenceArrays(c.metric, value, median, n, labels=_part(c, value), basis="peers")
    return Result(fired, _finite(moved / scale), [evidence])


def _baseline_gap(snap: Snapshot, metric: str, recent: int, baseline: int, min_n: int) -> dict[str, np.ndarray]:
    """Mean of the recent weeks minus the mean of the weeks before, with its standard error."""

    def compute() -> dict[str, np.ndarray]:
        now, nr, n_now = window_mean(snap, metric, 0, recent, min_n)
        base, nb, _ = window_mean(snap, metric, recent, baseline, min_n)
        with np.errstate(invalid="ignore", divide="ignore"):
            se = noise(snap, metric) * np.sqrt(1.0 / np.maximum(nr, 1) + 1.0 / np.maximum(nb, 1))
        enough = (nr * 2 >= recent) & (nb * 2 >= baseline)
        return {"now": now, "base": base, "n": n_now, "se": se, "enough": enough}

    return snap.cached(("gap", metric, recent, baseline, min_n), compute)


def versus_baseline(snap: Snapshot, c: m.VersusBaseline) -> Result:
    gap = _baseline_gap(snap, key(c), c.recent_weeks, c.baseline_weeks, c.min_n)
    moved = sign_of(c.metric, c.direction) * (gap["now"] - gap["base"])
    with np.errstate(invalid="ignore", divide="ignore"):
        tstat = moved / gap["se"]
        fired = _big_enough(moved, gap["base"], c) & (tstat >= max(c.min_t, _z())) & gap["enough"]
        fired &= material(key(c), moved, gap["base"]) & enough_sample(key(c), gap["n"])
        if c.min_total_n:
            fired &= ~(gap["n"] < c.min_total_n)
    severity = _finite(0.5 * tstat / max(c.min_t, 1.0))
    evidence = EvidenceArrays(
        c.metric, gap["now"], gap["base"], gap["n"], labels=_part(c, gap["now"]), basis="baseline"
    )
    return Result(fired, severity, [evidence])


def diverging(snap: Snapshot, c: m.Diverging) -> Result:
    steady = _baseline_gap(snap, m.series_name(c, c.steady), c.weeks, c.baseline_weeks, c.min_n)
    worse = _baseline_gap(snap, m.series_name(c, c.worsening), c.weeks, c.baseline_weeks, c.min_n)
    moved = sign_of(c.worsening, "worsens") * (worse["now"] - worse["base"])
    with np.errstate(invalid="ignore", divide="ignore"):
        tstat = moved / worse["se"]
        held = np.abs(steady["now"] - steady["base"]) <= c.within
        fired = held & steady["enough"] & worse["enough"] & (moved >= c.by) & (tstat >= max(c.min_t, _z()))
        fired &= material(c.worsening, moved, worse["base"]) & enough_sample(c.worsening, worse["n"])
    severity = _finite(0.5 * tstat / max(c.min_t, 1.0))
    labels = _part(c, worse["now"])
    evidence = [
        EvidenceArrays(c.worsening, worse["now"], worse["base"], worse["n"], basis="baseline", labels=labels),
        EvidenceArrays(c.steady, steady["now"], steady["base"], steady["n"], basis="baseline", labels=labels),
    ]
    return Result(fired, severity, evidence)


def freshness(snap: Snapshot, c: m.Freshness) -> Result:
    v, n, _ = snap.metric(key(c))
    window = v[:, -(c.max_age_weeks + 1) :]
    ok = ~np.isnan(window)
    fired = ok.any(axis=1)
    last = window.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1)
    column = snap.width - window.shape[1] + last
    rows = np.arange(len(v))
    value = np.where(fired, v[rows, column], np.nan)
    return Result(fired, None, [EvidenceArrays(c.metric, value, value, n[rows, column], column, basis="latest")])


def signal(snap: Snapshot, c: m.Signal) -> Result:
    values, labels = snap.signals.get(c.name, (np.full(len(snap.teams), np.nan), None))
    line = c.above if c.above is not None else c.below
    with np.errstate(invalid="ignore"):
        margin = (values - line) if c.above is not None else (line - values)
        fired = margin > 0
    severity = _finite(2.0 * margin / max(abs(line), 1.0))
    nothing = np.full(len(values), np.nan)
    evidence = EvidenceArrays(c.name, values, nothing, nothing, labels=labels, basis="threshold", threshold=line)
    return Result(fired, severity, [evidence])


LEAVES: dict[type, Callable[[Snapshot, Any], Result]] = {
    m.Threshold: threshold,
    m.Change: change,
    m.Trend: trend_condition,
    m.VersusTeams: versus_teams,
    m.VersusBaseline: versus_baseline,
    m.Diverging: diverging,
    m.Freshness: freshness,
    m.Signal: signal,
}


def evaluate_condition(snap: Snapshot, cond: Any) -> Result:
    """Any condition, groups included, for every team in the snapshot."""
    if isinstance(cond, m.AllOf | m.AnyOf):
        kids = [evaluate_condition(snap, c) for c in (cond.all if isinstance(cond, m.AllOf) else cond.any)]
        scored = [k.severity for k in kids if k.severity is not None]
        if isinstance(cond, m.AllOf):
            fired = np.logical_and.reduce([k.fired for k in kids])
            severity = np.mean(scored, axis=0) if scored else None
        else:
            fired = np.logical_or.reduce([k.fired for k in kids])
            live = [np.where(k.fired, k.severity, -np.inf) for k in kids if k.severity is not None]
            severity = np.maximum(np.max(live, axis=0), 0.0) if live else None
        return Result(fired, severity, children=kids)
    if isinstance(cond, m.NotOf):
        inner = evaluate_condition(snap, cond.not_)
        return Result(~inner.fired, None, children=[inner], negated=True)
    # The same leaf often appears in several rules: evaluate it once per snapshot.
    # (Results are only read afterwards, never changed, so sharing them is safe.)
    return snap.cached(("leaf", cond), lambda: LEAVES[type(cond)](snap, cond))


def lookback(cond: Any) -> int:
    """How many weeks of history a condition reads, the current week included."""
    if isinstance(cond, m.AllOf | m.AnyOf):
        return max(lookback(c) for c in (cond.all if isinstance(cond, m.AllOf) else cond.any))
    if isinstance(cond, m.NotOf):
        return lookback(cond.not_)
    if isinstance(cond, m.Change):
        return cond.weeks + cond.smooth
    if isinstance(cond, m.Trend):
        return cond.weeks
    if isinstance(cond, m.Diverging):
        return cond.weeks + cond.baseline_weeks
    if isinstance(cond, m.VersusBaseline):
        return cond.recent_weeks + cond.baseline_weeks
    if isinstance(cond, m.Freshness):
        return cond.max_age_weeks + 1
    return 1
