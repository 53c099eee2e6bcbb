"""The scorecard: each team's metrics for the latest weeks, with change and noise marked.

`build_scorecard` is pure (history in, rows out); the terminal table is drawn by
`commands.scorecard_table`. The JSON form is the flat list from `scorecard_json`.
"""

from __future__ import annotations

from dataclasses import dataclass

from smartstep.definitions import load_definitions
from smartstep.metrics.noise import beyond_noise
from smartstep.metrics.values import History, MetricValue

SPARKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class ScoreRow:
    team: str
    metric: str
    values: tuple[MetricValue, ...]  # oldest first, within the window

    @property
    def latest(self) -> MetricValue:
        return self.values[-1]

    @property
    def previous(self) -> MetricValue | None:
        return self.values[-2] if len(self.values) > 1 else None

    @property
    def change(self) -> float | None:
        return None if self.previous is None else self.latest.value - self.previous.value

    @property
    def significant(self) -> bool:
        unit = load_definitions().get(self.metric).unit
        return self.previous is not None and beyond_noise(self.latest, self.previous, unit)


def build_scorecard(history: History, period: str, teams: list[str] | None = None) -> list[ScoreRow]:
    """Rows for every (team, metric) with a value in the window ending at `period`, in
    definition order so the table reads the same every week."""
    order = {metric: i for i, metric in enumerate(load_definitions().ids)}
    rows = []
    for (team, metric), values in history.items():
        if metric not in order or (teams and team not in teams):
            continue
        window = tuple(v for v in values if v.period <= period)
        if window and window[-1].period == period:
            rows.append(ScoreRow(team, metric, window))
    return sorted(rows, key=lambda r: (r.team, order[r.metric]))


def scorecard_json(rows: list[ScoreRow]) -> list[dict]:
    """The flat list docs/interface.md promises: one object per team, metric and week."""
    out = []
    for row in rows:
        before: MetricValue | None = None
        for value in row.values:
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
