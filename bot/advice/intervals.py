"""The small statistics the outcome check needs: Student's t quantiles for a 90% interval, the normal
CDF and a pooled standard deviation. Written out (a table and Cornish-Fisher) so that answering a
question never imports scipy."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

# One-sided 95% quantiles of Student's t (two-sided 90%), for 1-30 degrees of freedom.
_T95 = (6.314, 2.920, 2.353, 2.132, 2.015, 1.943, 1.895, 1.860, 1.833, 1.812, 1.796, 1.782, 1.771, 1.761,
        1.753, 1.746, 1.740, 1.734, 1.729, 1.725, 1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701,
        1.699, 1.697)  # fmt: skip
_Z95 = 1.6449


def t95(df: int) -> float:
    """The two-sided 90% quantile of Student's t (Cornish-Fisher beyond the table)."""
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if df <= len(_T95):
        return _T95[df - 1]
    z = _Z95
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def pooled_sd(a: Sequence[float], b: Sequence[float]) -> float:
    """The spread of two samples around their own means, pooled (0 without degrees of freedom)."""
    df = len(a) + len(b) - 2
    if df < 1:
        return 0.0
    ss = sum((x - statistics.fmean(a)) ** 2 for x in a) + sum((x - statistics.fmean(b)) ** 2 for x in b)
    return math.sqrt(ss / df)


def normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))
