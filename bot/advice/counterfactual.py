"""What would have happened anyway: a difference in differences for one step marked done.

The team's change from the weeks before the done week to the weeks after it, minus what
comparable teams did over the same weeks (their change, scaled to this team's level for
metrics measured in hours, days, minutes or tickets), minus what followed earlier firings of
the same rule that nobody acted on (advice fires on a bad week, and a bad week tends to be
followed by better ones by itself). Pure: weekly values in, an `Estimate` out.

The interval comes from the week-to-week noise of the team's series net of the comparison: the
larger of the noise inside the two windows (a t interval) and the spread the same estimator
shows at earlier dates where nothing was done (in-time placebos, which also capture slow drifts
and autocorrelation). When the week just before acting stands apart from the weeks before it,
it is unknowable from this series alone whether that level would have lasted or reverted, so
both readings are computed (against the window's mean, and against that last week) and the
interval covers both: the two bracket the effect (Angrist & Pischke, *Mostly Harmless
Econometrics*, 5.4).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from smartstep.advice.intervals import normal_cdf, pooled_sd, t95
from smartstep.weeks import shift_week

PRE_WEEKS = 4  # the window before the done week
MIN_BEFORE = 3  # weeks with data needed in it
MIN_AFTER = 2  # and after (fewer if the horizon is shorter)
PLACEBO_WEEKS = 52  # how far back earlier dates are tried as placebos
MIN_PLACEBOS = 8
SCALE_LIMITS = (0.2, 5.0)  # how far another team's change is stretched to this team's level
MIN_SAMPLE = 10  # a week resting on fewer answers or tickets than this (median) is too few to tell
RATIO_UNITS = ("h", "d", "min", "tickets")  # changes in these scale with the level

Series = Mapping[str, Mapping[str, float]]  # team -> ISO week -> value
Spans = Mapping[str, Sequence[tuple[str, str]]]  # team -> (first, last) weeks a done step could act in


@dataclass(frozen=True)
class Windows:
    """The weeks before and after a done week."""

    done_week: str
    horizon: int
    pre_weeks: int = PRE_WEEKS

    @cached_property
    def before(self) -> tuple[str, ...]:
        return tuple(shift_week(self.done_week, -i) for i in range(self.pre_weeks, 0, -1))

    @cached_property
    def after(self) -> tuple[str, ...]:
        return tuple(shift_week(self.done_week, i) for i in range(1, self.horizon + 1))

    @property
    def first(self) -> str:
        return self.before[0]

    @property
    def last(self) -> str:
        return self.after[-1]

    def at(self, done_week: str) -> Windows:
        return Windows(done_week, self.horizon, self.pre_weeks)

    def overlaps(self, spans: Sequence[tuple[str, str]]) -> bool:
        return any(first <= self.last and self.first <= last for first, last in spans)


@dataclass(frozen=True)
class Reading:
    """One reading of the counterfactual: the effect and its standard error."""

    effect: float
    se: float


@dataclass(frozen=True)
class Estimate:
    before: float
    after: float
    teams_change: float | None
    teams: tuple[str, ...]
    firings_change: float | None
    firings: int
    readings: tuple[Reading, ...]  # one; or two when the last week before stood apart
    df: int
    unsettled: str | None

    @property
    def effect(self) -> float:
        return sum(r.effect for r in self.readings) / len(self.readings)

    @property
    def interval(self) -> tuple[float, float]:
        q = t95(self.df)
        return min(r.effect - q * r.se for r in self.readings), max(r.effect + q * r.se for r in self.readings)

    def p_better(self, better_sign: int) -> float:
        """How sure the effect went the good way (`better_sign` +1: higher is better), under the
        less favourable reading."""
        return min(normal_cdf(better_sign * r.effect / r.se) if r.se > 0 else float(better_sign * r.effect > 0)
                   for r in self.readings)  # fmt: skip


@dataclass(frozen=True)
class NoEstimate:
    reason: str


@dataclass(frozen=True)
class _Fit:
    """The difference-in-differences pieces for one team and one pair of windows."""

    level: float  # the team's mean before, over the weeks used
    after: float
    first: float  # the first reading (against the window's mean)
    second: float | None  # against the last week before, when it stood apart
    sigma: float  # pooled week-to-week noise inside the windows
    n_before: int
    n_after: int
    teams: tuple[str, ...]
    unsettled: str | None
    d: dict[str, float]

    @property
    def point(self) -> float:
        return self.first if self.second is None else (self.first + self.second) / 2

    @property
    def point_se(self) -> float:
        """The noise of `point` from the windows' own spread (the average variance of the readings)."""
        first = self.sigma**2 * (1 / self.n_before + 1 / self.n_after)
        if self.second is None:
            return math.sqrt(first)
        return math.sqrt((first + self.sigma**2 * (1 + 1 / self.n_after)) / 2)


