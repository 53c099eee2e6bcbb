"""Driver analysis: which ticket facts explain how customers score CSAT, CES and NPS.

Pure: a DataFrame of answers joined to their ticket facts (`driver_data.load_answers`) in, a
DriverReport out. The method is a Shapley decomposition of R² over factor groups
(`driver_math`), the raw score as the outcome, and 200 seeded bootstrap resamples.

Decisions a reader should know:
- The outcome is the raw score (CSAT 1-5, NPS 0-10, CES 1-7), not the top-2-box indicator: it
  keeps the difference between a 1 and a 3 and so gives steadier shares. Effects are then said
  in the metric's own units: CSAT and NPS in points of the metric (top-2-box %, promoters minus
  detractors), CES in scale points, as the difference between a plain-words group and the rest.
- Shares are credit, not causes; effects are observed differences, not adjusted for the other
  factors (the share says how much of the variation a factor accounts for once credit is split).
- A driver is *stable* (reported as fact) only if its effect has the same sign in at least 90%
  of resamples, the 5th percentile of the variance it explains is above what a factor with k
  columns explains by chance on average (k / n), and the variance it explains is above the
  99.5th percentile of chance (chi²_k / n): with nine factors a pure-noise sample then shows a
  false driver in a few percent of reports, not in one in four.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import chdtri  # chi-squared quantiles without importing scipy.stats

from smartstep.definitions import load_definitions
from smartstep.drivers.changes import DriverChange, detect_changes
from smartstep.drivers.factors import LABELS
from smartstep.drivers.features import Design, Split, build_design, candidate_splits
from smartstep.drivers.shapley import bootstrap_counts, r2_parts, split_effects
from smartstep.weeks import shift_week, week_range

SURVEY_METRICS = load_definitions().survey_scores
MIN_ANSWERS = 60
"""Below this many answers (with a known ticket) a report gives no numbers, only how many more it needs."""
RESAMPLES = 200
STABLE_SIGN = 0.9
"""Share of resamples whose effect must point the same way for a driver to count as stable."""
CHANCE_LEVEL = 0.995
"""A stable driver explains more than pure noise would in all but 0.5% of samples (chi² with its columns)."""
INTERVAL = (5.0, 95.0)
"""Percentiles of the bootstrap distribution reported as the 90% interval."""


@dataclass(frozen=True)
class Driver:
    """One factor's part in explaining the metric, with its plain-words effect and its stability."""

    factor: str
    label: str
    share: float
    """Percent of the variation all factors explain together that this factor accounts for."""
    share_ci: tuple[float, float]
    explained: float
    """Percent of the score's whole variation this factor accounts for."""
    explained_ci: tuple[float, float]
    group: str | None
    """The plain-words group the effect compares with the rest, e.g. "tickets needing 3+ contacts"."""
    n_group: int
    effect: float | None
    """Metric of the group minus metric of the rest, in the metric's own units."""
    sign_agreement: float
    stable: bool


@dataclass(frozen=True)
class DriverReport:
    team: str | None
    metric: str
    first_week: str
    last_week: str
    n: int
    """Answers with a known ticket: the sample the numbers rest on."""
    min_answers: int
    explained: float | None
    """Percent of the score's variation all factors explain together (None below min_answers)."""
    explained_ci: tuple[float, float] | None
    drivers: tuple[Driver, ...]
    """Every factor analysed, biggest share first; only `stable` ones are facts."""
    changes: tuple[DriverChange, ...] = ()
    since: str | None = None
    """The week the change detection compared against the weeks before it."""
    since_counts: tuple[int, int] | None = None
    """Answers before `since` and from it on; below min_answers on a side, changes were not checked."""
    without_ticket: int = 0
    resamples: int = RESAMPLES

    @property
    def needed(self) -> int:
        """How many more answers the analysis needs before it reports numbers."""
        return max(0, self.min_answers - self.n)

    @property
    def stable_drivers(self) -> tuple[Driver, ...]:
        return tuple(d for d in self.drivers if d.stable)


def metric_points(scores: np.ndarray, metric: str) -> np.ndarray:
    """Each answer's contribution to the metric, so a group's mean *is* the group's metric value."""
    if metric == "csat":
        return np.where(scores >= 4, 100.0, 0.0)
    if metric == "nps":
        return np.where(scores >= 9, 100.0, np.where(scores <= 6, -100.0, 0.0))
    if metric == "ces":
        return scores.astype(float)
    raise ValueError(f"no driver analysis for metric {metric!r}")


def _interval(point: float, resampled: np.ndarray) -> tuple[float, float]:
    """90% interval from the bootstrap spread, re-centred on the estimate.

    R² parts are biased upward in resamples (a duplicated row looks like signal), so the raw
    percentiles can miss the estimate altogether; shifting by the bootstrap median's bias keeps
    the spread and makes the interval honest about the estimate it belongs to.
    """
    finite = resampled[np.isfinite(resampled)]
    if not len(finite):
        return (float("nan"), float("nan"))
    lo, mid, hi = np.percentile(finite, [INTERVAL[0], 50.0, INTERVAL[1]])
    return (round(max(0.0, float(point - (mid - lo))), 4), round(min(100.0, float(point + (hi - mid))), 4))


