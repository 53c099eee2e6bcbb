"""Metric history as numpy matrices [team × week], built once per evaluation.

Every condition then works on whole columns at once, for all teams together, and derived
arrays (window means, slopes, noise) are cached here so rules that share a metric and a
window share the work.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from smartstep.metrics.noise import settings, spec
from smartstep.metrics.values import History
from smartstep.weeks import shift_week

NOISE_WEEKS = 26


@dataclass
class Snapshot:
    """Values (NaN = no value), sample sizes (NaN = unknown) and CI half-widths per metric."""

    teams: tuple[str, ...]
    periods: tuple[str, ...]
    values: dict[str, np.ndarray]
    ns: dict[str, np.ndarray]
    half: dict[str, np.ndarray]
    signals: dict[str, tuple[np.ndarray, list[str]]] = field(default_factory=dict)
    history: History | None = None
    cache: dict[Any, Any] = field(default_factory=dict)

    @property
    def width(self) -> int:
        return len(self.periods)

    def metric(self, metric: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(values, n, half-width) for a metric or a part ('metric:part'); all-NaN when nobody has it."""
        if metric not in self.values and ":" in metric and self.history is not None:
            self._add_part(metric)
        if metric not in self.values:
            empty = np.full((len(self.teams), self.width), np.nan)
            return empty, empty, empty
        return self.values[metric], self.ns[metric], self.half[metric]

    def _add_part(self, key: str) -> None:
        """A part of a split metric from each value's `detail` (e.g. Time to Smile per department).

        `outside_support` is the whole minus the support part: the wait in other departments.
        """
        metric, part = key.split(":", 1)
        position = {p: i for i, p in enumerate(self.periods)}
        shape = (len(self.teams), self.width)
        v, n, h = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
        for r, team in enumerate(self.teams):
            for item in reversed(self.history.get((team, metric), [])):
                c = position.get(item.period)
                if item.period < self.periods[0]:
                    break
                if c is None or not item.detail:
                    continue
                if part == "outside_support":
                    v[r, c] = item.value - item.detail.get("support", 0.0)
                else:
                    v[r, c] = item.detail.get(part, 0.0)
                if item.n is not None:
                    n[r, c] = item.n
        self.values[key], self.ns[key], self.half[key] = v, n, h

    def cached(self, key: Any, compute: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


def build_snapshot(history: History, current: str, weeks: int, teams: Iterable[str] | None = None) -> Snapshot:
    """The last `weeks` weeks up to `current` for every team in the history (or `teams`)."""
    periods = tuple(shift_week(current, -i) for i in range(weeks - 1, -1, -1))
    position = {p: i for i, p in enumerate(periods)}
    names = tuple(sorted(set(teams) if teams is not None else {t for t, _ in history}))
    row = {t: i for i, t in enumerate(names)}
    values: dict[str, np.ndarray] = {}
    ns: dict[str, np.ndarray] = {}
    half: dict[str, np.ndarray] = {}
    for (team, metric), series in history.items():
        r = row.get(team)
        if r is None:
            continue
        if metric not in values:
            shape = (len(names), weeks)
            values[metric], ns[metric], half[metric] = (
                np.full(shape, np.nan),
                np.full(shape, np.nan),
                np.full(shape, np.nan),
            )
        v, n, h = values[metric], ns[metric], half[metric]
        for item in series[-weeks:] if len(series) > weeks else series:  # oldest first, one value a week
            c = position.get(item.period)
            if c is None:
                continue
            v[r, c] = item.value
            if item.n is not None:
                n[r, c] = item.n
            if item.ci is not None:
                h[r, c] = (item.ci[1] - item.ci[0]) / 2
    return Snapshot(names, periods, values, ns, half, history=history)


def add_signals(snap: Snapshot, signals: Mapping[tuple[str, str], tuple[float, str]]) -> None:
    """Per-team numbers from outside the metrics: (team, name) -> (value, label)."""
    row = {t: i for i, t in enumerate(snap.teams)}
    for (team, name), (value, label) in signals.items():
        r = row.get(team)
        if r is None:
            continue
        if name not in snap.signals:
            snap.signals[name] = (np.full(len(snap.teams), np.nan), [""] * len(snap.teams))
        snap.signals[name][0][r] = value
        snap.signals[name][1][r] = label


def judged_current(snap: Snapshot, metric: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The current week as the one decision (metrics.noise) judges it, for every team: the week's
    value when its n reaches the metric's `min_n`, else the n-weighted value of the last
    `pool_weeks` weeks when they reach it together, else NaN (too few to tell). Returns (value, n,
    interval half-width); unknown n (values aggregated elsewhere) passes the week through."""

    def compute() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        v, n, h = snap.metric(metric)
        value, size, half = v[:, -1].copy(), n[:, -1].copy(), h[:, -1].copy()
        minimum = spec(metric.split(":")[0]).min_n
        if minimum <= 0 or not spec(metric.split(":")[0]).sampled:
            return value, size, half
        weeks = settings().pool_weeks
        block, nblock, hblock = v[:, -weeks:], n[:, -weeks:], h[:, -weeks:]
        ok = ~np.isnan(block) & ~np.isnan(nblock) & (nblock > 0)
        total = np.where(ok, nblock, 0.0).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            weights = np.where(ok, nblock, 0.0) / total[:, None]
            pooled = (np.where(ok, block, 0.0) * weights).sum(axis=1)
            pooled_half = np.sqrt(((np.where(ok, np.nan_to_num(hblock), 0.0) * weights) ** 2).sum(axis=1))
        small = ~np.isnan(size) & (size < minimum)
        enough = total >= minimum
        value = np.where(small, np.where(enough, pooled, np.nan), value)
        half = np.where(small, np.where(enough, pooled_half, np.nan), half)
        size = np.where(small, total, size)
        return value, size, half

    return snap.cached(("judged", metric), compute)


def material(metric: str, change: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Whether each change is at least the smallest a lead would act on (metrics.yaml `signal`)."""
    s = spec(metric.split(":")[0])
    size = np.abs(change)
    with np.errstate(invalid="ignore"):
        return (size > 0) & (size >= s.change) & (size >= s.percent / 100 * np.abs(np.nan_to_num(base)))


def enough_sample(metric: str, total_n: np.ndarray) -> np.ndarray:
    """Whether a window's total n reaches the metric's `min_n` (unknown n passes: nothing to judge by)."""
    minimum = spec(metric.split(":")[0]).min_n
    return np.isnan(total_n) | (total_n >= minimum)


def window_mean(
    snap: Snapshot, metric: str, end: int, size: int, min_n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean of the valid weeks in columns [end-size+1, end] (end counted back from the current week).

    Returns (mean, count of valid weeks, total n or NaN when no n is known).
    """

    def compute() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        v, n, _ = snap.metric(metric)
        hi = snap.width - end
        lo = max(hi - size, 0)
        block, nblock = v[:, lo:hi], n[:, lo:hi]
        ok = ~np.isnan(block) & ~(nblock < min_n)
        count = ok.sum(axis=1)
        total = np.where(ok, block, 0.0).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        known = ok & ~np.isnan(nblock)
        nsum = np.where(known.any(axis=1), np.where(known, nblock, 0.0).sum(axis=1), np.nan)
        return mean, count, nsum

    return snap.cached(("mean", metric, end, size, min_n), compute)


def noise(snap: Snapshot, metric: str) -> np.ndarray:
    """A team's usual week-to-week wobble: the scale for "how far past the line" a value is.

    Robust: the median absolute week-to-week difference, so one step change or one wild
    week (the very thing a rule looks for) does not inflate the noise it is judged against.
    """

    def compute() -> np.ndarray:
        v, _, h = snap.metric(metric)
        block = v[:, -NOISE_WEEKS:]
        diffs = np.abs(np.diff(block, axis=1))
        ok = ~np.isnan(diffs)
        count = ok.sum(axis=1)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            typical = np.nanmedian(np.where(ok, diffs, np.nan), axis=1) / 0.954
        typical = np.where(count >= 4, typical, np.nan)
        typical = np.where(np.isnan(typical), h[:, -1], typical)
        mean, _, _ = window_mean(snap, metric, 0, NOISE_WEEKS, 0)
        floor = 0.02 * np.abs(np.nan_to_num(mean)) + 1e-6
        return np.where(np.isnan(typical), floor, np.maximum(typical, floor))

    return snap.cached(("noise", metric), compute)


def wobble(snap: Snapshot, metric: str) -> np.ndarray:
    """The team's week-to-week spread (median successive difference / 0.954) where at least 4 weeks
    of differences estimate it, else NaN: the same robust spread the one decision uses."""

    def compute() -> np.ndarray:
        v, _, _ = snap.metric(metric)
        diffs = np.abs(np.diff(v[:, -NOISE_WEEKS:], axis=1))
        count = (~np.isnan(diffs)).sum(axis=1)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            typical = np.nanmedian(diffs, axis=1) / 0.954
        return np.where(count >= 4, typical, np.nan)

    return snap.cached(("wobble", metric), compute)


def trend(snap: Snapshot, metric: str, weeks: int, min_n: int) -> dict[str, np.ndarray]:
    """Least-squares slope per team over the last `weeks` weeks, skipping weeks with n < min_n."""

    def compute() -> dict[str, np.ndarray]:
        v, n, _ = snap.metric(metric)
        y, ny = v[:, -weeks:], n[:, -weeks:]
        ok = ~np.isnan(y) & ~(ny < min_n)
        count = ok.sum(axis=1)
        x = np.arange(y.shape[1], dtype=float)[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            xm = np.where(ok, x, 0).sum(axis=1) / np.maximum(count, 1)
            ym = np.where(ok, y, 0).sum(axis=1) / np.maximum(count, 1)
            dx = np.where(ok, x - xm[:, None], 0.0)
            dy = np.where(ok, y - ym[:, None], 0.0)
            sxx = (dx**2).sum(axis=1)
            slope = (dx * dy).sum(axis=1) / sxx
            resid = np.where(ok, dy - slope[:, None] * dx, 0.0)
            se = np.sqrt((resid**2).sum(axis=1) / np.maximum(count - 2, 1) / sxx)
            se = np.maximum(se, 1e-9 * (np.abs(slope) + 1e-9))
        enough = count >= max(3, int(np.ceil(0.6 * weeks)))
        first = np.argmax(ok, axis=1)
        last = y.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1)
        rows = np.arange(y.shape[0])
        known = ok & ~np.isnan(ny)
        nsum = np.where(known.any(axis=1), np.where(known, ny, 0.0).sum(axis=1), np.nan)
        return {
            "slope": np.where(enough, slope, np.nan),
            "se": se,
            "fit_change": np.where(enough, slope * (weeks - 1), np.nan),
            "fit_start": ym - slope * xm,
            "first": y[rows, first],
            "last": y[rows, last],
            "n": nsum,
        }

    return snap.cached(("trend", metric, weeks, min_n), compute)