def estimate(
    series: Series,
    team: str,
    windows: Windows,
    *,
    ratio: bool,
    treated: Spans,
    firings: Sequence[tuple[str, str]] = (),
    samples: Mapping[str, int | None] | None = None,
    noun: str = "cases",
) -> Estimate | NoEstimate:
    """The effect of the step `team` marked done in `windows.done_week`.

    `treated` holds, per team, the weeks each done step on this metric could act in (a team
    acting in these weeks is no comparison); `firings` the (team, done-week equivalent) of
    earlier firings of the same rule nobody acted on; `samples` the team's weekly sample sizes
    (`noun`: what they count).
    """
    fit = _fit(series, team, windows, ratio, treated)
    if isinstance(fit, NoEstimate):
        return fit
    if samples is not None:
        sizes = [samples.get(w) for w in (*windows.before, *windows.after)]
        known = [n for n in sizes if n is not None]
        if known and statistics.median(known) < MIN_SAMPLE:
            typical = statistics.median(known)
            return NoEstimate(f"too few to tell: a median of {typical:g} {noun} a week, below {MIN_SAMPLE}")
    baseline = _firings_baseline(series, team, windows, ratio, treated, firings, fit.level)
    if not fit.teams and baseline is None:
        return NoEstimate(
            "cannot compare: no other team has data over these weeks without acting on this metric itself, "
            "and the rule never fired before without being acted on"
        )
    bias, bias_values = baseline if baseline is not None else (0.0, ())
    placebo_first, placebo_second = _placebos(fit.d, team, windows, treated)
    se_first = max(fit.sigma * math.sqrt(1 / fit.n_before + 1 / fit.n_after), placebo_first or 0.0)
    extra = _bias_variance(bias_values, se_first)
    readings = [Reading(fit.first - bias, math.sqrt(se_first**2 + extra))]
    if fit.second is not None:
        se_second = max(fit.sigma * math.sqrt(1 + 1 / fit.n_after), placebo_second or 0.0)
        readings.append(Reading(fit.second - bias, math.sqrt(se_second**2 + extra)))
    raw = fit.after - fit.level
    return Estimate(
        before=fit.level,
        after=fit.after,
        teams_change=raw - fit.first if fit.teams else None,
        teams=fit.teams,
        firings_change=bias if baseline is not None else None,
        firings=len(bias_values),
        readings=tuple(readings),
        df=fit.n_before + fit.n_after - 2,
        unsettled=fit.unsettled,
    )


def _fit(series: Series, team: str, windows: Windows, ratio: bool, treated: Spans) -> _Fit | NoEstimate:
    own = series.get(team, {})
    before = [w for w in windows.before if w in own]
    after = [w for w in windows.after if w in own]
    need_after = min(MIN_AFTER, windows.horizon)
    if len(before) < min(MIN_BEFORE, windows.pre_weeks) or len(after) < need_after:
        return NoEstimate(
            f"too little data: {len(before)} of {windows.pre_weeks} weeks before and {len(after)} of "
            f"{windows.horizon} after have a value"
        )
    level = statistics.fmean(own[w] for w in before)
    controls = []
    for other, values in series.items():
        if other == team or windows.overlaps(treated.get(other, ())):
            continue
        their_before = [values[w] for w in windows.before if w in values]
        their_after = [w for w in windows.after if w in values]
        if len(their_before) < min(MIN_BEFORE, windows.pre_weeks) or len(their_after) < need_after:
            continue
        their_level = statistics.fmean(their_before)
        scale = 1.0
        if ratio and level > 0 and their_level > 0:
            scale = min(max(level / their_level, SCALE_LIMITS[0]), SCALE_LIMITS[1])
        controls.append((other, scale, their_level))
    d = _net_series(series, team, controls)
    d_before = [d[w] for w in windows.before if w in d]
    d_after = [d[w] for w in windows.after if w in d]
    if len(d_before) < min(MIN_BEFORE, windows.pre_weeks) or len(d_after) < need_after:
        return NoEstimate("too little data: the other teams lack values in some of these weeks")
    used_before = [w for w in windows.before if w in d]
    used_after = [w for w in windows.after if w in d]
    first = statistics.fmean(d_after) - statistics.fmean(d_before)
    sigma = pooled_sd(d_before, d_after)
    unsettled = _unsettled(d, windows, d_before)
    second = statistics.fmean(d_after) - d[windows.before[-1]] if unsettled else None
    return _Fit(
        level=statistics.fmean(own[w] for w in used_before),
        after=statistics.fmean(own[w] for w in used_after),
        first=first,
        second=second,
        sigma=sigma,
        n_before=len(d_before),
        n_after=len(d_after),
        teams=tuple(sorted(c for c, _, _ in controls)),
        unsettled=unsettled,
        d=d,
    )


