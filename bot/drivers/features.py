"""From per-answer facts to what the regression sees (column groups) and what a lead reads (splits).

Each factor is one group of columns, so a categorical factor (channel) or a factor with two
sides (escalated, and for how long) gets one share, never one per dummy column. Hours and
minutes are skewed (a few tickets wait weeks), so the regression uses log1p of them; counts are
capped at their 99th percentile. Missing facts take the median, so a missing first reply does
not drop the answer. Effects are described by splits in plain words ("tickets needing 3+
contacts") so the size can be said in the metric's own units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from smartstep.drivers.factors import FACTORS, Factor

MAX_LEVELS = 6
"""Categories beyond the most common few are pooled as "other"."""
MIN_LEVEL = 0.02
"""... and so are categories with fewer than 2% of the answers (or fewer than 5)."""
MIN_SPLIT = 10
"""A split needs at least this many answers on each side (and 1% of all) to be described."""


@dataclass(frozen=True)
class Design:
    """Predictor columns grouped by factor, with the outcome as the last column."""

    matrix: np.ndarray
    factors: tuple[str, ...]
    sizes: tuple[int, ...]


@dataclass(frozen=True)
class Split:
    """A plain-words group of answers ("escalated tickets") and the rest it is compared with."""

    label: str
    inside: np.ndarray
    outside: np.ndarray


def _filled(values: pd.Series) -> np.ndarray:
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    median = numbers.median()
    return numbers.fillna(0.0 if math.isnan(median) else median).to_numpy()


def _levels(values: pd.Series) -> pd.Series:
    """Category labels with rare ones pooled, missing as "unknown"."""
    text = values.fillna("unknown").astype(str)
    counts = text.value_counts()
    keep = counts[counts >= max(5, MIN_LEVEL * len(text))].index[:MAX_LEVELS]
    return text.where(text.isin(keep), "other")


def _capped(values: np.ndarray) -> np.ndarray:
    """Counts above their 99th percentile (but never 1) are capped there: one ticket with 40
    contacts should not decide the fit; a rare reopen must still count."""
    return np.minimum(values, max(1.0, float(np.percentile(values, 99)))) if len(values) else values


def _columns(frame: pd.DataFrame, factor: Factor) -> list[np.ndarray]:
    if any(c not in frame for c in (*factor.numeric, *factor.counts, *factor.logged, *factor.categorical)):
        return []  # a fact this sample does not have (older callers' frames, a store without the field)
    out = [_filled(frame[c]) for c in factor.numeric]
    out += [_capped(_filled(frame[c])) for c in factor.counts]
    out += [np.log1p(_filled(frame[c]).clip(min=0)) for c in factor.logged]
    for column in factor.categorical:
        dummies = pd.get_dummies(_levels(frame[column]), drop_first=True, dtype=float)
        out += [dummies[c].to_numpy() for c in dummies.columns]
    return [c for c in out if len(c) and np.ptp(c) > 0]


def build_design(frame: pd.DataFrame) -> Design:
    """The regression input; factors that do not vary in this sample are left out."""
    blocks, factors, sizes = [], [], []
    for factor in FACTORS:
        columns = _columns(frame, factor)
        if columns:
            blocks += columns
            factors.append(factor.id)
            sizes.append(len(columns))
    blocks.append(frame["score"].to_numpy(dtype=float))
    return Design(np.column_stack(blocks), tuple(factors), tuple(sizes))


# --- splits: the groups an effect is described by -------------------------------------------

_NICE_HOURS = (1, 2, 4, 8, 12, 24, 48, 72, 96, 120, 168, 240, 336, 504, 720)
_NICE_MINUTES = (5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240)
_NICE_DAYS = (7, 14, 30, 60, 90, 180, 365, 730)


def _nice(value: float, steps: tuple[int, ...]) -> int:
    """The largest round step not above `value` (or the smallest step)."""
    below = [s for s in steps if s <= value]
    return below[-1] if below else steps[0]


def _duration(hours: int) -> str:
    return f"{hours} hours" if hours < 48 else f"{hours // 24} days"


def _known(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    values = pd.to_numeric(frame[column], errors="coerce").astype(float).to_numpy()
    return values, ~np.isnan(values)


def _above(frame: pd.DataFrame, column: str, threshold: float, label: str, at_least: bool = False) -> Split:
    values, known = _known(frame, column)
    high = np.where(known, values >= threshold if at_least else values > threshold, False)
    return Split(label, high, known & ~high)


def _numeric_splits(frame: pd.DataFrame, factor: str) -> list[Split]:
    if factor == "contacts":
        values, known = _known(frame, "contacts")
        step = max(2, math.ceil(np.percentile(values[known], 75))) if known.any() else 2
        return [_above(frame, "contacts", step, f"tickets needing {step}+ contacts", at_least=True)]
    if factor == "reopens":
        return [_above(frame, "reopens", 1, "reopened tickets", at_least=True)]
    column, words = {
        "first_reply": ("first_reply_hours", "tickets first answered after more than {}"),
        "resolution": ("resolution_hours", "tickets resolved after more than {}"),
        "handle_time": ("handle_minutes", "tickets handled for more than {} minutes"),
    }[factor]
    values, known = _known(frame, column)
    if not known.any():
        return []
    q75 = float(np.percentile(values[known], 75))
    if factor == "handle_time":
        step = _nice(q75, _NICE_MINUTES)
        return [_above(frame, column, step, words.format(step))]
    step = _nice(q75, _NICE_HOURS)
    return [_above(frame, column, step, words.format(_duration(step)))]


def _level_splits(frame: pd.DataFrame, column: str, words: str) -> list[Split]:
    levels = _levels(frame[column]).to_numpy(dtype=object)
    known = levels != "unknown"
    return [
        Split(words.format(level), levels == level, known & (levels != level))
        for level in dict.fromkeys(levels)
        if level not in ("unknown", "other")
    ]


def _escalation_splits(frame: pd.DataFrame) -> list[Split]:
    escalated = frame["escalated"].astype(bool).to_numpy()
    where = frame.loc[escalated, "escalated_to"].value_counts(normalize=True)
    label = f"tickets escalated to {where.index[0]}" if len(where) and where.iloc[0] >= 0.6 else "escalated tickets"
    splits = [Split(label, escalated, ~escalated)]
    hours = frame.loc[escalated, "escalation_hours"].astype(float)
    if escalated.any():
        step = _nice(float(hours.median()), _NICE_HOURS)
        splits.append(_above(frame, "escalation_hours", step, f"tickets escalated for more than {_duration(step)}"))
    return splits


def candidate_splits(frame: pd.DataFrame, factor: str) -> list[Split]:
    """Ways to describe `factor` in plain words; the caller keeps the one with the biggest effect.

    Splits with fewer than MIN_SPLIT answers (or under 1%) on either side are dropped.
    """
    if factor == "channel":
        splits = _level_splits(frame, "channel", "tickets via {}")
    elif factor == "product":
        splits = _level_splits(frame, "product", "tickets about {}")
    elif factor == "priority":
        splits = _level_splits(frame, "priority", "{} priority tickets")
    elif factor == "ticket_type":
        splits = _level_splits(frame, "ticket_type", "tickets of type {}")
    elif factor == "sla":
        values, known = _known(frame, "sla_breached")
        breached = np.where(known, values >= 1, False)
        splits = [Split("tickets whose SLA was breached", breached, known & ~breached)]
    elif factor == "customer":
        splits = _level_splits(frame, "segment", "{} customers")
        values, known = _known(frame, "tenure_days")
        if known.any():
            step = _nice(float(np.percentile(values[known], 25)), _NICE_DAYS)
            low = np.where(known, values < step, False)
            splits.append(Split(f"customers in their first {step} days", low, known & ~low))
    elif factor == "escalation":
        splits = _escalation_splits(frame)
    else:
        splits = _numeric_splits(frame, factor)
    least = max(MIN_SPLIT, 0.01 * len(frame))
    return [s for s in splits if s.inside.sum() >= least and s.outside.sum() >= least]
