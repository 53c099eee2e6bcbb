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


SEGMENT_FIELDS: dict[str, str] = {
    "priority": "priority",
    "type": "ticket type",
    "tag": "tag",
    "channel": "channel",
    "product": "product",
    "sla": "SLA outcome (breached or met)",
}
"""The ticket fields a metric can be cut by (`metrics --priority urgent`, a rule's `where:`)."""

Where = dict[str, str]
"""A cut of the tickets: field -> value, e.g. {"priority": "urgent", "tag": "vip"}; all must hold."""


def where_key(where: Where) -> str:
    """The canonical text of a cut, `priority=urgent,tag=vip`: how a cut series is named."""
    return ",".join(f"{name}={value.strip().lower()}" for name, value in sorted(where.items()))


def segment_metric(metric: str, where: Where) -> str:
    """The name of a metric over a cut of the tickets in a history: `csat@priority=urgent`."""
    return f"{metric}@{where_key(where)}" if where else metric


def describe_where(where: Where) -> str:
    """A cut in plain words: "urgent priority, tag vip"."""
    words = []
    for name, value in sorted(where.items()):
        if name == "priority":
            words.append(f"{value} priority")
        elif name == "sla":
            words.append("SLA breached" if value in ("breached", "yes", "1") else "SLA met")
        else:
            words.append(f"{SEGMENT_FIELDS.get(name, name)} {value}")
    return ", ".join(words)
