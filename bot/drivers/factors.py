"""The factors a driver analysis weighs, and the rule-engine signals they become: plain data, so
the rule base's signal registry can name them without loading the analysis (numpy, scipy)."""

from __future__ import annotations

from dataclasses import dataclass

from smartstep.definitions import load_definitions

METRIC_NAMES = {"csat": "CSAT", "ces": "CES", "nps": "NPS"}
"""Short names of the survey scores, as leads say them."""


@dataclass(frozen=True)
class Factor:
    id: str
    label: str
    numeric: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()
    logged: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()


# Multi-column factors first: subset_r2 sweeps fewer columns when big groups come first.
FACTORS: tuple[Factor, ...] = (
    Factor("product", "product", categorical=("product",)),
    Factor("channel", "channel", categorical=("channel",)),
    Factor("priority", "priority", categorical=("priority",)),
    Factor("ticket_type", "ticket type", categorical=("ticket_type",)),
    Factor("customer", "customer segment and tenure", logged=("tenure_days",), categorical=("segment",)),
    Factor("escalation", "escalation", numeric=("escalated",), logged=("escalation_hours",)),
    Factor("sla", "SLA breach (the helpdesk's own outcome)", numeric=("sla_breached",)),
    Factor("contacts", "contacts to resolve", counts=("contacts",)),
    Factor("reopens", "reopens", counts=("reopens",)),
    Factor("first_reply", "first reply time", logged=("first_reply_hours",)),
    Factor("resolution", "resolution time", logged=("resolution_hours",)),
    Factor("handle_time", "handle time", logged=("handle_minutes",)),
)
FACTOR_IDS = tuple(f.id for f in FACTORS)
LABELS = {f.id: f.label for f in FACTORS}


DRIVER_SIGNALS: dict[str, str] = {
    f"driver_{metric}_{factor.id}": (
        f"percent of what moves {METRIC_NAMES[metric]} that {factor.label} explains over the last 26 weeks "
        "(stable findings only, else 0)"
    )
    for metric in load_definitions().survey_scores
    for factor in FACTORS
}
"""Every signal name this module can produce, with what it means (for the rule base's registry)."""


def signal_name(metric: str, factor: str) -> str:
    return f"driver_{metric}_{factor}"
