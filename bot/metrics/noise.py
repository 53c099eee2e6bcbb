"""Telling a real change from noise. Twelve survey answers move NPS by tens of points, so a
change is only called a change when it is larger than what the sample sizes allow."""

from __future__ import annotations

import math

from smartstep.metrics.values import MetricValue

_Z90 = 1.6449  # two-sided 90%, the level the stored intervals use


def _half_width(value: MetricValue, unit: str) -> float | None:
    if value.ci is not None:
        return (value.ci[1] - value.ci[0]) / 2
    if unit == "%" and value.n:
        p = min(max(value.value / 100, 0.0), 1.0)
        # One pseudo-success and -failure so 0% or 100% on few tickets is not certainty.
        p_adj = (p * value.n + 1) / (value.n + 2)
        return _Z90 * math.sqrt(p_adj * (1 - p_adj) / value.n) * 100
    return None


def beyond_noise(current: MetricValue, previous: MetricValue, unit: str, min_n: int = 5) -> bool:
    """Whether current - previous is larger than the noise of both samples (about 90% level).

    Values with a confidence interval or a share with its n are compared by their combined
    interval; other values count as real only when both rest on at least `min_n` cases and
    move by at least 2% (values without any n, such as backlog counts, are exact and count).
    """
    change = abs(current.value - previous.value)
    if change == 0:
        return False
    a, b = _half_width(current, unit), _half_width(previous, unit)
    if a is not None and b is not None:
        return change > math.sqrt(a * a + b * b)
    if current.n is None and previous.n is None:
        return True
    enough = (current.n or 0) >= min_n and (previous.n or 0) >= min_n
    # Means and medians without an interval: a wiggle under 2% of the level is not news.
    return enough and change >= 0.02 * max(abs(previous.value), abs(current.value))
