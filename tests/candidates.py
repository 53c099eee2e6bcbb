"""Hand-made candidate advice for advisor tests, with fixed evidence and why."""

from __future__ import annotations

from smartstep.rules.engine import Candidate, Evidence


def candidate(
    rule_id: str,
    team: str,
    score: float,
    *,
    category: str = "customer",
    metric: str = "csat",
    value: float = 80.0,
    previous: float = 85.0,
    period: str = "2026-W46",
    n: int = 120,
    title: str | None = None,
) -> Candidate:
    """A candidate as the engine would return it. The engine builds `evidence` and `why` lazily
    (functools.cached_property); a test supplies them by filling that documented cache."""
    made = Candidate(
        rule_id, team, title or f"title {rule_id}", category, ("step one",), score, 0.8, period, target=metric
    )
    made.__dict__["evidence"] = (Evidence(metric, team, value, previous, value - previous, period, n),)
    made.__dict__["why"] = f"{team}: {metric} is {value}"
    return made