def _effects(
    frame: pd.DataFrame, factors: tuple[str, ...], points: np.ndarray, counts: np.ndarray
) -> dict[str, tuple[Split | None, np.ndarray]]:
    """Per factor: its split with the biggest effect on the sample (row 0 of counts), and that
    split's effect in every row of counts. All splits go through one matrix product."""
    candidates = [(factor, split) for factor in factors for split in candidate_splits(frame, factor)]
    effects = split_effects(points, [(s.inside, s.outside) for _, s in candidates], counts) if candidates else None
    best: dict[str, tuple[Split | None, np.ndarray]] = {f: (None, np.full(len(counts), np.nan)) for f in factors}
    for column, (factor, split) in enumerate(candidates):
        current = best[factor]
        if current[0] is None or abs(np.nan_to_num(effects[0, column])) > abs(np.nan_to_num(current[1][0])):
            best[factor] = (split, effects[:, column])
    return best


def _driver(factor: str, columns: int, parts: np.ndarray, shares: np.ndarray, effect: tuple, n: int) -> Driver:
    split, effects = effect
    sign = np.sign(effects[0]) if split is not None else 0.0
    agreement = float(np.mean(np.sign(effects[1:]) == sign)) if split is not None and sign != 0 else 0.0
    explained_ci = _interval(parts[0], parts[1:])
    chance, floor = 100.0 * columns / n, 100.0 * chdtri(columns, 1 - CHANCE_LEVEL) / n
    return Driver(
        factor=factor,
        label=LABELS[factor],
        share=round(float(shares[0]), 4),
        share_ci=_interval(shares[0], shares[1:]),
        explained=round(float(parts[0]), 4),
        explained_ci=explained_ci,
        group=split.label if split is not None else None,
        n_group=int(split.inside.sum()) if split is not None else 0,
        effect=round(float(effects[0]), 4) if split is not None else None,
        sign_agreement=round(agreement, 4),
        stable=bool(agreement >= STABLE_SIGN and explained_ci[0] > chance and parts[0] > floor),
    )


def _drivers(
    frame: pd.DataFrame, design: Design, metric: str, resamples: int, seed: int
) -> tuple[tuple[Driver, ...], np.ndarray]:
    n = len(frame)
    counts = np.vstack([np.ones((1, n)), bootstrap_counts(n, resamples, seed)]).astype(float)
    if not design.factors:
        return (), np.zeros(len(counts))
    phi, r2 = r2_parts(design.matrix, design.sizes, counts)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(r2[:, None] > 0, phi / r2[:, None] * 100.0, 0.0)
    points = metric_points(frame["score"].to_numpy(dtype=float), metric)
    effects = _effects(frame, design.factors, points, counts)
    drivers = [
        _driver(factor, design.sizes[i], phi[:, i] * 100.0, shares[:, i], effects[factor], n)
        for i, factor in enumerate(design.factors)
    ]
    return tuple(sorted(drivers, key=lambda d: -d.share)), r2 * 100.0


def analyse_drivers(
    frame: pd.DataFrame,
    metric: str,
    *,
    first_week: str,
    last_week: str,
    team: str | None = None,
    since: str | None = None,
    resamples: int = RESAMPLES,
    seed: int = 0,
    min_answers: int = MIN_ANSWERS,
    check_changes: bool = True,
) -> DriverReport:
    """What explains `metric` in these answers, and whether that changed from `since` on.

    `since` defaults to the middle of the window; change detection needs `min_answers` on
    each side of it, and is skipped for windows shorter than 4 weeks or when `check_changes`
    is off (it costs twice the main analysis; rule signals do not need it).
    """
    metric_points(np.zeros(0), metric)  # refuse unknown metrics before any work
    with_ticket = frame[frame["has_ticket"].astype(bool)].reset_index(drop=True)
    n = len(with_ticket)
    base = dict(team=team, metric=metric, first_week=first_week, last_week=last_week, n=n, min_answers=min_answers)
    base |= dict(without_ticket=len(frame) - n, resamples=resamples)
    if n < min_answers:
        return DriverReport(**base, explained=None, explained_ci=None, drivers=())
    design = build_design(with_ticket)
    drivers, r2 = _drivers(with_ticket, design, metric, resamples, seed)
    weeks = week_range(first_week, last_week)
    if not check_changes:
        since = None
    elif since is None and len(weeks) >= 4:
        since = shift_week(first_week, len(weeks) // 2)
    changes, since_counts = (), None
    if since is not None:
        recent = (with_ticket["week"] >= since).to_numpy()
        since_counts = (int((~recent).sum()), int(recent.sum()))
        changes = detect_changes(design, recent, since, resamples=resamples, seed=seed, min_answers=min_answers)
    return DriverReport(
        **base,
        explained=round(float(r2[0]), 4),
        explained_ci=_interval(r2[0], r2[1:]),
        drivers=drivers,
        changes=changes,
        since=since,
        since_counts=since_counts,
    )
