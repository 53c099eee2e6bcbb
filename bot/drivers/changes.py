"""Did a driver's weight change? Compare the weeks before `since` with the weeks from it on.

The comparison is on the amount of score variance a factor explains (its R² part times the
window's score variance), not on its share of what all factors explain nor on its percent of
the window's variance: both are relative, so one factor growing would make every other factor
"fall" although nothing changed for them. Both sides are shown in percent of the score
variance of both windows together, one yardstick, so their ratio is the ratio of the
variances. Each window is resampled on its own; a change is reported only when the 99%
interval of the difference (normal, from the bootstrap standard deviation: steadier than
extreme percentiles of 200 resamples) excludes zero, the difference is at least MIN_CHANGE
points on that yardstick, and one side is at least RATIO times the other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from smartstep.drivers.factors import LABELS
from smartstep.drivers.features import Design
from smartstep.drivers.shapley import bootstrap_counts, r2_parts

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
    """Variance the factor explained in the weeks before `since`, in percent of the score variance
    of both windows together (one yardstick for both sides, so after / before is the ratio)."""
    after: float
    """... and from `since` on, on the same yardstick."""
    change_ci: tuple[float, float]
    """99% interval of the change in variance explained, in percent of the pooled score variance."""
    n_before: int
    n_after: int

    @property
    def change(self) -> float:
        return round(self.after - self.before, 4)

    @property
    def ratio(self) -> float:
        return self.after / self.before if self.before > 0 else float("inf")


def _explained(matrix: np.ndarray, sizes: tuple[int, ...], resamples: int, seed: int) -> np.ndarray:
    """Per resample (row 0: the sample itself) and factor: the score variance it explains."""
    n = len(matrix)
    counts = np.vstack([np.ones((1, n)), bootstrap_counts(n, resamples, seed)]).astype(float)
    phi, _ = r2_parts(matrix, sizes, counts)
    y = matrix[:, -1]
    mean = counts @ y / n
    variance = counts @ (y * y) / n - mean * mean
    return phi * variance[:, None]


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
    pooled = float(np.var(design.matrix[:, -1])) / 100.0
    if pooled <= 0:
        return ()
    before = _explained(design.matrix[~recent], design.sizes, resamples, seed + 1) / pooled
    after = _explained(design.matrix[recent], design.sizes, resamples, seed + 2) / pooled
    diffs = after - before
    spread = Z * diffs[1:].std(axis=0)
    lows, highs = diffs[0] - spread, diffs[0] + spread
    changes = []
    for i, factor in enumerate(design.factors):
        old, new = float(before[0, i]), float(after[0, i])
        beyond_noise = lows[i] > 0 or highs[i] < 0
        big = abs(new - old) >= MIN_CHANGE and max(old, new) >= RATIO * min(old, new)
        if beyond_noise and big:
            changes.append(
                DriverChange(
                    factor=factor,
                    label=LABELS[factor],
                    since=since,
                    before=round(old, 4),
                    after=round(new, 4),
                    change_ci=(round(float(lows[i]), 4), round(float(highs[i]), 4)),
                    n_before=n_before,
                    n_after=n_after,
                )
            )
    return tuple(sorted(changes, key=lambda c: -abs(c.change_ci[0] + c.change_ci[1])))
