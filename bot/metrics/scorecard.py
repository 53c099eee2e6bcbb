"""The scorecard: each team's metrics for the latest weeks, each judged by the one decision
(`metrics.noise.judge`): moved, drifting, steady, or too few tickets (answers) to tell.

`build_scorecard` is pure (history in, rows out); the terminal table is drawn by
`commands.scorecard_table`. The JSON form is the flat list from `scorecard_json`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from smartstep.definitions import load_definitions
from smartstep.metrics.noise import Judgement, judge
from smartstep.metrics.values import History, MetricValue

SPARKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class ScoreRow:
    team: str
    metric: str
    values: tuple[MetricValue, ...]  # oldest first, within the window shown
    earlier: tuple[MetricValue, ...] = ()  # the weeks before the window, for judging only

    @property
    def latest(self) -> MetricValue:
        return self.values[-1]

    @property
    def previous(self) -> MetricValue | None:
        series = (*self.earlier, *self.values)
        return series[-2] if len(series) > 1 else None

    @property
    def change(self) -> float | None:
        return None if self.previous is None else self.latest.value - self.previous.value

    @cached_property
    def judgement(self) -> Judgement:
        """The latest week judged against the team's usual level (the one decision)."""
        return judge((*self.earlier, *self.values), self.metric)

    def judged(self, index: int) -> Judgement:
        """The judgement of the window's week `index` (on the history before it)."""
        series = (*self.earlier, *self.values[: index + 1 if index >= 0 else len(self.values) + index + 1])
        return judge(series, self.metric)

    @property
    def significant(self) -> bool:
        """Moved, or drifting, beyond noise and materially (the older name for `judgement.news`)."""
        return self.judgement.news

    @property
    def too_few(self) -> bool:
        return self.judgement.too_few


def build_scorecard(
    history: History, period: str, teams: list[str] | None = None, weeks: int | None = None
) -> list[ScoreRow]:
    """Rows for every (team, metric) with a value in the week `period`, in definition order so the
    table reads the same every week. With `weeks`, each row shows only the last `weeks` weeks and
    keeps the rest of `history` to judge them on."""
    order = {metric: i for i, metric in enumerate(load_definitions().ids)}
    rows = []
    for (team, metric), values in history.items():
        if metric not in order or (teams and team not in teams):
            continue
        series = tuple(v for v in values if v.period <= period)
        if series and series[-1].period == period:
            cut = len(series) - weeks if weeks else 0
            rows.append(ScoreRow(team, metric, series[max(cut, 0) :], series[: max(cut, 0)]))
    return sorted(rows, key=lambda r: (r.team, order[r.metric]))


def scorecard_json(rows: list[ScoreRow]) -> list[dict]:
    """The flat list docs/interface.md promises: one object per team, metric and week; `previous` and
    `change` are against the week before, and each week carries its judgement (`status`, the
    `baseline` it was judged against, `vs_baseline`, and `note` when there were too few to tell)."""
    out = []
    for row in rows:
        before: MetricValue | None = row.earlier[-1] if row.earlier else None
        for index, value in enumerate(row.values):
            item = {
                "team": value.team,
                "metric": value.metric,
                "period": value.period,
                "value": round(value.value, 4),
                "n": value.n,
                "previous": None if before is None else round(before.value, 4),
                "change": None if before is None else round(value.value - before.value, 4),
            }
            if value.ci is not None:
                item["ci"] = [round(value.ci[0], 4), round(value.ci[1], 4)]
            if value.partial:
                item["partial"] = True
            if value.detail:
                item["detail"] = value.detail
            judgement = row.judged(index)
            item.update(judgement.as_dict())
            if judgement.too_few:
                item["note"] = judgement.words
            out.append(item)
            before = value
    return out


def sparkline(values: list[float]) -> str:
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return SPARKS[3] * len(values)
    return "".join(SPARKS[round((v - low) / (high - low) * (len(SPARKS) - 1))] for v in values)


def format_value(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.1f}%"
    if unit in ("tickets",):
        return f"{value:,.0f}"
    if unit == "pts":
        return f"{value:+.0f}"
    suffix = {"/7": "/7", "min": " min", "h": " h", "d": " d"}.get(unit, f" {unit}")
    return f"{value:.1f}{suffix}"
