"""How noisy one weekly value is, and how small weeks are pooled: the sampling side of the one
decision (`metrics.noise`). Pure; the settings come from metrics.yaml.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy import special  # quantiles without importing scipy.stats (half a second at start-up)

from smartstep.definitions import SignalSpec, load_definitions
from smartstep.metrics.values import MetricValue
from smartstep.weeks import shift_week


@dataclass(frozen=True)
class Settings:
    z: float  # noise units a move must clear
    trend_p: float  # two-sided p-value a drift must beat
    confidence: float  # level of the stored intervals (to turn their width into a standard error)
    baseline_weeks: int
    pool_weeks: int
    spread_weeks: int


@cache
def settings() -> Settings:
    p = load_definitions().parameters
    alarm = float(p.get("false_alarm", 0.005))
    return Settings(
        z=float(special.ndtri(1 - alarm / 2)),
        trend_p=alarm,
        confidence=float(p.get("confidence", 0.90)),
        baseline_weeks=int(p.get("baseline_weeks", 12)),
        pool_weeks=int(p.get("pool_weeks", 4)),
        spread_weeks=int(p.get("spread_weeks", 26)),
    )


def spec(metric: str) -> SignalSpec:
    definitions = load_definitions()
    return definitions.get(metric).signal if metric in definitions.metrics else SignalSpec()


# --- the sampling error of one week's value ---------------------------------------------------


def standard_error(value: MetricValue, metric: str | None = None, *, level: float | None = None) -> float:
    """The sampling standard error of one weekly value under its metric's model (0: exact).

    A stored interval is used when there is one; otherwise the model gives it from n. `level` is
    the usual level assumed under "nothing changed": a count's Poisson variance and a share's
    binomial variance are taken there (a score test), so 0 reopens in a week of 40 tickets is judged
    by how often 0 happens at the usual 5%, not by the false certainty of 0%.
    """
    s = spec(metric or value.metric)
    if s.model == "level":
        return 0.0
    if s.model == "count":
        return math.sqrt(max(level if level is not None else value.value, 1.0))
    if value.n is None and value.ci is None:
        return 0.0  # aggregated elsewhere, sample unknown: only the week-to-week spread can speak
    n = value.n or 0
    if s.model == "share" and n > 0:
        share = value.value if level is None else level
        # One pseudo-success and -failure so 0% or 100% on few tickets is not certainty.
        p = (min(max(share / 100, 0.0), 1.0) * n + 1) / (n + 2)
        return math.sqrt(p * (1 - p) / n) * 100
    if value.ci is not None:
        z = float(special.ndtri(0.5 + settings().confidence / 2))
        return max(value.ci[1] - value.ci[0], 0.0) / (2 * z)
    if n <= 0:
        return math.inf
    if s.model == "nps":
        promoters, detractors = value.detail.get("promoters"), value.detail.get("detractors")
        if promoters is not None and detractors is not None:
            p, d = promoters / 100, detractors / 100
            return math.sqrt(max(p + d - (p - d) ** 2, 1 / n) / n) * 100
        # Without the shares, the largest variance this NPS allows (no passives).
        return math.sqrt(max(1 - (value.value / 100) ** 2, 1 / n) / n) * 100
    # A mean or median stored without an interval: nothing to go on but a crude scale.
    return abs(value.value) / math.sqrt(n)


def pooled_window(values: list[MetricValue], s: SignalSpec) -> tuple[list[MetricValue], int | None, bool]:
    """The weeks judged together (the latest alone, or the last `pool_weeks` pooled), their n, and
    whether that is enough to tell."""
    latest = values[-1]
    if not s.sampled or s.min_n <= 0 or latest.n is None or latest.n >= s.min_n:
        return [latest], latest.n, True
    first = shift_week(latest.period, -(settings().pool_weeks - 1))
    pooled = [v for v in values if v.period >= first and (v.n or 0) > 0]
    total = sum(v.n or 0 for v in pooled)
    return pooled, total, total >= s.min_n


def pool(values: Sequence[MetricValue], metric: str, level: float | None = None) -> tuple[float, float]:
    """n-weighted value of several weeks and its standard error (the pooled share for shares;
    for counts, the mean week and its Poisson error), errors taken at `level` where it applies."""
    if spec(metric).model == "count":
        mean = float(np.mean([v.value for v in values]))
        return mean, math.sqrt(max(mean if level is None else level, 1.0) / len(values))
    weights = np.array([float(v.n or 0) for v in values])
    if weights.sum() <= 0:
        weights = np.ones(len(values))
    weights = weights / weights.sum()
    value = float(np.dot(weights, [v.value for v in values]))
    errors = [standard_error(v, metric, level=level) for v in values]
    se = math.sqrt(sum((w * e) ** 2 for w, e in zip(weights, errors, strict=True)))
    return value, se


def chart_points(values: Sequence[MetricValue], metric: str | None = None) -> list[tuple[str, float]]:
    """(period, value) to draw for a series, by the same rule as `judge`: a week on too few answers
    is drawn as its pooled weeks' value, or not at all when even those are too few, so a chart never
    plunges to 0% on two answers."""
    series = list(values)
    out = []
    for i, value in enumerate(series):
        s = spec(metric or value.metric)
        window, _, enough = pooled_window(series[: i + 1], s)
        if enough:
            out.append((value.period, value.value if len(window) == 1 else pool(window, metric or value.metric)[0]))
    return out