def _net_series(series: Series, team: str, controls: Sequence[tuple[str, float, float]]) -> dict[str, float]:
    """The team's weekly values minus the comparison teams' average move from their own level
    (scaled to this team's level); just the team's values when there is no comparison team."""
    own = series.get(team, {})
    if not controls:
        return dict(own)
    out = {}
    for week, value in own.items():
        moves = [scale * (series[c][week] - lvl) for c, scale, lvl in controls if week in series[c]]
        if moves:
            out[week] = value - statistics.fmean(moves)
    return out


def _unsettled(d: Mapping[str, float], windows: Windows, d_before: Sequence[float]) -> str | None:
    """The last week before acting, when it stands apart from the earlier weeks of the window by
    more than their noise (and the series' longer-run week-to-week noise) allows."""
    last = windows.before[-1]
    if last not in d:
        return None
    rest = [d[w] for w in windows.before[:-1] if w in d]
    if len(rest) < 2:
        return None
    history = [d[w] for w in sorted(d) if w < windows.first]
    steps = [b - a for a, b in zip(history, history[1:], strict=False)]
    noise = statistics.stdev(rest)
    if len(steps) >= MIN_PLACEBOS:
        centre = statistics.median(steps)
        noise = max(noise, 1.4826 * statistics.median(abs(s - centre) for s in steps) / math.sqrt(2))
    gap = abs(d[last] - statistics.fmean(rest))
    allowed = t95(len(rest) - 1) * noise * math.sqrt(1 + 1 / len(rest))
    scale = max(abs(d[last]), abs(statistics.fmean(rest)), 1e-9)
    return last if gap > allowed and gap > 1e-9 * scale else None


def _placebos(d: Mapping[str, float], team: str, windows: Windows, treated: Spans) -> tuple[float | None, float | None]:
    """The root mean square of the same two readings at earlier done weeks where nothing was done:
    how large the estimator runs on this series by chance."""
    firsts, seconds = [], []
    own_spans = treated.get(team, ())
    for back in range(windows.horizon + 1, PLACEBO_WEEKS + 1):
        fake = windows.at(shift_week(windows.done_week, -back))
        if fake.overlaps(own_spans):
            continue
        b = [d[w] for w in fake.before if w in d]
        a = [d[w] for w in fake.after if w in d]
        if len(b) < min(MIN_BEFORE, fake.pre_weeks) or len(a) < min(MIN_AFTER, fake.horizon):
            continue
        firsts.append(statistics.fmean(a) - statistics.fmean(b))
        if fake.before[-1] in d:
            seconds.append(statistics.fmean(a) - d[fake.before[-1]])

    def rms(values: list[float]) -> float | None:
        return math.sqrt(statistics.fmean(v * v for v in values)) if len(values) >= MIN_PLACEBOS else None

    return rms(firsts), rms(seconds)


def _firings_baseline(
    series: Series,
    team: str,
    windows: Windows,
    ratio: bool,
    treated: Spans,
    firings: Sequence[tuple[str, str]],
    level: float,
) -> tuple[float, tuple[tuple[float, float], ...]] | None:
    """What followed earlier firings nobody acted on, net of their own comparison teams, at this
    team's level: the mean, and each firing's value with its standard error (None when no firing
    could be measured)."""
    values = []
    for other, done_week in dict.fromkeys(firings):
        fake = windows.at(done_week)
        if fake.overlaps(treated.get(other, ())):
            continue
        fit = _fit(series, other, fake, ratio, treated)
        if isinstance(fit, NoEstimate):
            continue
        scale = 1.0
        if ratio and level > 0 and fit.level > 0:
            scale = min(max(level / fit.level, SCALE_LIMITS[0]), SCALE_LIMITS[1])
        values.append((scale * fit.point, scale * fit.point_se))
    if not values:
        return None
    return statistics.fmean(v for v, _ in values), tuple(values)


def _bias_variance(values: Sequence[tuple[float, float]], se_step: float) -> float:
    """The variance of the firings' mean: from their spread when there are several, and never less
    than their own noise (nor, per firing, this step's)."""
    if not values:
        return 0.0
    spread = statistics.variance([v for v, _ in values]) if len(values) >= 2 else 0.0
    own = statistics.fmean(se * se for _, se in values)
    return max(spread, own, se_step**2) / len(values)
