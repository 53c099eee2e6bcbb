"""Sampling intervals of one week's value: what a metric's sample can and cannot tell.

Small samples lie (twelve answers move NPS by tens of points), so every sampled weekly value is
stored with its interval, at the level `metrics.yaml` `confidence` names. Each statistic gets the
interval that fits it: Wilson for shares (honest at n=12 and at 0% or 100%), the three shares for
NPS, a distribution-free order-statistic interval for medians of heavy-tailed durations, Student-t
for means, and Garwood's exact Poisson interval for counts. Pure numpy/scipy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special  # quantiles without importing scipy.stats (half a second at start-up)


def wilson_interval(successes: float, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval for a share, in percent; honest at n=12 where the normal one is not."""
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half) * 100, min(1.0, centre + half) * 100)


def nps_interval(promoters: int, detractors: int, n: int, z: float) -> tuple[float, float]:
    """NPS +- z * standard error, with one pseudo-answer per category so 5 promoters out of 5
    do not claim certainty."""
    p, d = (promoters + 1) / (n + 3), (detractors + 1) / (n + 3)
    se = np.sqrt((p + d - (p - d) ** 2) / n) * 100
    nps = (promoters - detractors) / n * 100
    return (max(-100.0, nps - z * se), min(100.0, nps + z * se))


def mean_interval(values: np.ndarray, confidence: float) -> tuple[float, float] | None:
    n = len(values)
    if n < 2:
        return None
    sd = float(np.std(values, ddof=1)) or 0.5  # an all-equal small sample is not certainty
    t = float(special.stdtrit(n - 1, 0.5 + confidence / 2))
    mean = float(np.mean(values))
    return (mean - t * sd / np.sqrt(n), mean + t * sd / np.sqrt(n))


def poisson_interval(count: float, confidence: float) -> tuple[float, float]:
    """Exact (Garwood) interval for a weekly count, as if the week were one Poisson draw."""
    alpha = 1 - confidence
    low = 0.0 if count <= 0 else float(special.chdtri(2 * count, 1 - alpha / 2) / 2)
    return (low, float(special.chdtri(2 * count + 2, alpha / 2) / 2))


def _binomial_half_quantile(q: float, n: np.ndarray) -> np.ndarray:
    """The q-quantile of Binomial(n, 1/2): the smallest k with P(X <= k) >= q (scipy.stats' rule)."""
    k = np.ceil(special.bdtrik(q, n, 0.5))
    below = np.maximum(k - 1, 0)
    return np.where(special.bdtr(below, n, 0.5) >= q, below, k).astype("int64")


def median_ranks(n: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """0-based ranks (lower, upper) of the order statistics that bracket a median with at least
    `confidence` whatever the distribution: the count below the median is Binomial(n, 1/2)."""
    n = np.asarray(n, dtype="int64")
    lower = _binomial_half_quantile((1 - confidence) / 2, n)  # 1-based rank l
    lower = np.clip(lower, 1, np.maximum(n, 1)) - 1
    return lower, np.maximum(n - 1 - lower, lower)


def grouped_intervals(
    keys: pd.Series, values: pd.Series, how: str, confidence: float
) -> dict[float, tuple[float, float]]:
    """Sampling interval of each group's statistic: a distribution-free order-statistic interval
    for a median, Student-t for a mean, Wilson for a share of 0/100 values. Vectorised: one sort."""
    keep = values.notna() & keys.notna()
    k, v = keys[keep].to_numpy(dtype="float64"), values[keep].to_numpy(dtype="float64")
    if not len(k):
        return {}
    order = np.lexsort((v, k))
    k, v = k[order], v[order]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    sizes = np.diff(np.r_[starts, len(k)])
    if how == "median":
        lo_rank, hi_rank = median_ranks(sizes, confidence)
        lows, highs = v[starts + lo_rank], v[starts + hi_rank]
    elif how == "share":
        z = float(special.ndtri(0.5 + confidence / 2))
        hits = np.add.reduceat(v, starts) / 100
        pairs = [wilson_interval(h, int(n), z) for h, n in zip(hits, sizes, strict=True)]
        lows, highs = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    else:
        sums = np.add.reduceat(v, starts)
        means = sums / sizes
        squares = np.add.reduceat(v * v, starts)
        var = np.maximum(squares - sizes * means**2, 0.0) / np.maximum(sizes - 1, 1)
        sd = np.where(var > 0, np.sqrt(var), 0.5)  # an all-equal small sample is not certainty
        t = special.stdtrit(np.maximum(sizes - 1, 1), 0.5 + confidence / 2)
        half = t * sd / np.sqrt(sizes)
        lows, highs = means - half, means + half
    return {
        float(key): (float(lo), float(hi))
        for key, lo, hi, n in zip(k[starts], lows, highs, sizes, strict=True)
        if n >= 2 or how == "share"
    }
