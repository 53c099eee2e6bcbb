"""From an estimate to a verdict: beyond noise (the 90% interval excludes zero) and big enough to
act on, in the good or the bad direction; otherwise no effect; without an estimate, cannot tell."""

from __future__ import annotations

from smartstep.advice.counterfactual import Estimate, NoEstimate
from smartstep.advice.verdicts import Verdict
from smartstep.definitions import MetricDefinition

MATERIAL = {"%": 1.0, "pts": 2.0, "/7": 0.1}  # the smallest effect worth acting on, by unit
MATERIAL_SHARE = 0.05  # for the other units, as a share of the level before
MATERIAL_FLOOR = {"tickets": 1.0}


def judge(found: Estimate | NoEstimate, definition: MetricDefinition) -> tuple[Verdict, str | None, float | None]:
    """The verdict, a caveat in words (or why it cannot tell), and how sure it went the good way."""
    if isinstance(found, NoEstimate):
        return Verdict.CANNOT_TELL, found.reason, None
    lo, hi = found.interval
    if definition.better == "context":
        if lo > 0 or hi < 0:
            return Verdict.CANNOT_TELL, "it moved, but for this metric either direction needs a human look", None
        return Verdict.NO_EFFECT, None, None
    sign = 1 if definition.better == "higher" else -1
    sure = found.p_better(sign)
    if lo <= 0 <= hi:
        return Verdict.NO_EFFECT, None, sure
    material = MATERIAL.get(definition.unit)
    if material is None:
        material = max(MATERIAL_SHARE * abs(found.before), MATERIAL_FLOOR.get(definition.unit, 0.0))
    if abs(found.effect) < material:
        return Verdict.NO_EFFECT, "beyond noise, but too small to act on", sure
    return (Verdict.WORKED if definition.improved(found.effect) else Verdict.WORSE), None, sure
