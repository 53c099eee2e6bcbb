"""The value types every layer passes around: one metric for one team in one week, and a history
of them. Plain data, no I/O, so the rule engine and the conversation engine can use them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MetricValue:
    """One metric for one team in one ISO week, with the sample it rests on."""

    team: str
    metric: str
    period: str
    value: float
    n: int | None = None
    ci: tuple[float, float] | None = None
    partial: bool = False
    detail: dict[str, float] = field(default_factory=dict)
    source: str = "computed"


# (team, metric) -> values ordered by period, oldest first.
History = dict[tuple[str, str], list[MetricValue]]
