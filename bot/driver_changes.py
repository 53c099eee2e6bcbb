"""Did a driver's weight change? Compare the weeks before `since` with the weeks from it on.

The comparison is on the amount of score variance a factor explains (its R² part times the
window's score variance, in squared score units), not on its share of what all factors explain
nor on its percent of the window's variance: both are relative, so one factor growing would
make every other factor "fall" although nothing changed for them. Each window is resampled on
its own; a change is reported only when the 99% interval of the difference (normal, from the
bootstrap standard deviation: steadier than extreme percentiles of 200 resamples) excludes zero, the
difference is at least MIN_CHANGE percent of the score variance of both windows together, and
one side is at least RATIO times the other. Reports still show each window's percent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from smartstep.driver_features import LABELS, Design
from smartstep.driver_math import bootstrap_counts, r2_parts

MIN_CHANGE = 2.0
"""Percent of the (pooled) score variance a factor must gain or lose to count as a change."""
RATIO = 1.5
Z = 2.576
"""99% two-sided: nine factors are tested at once, so the bar is higher than the 90% used elsewhere."""


@dataclass(frozen=True)
class DriverChange:
    factor: str
    label: str
    since: str
    before: float
    """Percent of the score's variation the factor explained in the weeks before `since`."""
    after: float
    """... and from `since` on."""
    ratio: float
    """Variance explained from `since` on / before (in score units², so other factors cannot move it)."""
    change_ci: tuple[float, float]
    """99% interval of the change in variance explained, in percent of the pooled score variance."""
    n_before: int
    n_after: int

    @property
    def change(self) -> float:
        return round(self.after - self.before, 4)


def _explained(matrix: np.ndarray, sizes: tuple[int, ...], resamples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Per resample (row 0: the sample itself) and factor: percent of variance, and variance, explained."""
    n = len(matrix)
    counts = np.vstack([np.ones((1, n)), bootstrap_counts(n, resamples, seed)]).astype(float)
    phi, _ = r2_parts(matrix, sizes, counts)
    y = matrix[:, -1]
    mean = counts @ y / n
    variance = counts @ (y * y) / n - mean * mean
    return phi * 100.0, phi * variance[:, None]


def detect_changes(
    design: Design, recent: np.ndarray, since: str, *, resamples: int, seed: int, min_answers: int
) -> tuple[DriverChange, ...]:
    """Factors whose explained variation changed beyond noise from week `since` on, biggest first.

    `design` is built on both windows together, so the factors' columns mean the same on each
    side; `recent` marks the rows answered from `since` on.
    """
    n_after, n_before = int(recent.sum()), int((~recent).sum())
    if min(n_after, n_before) < min_answers or not design.factors:
        return ()
    before, before_var = _explained(design.matrix[~recent], design.sizes, resamples, seed + 1)
    after, after_var = _explained(design.matrix[recent], design.sizes, resamples, seed + 2)
    pooled = float(np.var(design.matrix[:, -1]))
    diffs = (after_var - before_var) / pooled * 100.0
    spread = Z * diffs[1:].std(axis=0)
    lows, highs = diffs[0] - spread, diffs[0] + spread
    changes = []
    for i, factor in enumerate(design.factors):
        old, new = float(before_var[0, i]), float(after_var[0, i])
        beyond_noise = lows[i] > 0 or highs[i] < 0
        big = abs(new - old) / pooled * 100.0 >= MIN_CHANGE and max(old, new) >= RATIO * min(old, new)
        if beyond_noise and big:
            changes.append(
                DriverChange(
                    factor=factor,
                    label=LABELS[factor],
                    since=since,
                    before=round(float(before[0, i]), 4),
                    after=round(float(after[0, i]), 4),
                    ratio=round(new / old, 4) if old > 0 else float("inf"),
                    change_ci=(round(float(lows[i]), 4), round(float(highs[i]), 4)),
                    n_before=n_before,
                    n_after=n_after,
                )
            )
    return tuple(sorted(changes, key=lambda c: -abs(c.change_ci[0] + c.change_ci[1])))
