"""The one decision every surface uses: did a metric move, is it steady, or are there too few
tickets (answers) to tell? The scorecard, chat, digest, App Home, rule guards and outcome checks
all call `judge` (or `differs` for two single values), so they never disagree.

How a week is judged (the README's "How the metrics are computed" says why):

1. Sample. A week resting on fewer than the metric's `min_n` (metrics.yaml `signal`) is judged
   together with the weeks before it (`pool_weeks`, 4). Fewer than `min_n` even then: too few to tell.
2. Usual level. The median of the `baseline_weeks` (12) weeks before the judged window, with the
   team's own week-to-week spread (1.4826 x MAD). Pooled windows compare with the pooled weeks before.
3. Noise. The sampling error of the judged value (from its stored interval, or its model: Wilson
   for shares, Poisson for counts, ...), plus the team's real week-to-week wobble beyond sampling
   (its spread minus typical sampling error: over-dispersion), plus the uncertainty of the median.
4. Moved: the change beyond `z` noise units (`false_alarm`, two-sided) *and* material (at least
   `change` in the metric's unit and `percent` of the usual level). Otherwise a slow drift counts
   when a Mann-Kendall test over the same window is beyond the same false-alarm rate and its
   Theil-Sen change is material; otherwise steady.

Stable names other modules call: `judge`, `Judgement` (its `status`, `moved`, `too_few`, `words`),
`too_few_to_tell`, `too_few_words`, `differs`, `standard_error`, `beyond_noise` (the old name).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special  # quantiles without importing scipy.stats (half a second at start-up)

from smartstep.definitions import SignalSpec, load_definitions
from smartstep.metrics.sampling import Settings, chart_points, pool, pooled_window, settings, spec, standard_error
from smartstep.metrics.values import MetricValue
from smartstep.weeks import shift_week, week_start

__all__ = [
    "Judgement",
    "Settings",
    "beyond_noise",
    "chart_points",
    "differs",
    "history_weeks",
    "judge",
    "settings",
    "spec",
    "standard_error",
    "too_few_to_tell",
    "too_few_words",
]

MOVED, DRIFTING, STEADY, TOO_FEW, NO_HISTORY = "moved", "drifting", "steady", "too_few", "no_history"
MAD_TO_SD = 1.4826  # the MAD of a normal sample times this estimates its standard deviation
MIN_SPREAD_WEEKS = 4  # fewer earlier weeks than this: their spread is not estimated (sampling noise only)
MIN_TREND_WEEKS = 8  # a trend test on fewer weeks than this has no power worth having


def history_weeks() -> int:
    """How many weeks up to the judged one `judge` reads; more history changes nothing."""
    cfg = settings()
    return max(cfg.baseline_weeks + cfg.pool_weeks, cfg.spread_weeks) + 1


# --- the decision ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Judgement:
    """What the data can say about one team's metric in one week.

    `value` is what was judged: the week's value, or the pooled value of the last `weeks` weeks.
    `baseline` is the usual level it was compared with (median of `baseline_weeks` earlier weeks, or
    their pooled value); `noise` the standard error of value - baseline; `slope` a drift per week."""

    team: str
    metric: str
    period: str
    status: str  # moved | drifting | steady | too_few | no_history
    value: float | None = None
    n: int | None = None
    weeks: int = 1
    baseline: float | None = None
    baseline_weeks: int = 0
    noise: float | None = None
    slope: float | None = None  # a drift's Theil-Sen change per week
    trend_p: float | None = None
    started: float | None = None  # where a drift started: the median of the first weeks of its window
    beyond_noise: bool = False
    material: bool = False

    @property
    def moved(self) -> bool:
        return self.status == MOVED

    @property
    def drifting(self) -> bool:
        return self.status == DRIFTING

    @property
    def too_few(self) -> bool:
        return self.status == TOO_FEW

    @property
    def news(self) -> bool:
        """Worth a line in a digest: a move, or a material slow drift."""
        return self.status in (MOVED, DRIFTING)

    @property
    def change(self) -> float | None:
        """value - baseline (for a drift: the fitted change over the window)."""
        if self.status == DRIFTING and self.slope is not None:
            return self.slope * settings().baseline_weeks
        if self.value is None or self.baseline is None:
            return None
        return self.value - self.baseline

    @property
    def direction(self) -> str | None:
        change = self.change
        return None if not change else "up" if change > 0 else "down"

    @property
    def good(self) -> bool | None:
        """Better news (True), worse (False), or context/no change (None)."""
        change = self.change
        return None if not change else load_definitions().get(self.metric).improved(change)

    @property
    def words(self) -> str:
        """A short phrase for people: "too few answers to tell", "steady", "up from a usual 40"."""
        if self.status == TOO_FEW:
            return too_few_words(self.metric)
        if self.status == NO_HISTORY:
            return "no earlier weeks to compare"
        if self.status == STEADY:
            return "steady"
        return f"{self.direction} ({'drifting' if self.drifting else 'beyond noise'})"

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "judged_value": _round(self.value),
            "judged_n": self.n,
            "judged_weeks": self.weeks,
            "baseline": _round(self.baseline),
            "baseline_weeks": self.baseline_weeks,
            "vs_baseline": _round(self.change),
            "noise": _round(self.noise),
        }


def _round(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 4)


def too_few_words(metric: str) -> str:
    """ "too few answers to tell" (or tickets, surveys, customers: what the metric's n counts)."""
    return f"too few {spec(metric).counts} to tell"


def too_few_to_tell(values: Sequence[MetricValue], metric: str | None = None) -> bool:
    """Whether the latest value (with up to `pool_weeks` weeks before it) rests on too few cases."""
    if not values:
        return True
    return not pooled_window(list(values), spec(metric or values[-1].metric))[2]


def judge(values: Sequence[MetricValue], metric: str | None = None, period: str | None = None) -> Judgement:
    """Judge the value of week `period` (default: the latest) against the team's usual level.

    `values` are one team's weekly values of one metric, oldest first; more history than
    `baseline_weeks` + `pool_weeks` changes nothing. Pure and cheap (no resampling).
    """
    series = [v for v in values if period is None or v.period <= period]
    if not series:
        raise ValueError("judge needs at least one value")
    latest = series[-1]
    metric = metric or latest.metric
    s, cfg = spec(metric), settings()
    base = dict(team=latest.team, metric=metric, period=latest.period)
    window, n, enough = pooled_window(series, s)
    if not enough:
        return Judgement(**base, status=TOO_FEW, n=n, weeks=cfg.pool_weeks)
    weeks = len(window) if len(window) > 1 else 1
    start = window[0].period if weeks > 1 else latest.period
    first = shift_week(start, -cfg.baseline_weeks)
    earlier = [v for v in series if first <= v.period < start and not math.isnan(v.value)]
    if s.sampled and s.min_n > 0 and weeks == 1:
        # Weeks on a small fraction of the usual sample would only add their own noise.
        earlier = [v for v in earlier if v.n is None or v.n >= s.min_n / 2]
    if weeks > 1:
        earlier = [v for v in earlier if (v.n or 0) > 0]
    if not earlier:
        value = latest.value if weeks == 1 else pool(window, metric)[0]
        return Judgement(**base, status=NO_HISTORY, value=value, n=n, weeks=weeks)

    if weeks > 1:
        usual = pool(earlier, metric)[0]
        value, se_now = pool(window, metric, level=usual)
        noise = math.sqrt(se_now**2 + pool(earlier, metric, level=usual)[1] ** 2)
        wobble = 0.0
    else:
        value, usual, noise, wobble = _weekly_noise(series, earlier, metric, s)
    change = value - usual
    beyond = abs(change) > cfg.z * noise if noise > 0 else change != 0
    material = is_material(change, usual, s)
    judged = dict(**base, value=value, n=n, weeks=weeks, baseline=usual, baseline_weeks=len(earlier), noise=noise)
    if beyond and material:
        return Judgement(**judged, status=MOVED, beyond_noise=True, material=True)
    if weeks == 1 and s.model != "level":
        sustained = _sustained(series, metric, wobble)
        if sustained is not None:
            return Judgement(**{**base, **sustained})
    drift = _drift(series, s) if weeks == 1 else None
    if drift is not None:
        slope, p, start_level = drift
        fitted = slope * cfg.baseline_weeks
        if p < cfg.trend_p and is_material(fitted, usual, s):
            return Judgement(
                **judged, status=DRIFTING, slope=slope, trend_p=p, started=start_level, beyond_noise=True, material=True
            )
    return Judgement(**judged, status=STEADY, beyond_noise=beyond, material=material)


def _sustained(series: list[MetricValue], metric: str, wobble: float) -> dict[str, object] | None:
    """A shift no single week shows but the last `pool_weeks` weeks together do (40 answers a week
    cannot show a 15-point CSAT drop at this false-alarm rate; 160 can): the fields of a MOVED
    judgement on those weeks pooled against the pooled weeks before, or None. The team's real
    week-to-week wobble averages down over the weeks, and is counted so."""
    cfg, s = settings(), spec(metric)
    first = shift_week(series[-1].period, -(cfg.pool_weeks - 1))
    recent = [v for v in series if v.period >= first and (v.n or 0) > 0]
    start = shift_week(first, -cfg.baseline_weeks)
    earlier = [v for v in series if start <= v.period < first and (v.n or 0) > 0]
    if len(recent) < cfg.pool_weeks or len(earlier) < MIN_SPREAD_WEEKS:
        return None
    usual = pool(earlier, metric)[0]
    value, se_now = pool(recent, metric, level=usual)
    se_usual = pool(earlier, metric, level=usual)[1]
    noise = math.sqrt(se_now**2 + se_usual**2 + wobble / len(recent) + wobble / len(earlier))
    change = value - usual
    if not (abs(change) > cfg.z * noise and is_material(change, usual, s)):
        return None
    total = sum(v.n or 0 for v in recent)
    return dict(status=MOVED, value=value, n=total, weeks=len(recent), baseline=usual,
                baseline_weeks=len(earlier), noise=noise, beyond_noise=True, material=True)  # fmt: skip


def _weekly_noise(
    series: list[MetricValue], earlier: list[MetricValue], metric: str, s: SignalSpec
) -> tuple[float, float, float, float]:
    """(value, usual level, standard error of the difference, the real week-to-week variance beyond
    sampling) for a week judged on its own."""
    latest = series[-1]
    levels = np.array([v.value for v in earlier])
    usual = float(np.median(levels))
    sampling = np.array([standard_error(v, metric, level=usual) for v in earlier])
    sampling = np.where(np.isfinite(sampling), sampling, 0.0)
    se_now = standard_error(latest, metric, level=usual)
    if s.model in ("mean", "median") and latest.n:
        # A heavy-tailed week without its usual long waits has a small mean *and* a small spread;
        # judged by its own interval it would look certain. Under "nothing changed" its error is at
        # least the usual one for its size (the median of the earlier weeks' per-case spread).
        usual_sd = float(np.median([se * math.sqrt(v.n or 1) for se, v in zip(sampling, earlier, strict=True)]))
        se_now = max(se_now, usual_sd / math.sqrt(latest.n))
    k = len(earlier)
    if k >= MIN_SPREAD_WEEKS:
        spread = max(MAD_TO_SD * float(np.median(np.abs(levels - usual))), _successive_spread(series, s))
        typical = float(np.median(sampling**2))
        wobble = max(spread**2 - typical, 0.0)  # real week-to-week variation beyond sampling
        median_var = (math.pi / 2) * max(spread**2, typical) / k
    else:
        wobble = 0.0
        median_var = float(np.mean(sampling**2)) / k
    return latest.value, usual, math.sqrt(se_now**2 + wobble + median_var), wobble


def _successive_spread(series: list[MetricValue], s: SignalSpec) -> float:
    """The week-to-week standard deviation from the median successive difference over the longer
    `spread_weeks` before the judged week: steadier than a 12-week MAD, and blind to one old level
    shift. The larger of the two is used, so neither's bad luck makes noise look like news."""
    cfg = settings()
    first = shift_week(series[-1].period, -cfg.spread_weeks)
    points = [v for v in series[:-1] if v.period >= first and not math.isnan(v.value)]
    if s.sampled and s.min_n > 0:
        points = [v for v in points if v.n is None or v.n >= s.min_n / 2]
    if len(points) < 2 * MIN_SPREAD_WEEKS:
        return 0.0
    gaps = np.abs(np.diff([v.value for v in points]))
    return float(np.median(gaps)) / 0.954  # median |x - y| of two normal draws = 0.954 sd


def is_material(change: float, usual: float | None, s: SignalSpec) -> bool:
    """At least the smallest change a lead would act on, in units and as a share of the usual level."""
    size = abs(change)
    if size == 0 or size < s.change:
        return False
    return not (s.percent and size < s.percent / 100 * abs(usual or 0.0))


def _drift(series: list[MetricValue], s: SignalSpec) -> tuple[float, float, float] | None:
    """(Theil-Sen slope per week, Mann-Kendall two-sided p, the level it started from: the median of
    the first third of the window, which a curved rise does not distort as a fitted line would)."""
    cfg = settings()
    first = shift_week(series[-1].period, -cfg.baseline_weeks)
    points = [v for v in series if v.period >= first and not math.isnan(v.value)]
    if s.sampled and s.min_n > 0:
        points = [v for v in points if v.n is None or v.n >= s.min_n / 2]
    if len(points) < MIN_TREND_WEEKS:
        return None
    last = week_start(series[-1].period)
    x = np.array([(week_start(v.period) - last).days / 7 for v in points], dtype=float)
    y = np.array([v.value for v in points])
    if np.all(y == y[0]):
        return None
    slope, p = mann_kendall(x, y)
    return slope, p, float(np.median(y[: len(y) // 3]))


def mann_kendall(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(Theil-Sen slope, two-sided Mann-Kendall p-value with the tie correction) of y over x.

    Rank-based, so one wild week neither makes nor hides a drift; written out because the series
    are short (8-13 weeks) and judged often."""
    n = len(y)
    i, j = np.triu_indices(n, 1)
    dy, dx = y[j] - y[i], x[j] - x[i]
    s = float(np.sign(dy).sum())
    _, ties = np.unique(y, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - float((ties * (ties - 1) * (2 * ties + 5)).sum())) / 18
    z = 0.0 if var <= 0 or s == 0 else (s - math.copysign(1, s)) / math.sqrt(var)
    slope = float(np.median(dy[dx != 0] / dx[dx != 0])) if (dx != 0).any() else 0.0
    return slope, float(2 * special.ndtr(-abs(z)))


# --- two single values (outcome checks, legacy callers) ---------------------------------------


def differs(after: MetricValue, before: MetricValue, metric: str | None = None) -> bool:
    """Whether two single weeks differ beyond their sampling noise and materially (same z as
    `judge`). For comparing before and after a step; a trailing baseline is better where there is one."""
    metric = metric or after.metric
    s = spec(metric)
    if s.sampled and s.min_n > 0 and min(after.n or 0, before.n or 0) < s.min_n and after.n is not None:
        return False
    change = after.value - before.value
    noise = math.hypot(standard_error(after, metric, level=before.value), standard_error(before, metric))
    beyond = abs(change) > settings().z * noise if noise > 0 else change != 0
    return beyond and is_material(change, before.value, s)


def beyond_noise(current: MetricValue, previous: MetricValue, unit: str | None = None, min_n: int = 5) -> bool:
    """The old name of `differs` (`unit` and `min_n` are now taken from metrics.yaml)."""
    return differs(current, previous)
