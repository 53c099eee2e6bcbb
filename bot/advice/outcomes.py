"""Did the step work? For advice marked done, compare its target metric before and after the
rule's horizon and record improved / no change / worse with the numbers.

`measure` is pure; `check_outcomes` reads the advice log and history and writes the verdicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from smartstep.db import write_transaction
from smartstep.definitions import load_definitions
from smartstep.metrics.noise import beyond_noise
from smartstep.metrics.reader import load_history
from smartstep.metrics.values import MetricValue
from smartstep.weeks import format_time, shift_week


@dataclass(frozen=True)
class Outcome:
    advice_id: str
    team: str
    metric: str
    before: float
    after: float
    verdict: str  # improved | no change | worse
    period_before: str
    period_after: str

    @property
    def change(self) -> float:
        return self.after - self.before


def measure(values: Sequence[MetricValue], advised: str, horizon: int) -> tuple[MetricValue, MetricValue] | None:
    """The value the advice saw (its week, or the latest before) and the value `horizon` weeks
    later (or the latest up to then, if that week has no data). None until the horizon passed."""
    due = shift_week(advised, horizon)
    before = [v for v in values if v.period <= advised]
    after = [v for v in values if advised < v.period <= due]
    if not before or not after or values[-1].period < due:
        return None
    return before[-1], after[-1]


def verdict(metric: str, before: MetricValue, after: MetricValue) -> str:
    """Improved or worse only when the change is beyond the noise of both samples."""
    definition = load_definitions().get(metric)
    if not beyond_noise(after, before, definition.unit):
        return "no change"
    good = definition.improved(after.value - before.value)
    if good is None:
        return "no change"
    return "improved" if good else "worse"


def check_outcomes(
    db: sqlite_utils.Database, now: str, horizons: dict[str, int], default_horizon: int = 3
) -> list[Outcome]:
    """Measure every advice marked done whose horizon has passed by week `now` and has no
    outcome yet; write them in one transaction and return them."""
    pending = list(
        db.query(
            "SELECT a.id, a.rule_id, a.team, a.period, a.target FROM advice a "
            "WHERE a.target IS NOT NULL AND a.period IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM feedback f WHERE f.advice_id = a.id AND f.rating = 'done') "
            "AND NOT EXISTS (SELECT 1 FROM outcomes o WHERE o.advice_id = a.id)"
        )
    )
    found: list[Outcome] = []
    cache: dict[tuple[str, str], list[MetricValue]] = {}
    for row in pending:
        horizon = horizons.get(row["rule_id"], default_horizon)
        if shift_week(row["period"], horizon) > now:
            continue
        key = (row["team"], row["target"])
        if key not in cache:
            cache[key] = load_history(db, teams=[key[0]], metrics=[key[1]], until=now).get(key, [])
        pair = measure(cache[key], row["period"], horizon)
        if pair is None:
            continue
        before, after = pair
        found.append(
            Outcome(
                row["id"],
                row["team"],
                row["target"],
                before.value,
                after.value,
                verdict(row["target"], before, after),
                before.period,
                after.period,
            )
        )
    if found:
        stamp = format_time(datetime.now(UTC))
        with write_transaction(db):
            db["outcomes"].insert_all(
                [
                    {
                        "advice_id": o.advice_id,
                        "metric": o.metric,
                        "team": o.team,
                        "before": o.before,
                        "after": o.after,
                        "change": o.change,
                        "verdict": o.verdict,
                        "period_before": o.period_before,
                        "period_after": o.period_after,
                        "checked_at": stamp,
                    }
                    for o in found
                ],
                replace=True,
            )
    return found
