"""The demo's advice history: what the advisor said in earlier weeks, how the leads rated it,
and what the numbers did afterwards, so learning and "worked before" show from the first run.

The advice is real: the pipeline is run as of earlier weeks on the demo's own data. Only the
leads' clicks are simulated (seeded); the outcomes are then measured from the data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

import sqlite_utils

from smartstep.advice.feedback import record_rating
from smartstep.advice.outcomes import check_outcomes
from smartstep.advice.pipeline import next_steps
from smartstep.rules.loader import RuleSet
from smartstep.weeks import shift_week, week_start

# How leads used earlier advice: mostly acted on, sometimes found it not useful.
CLICKS = (("done", 0.45), ("up", 0.25), ("down", 0.12), ("snooze", 0.05), (None, 0.13))


@dataclass(frozen=True)
class AdviceHistory:
    advice: int
    ratings: int
    outcomes: int


def plant_advice_history(
    db: sqlite_utils.Database,
    ruleset: RuleSet,
    now: str,
    *,
    seed: int = 7,
    every: int = 6,
    first: int = 54,
    last: int = 14,
) -> AdviceHistory:
    """Run the advisor as of every `every`-th week from `first` to `last` weeks before `now`,
    rate what it said as the team leads might have, then measure the outcomes as of `now`.

    The history stops before the demo's storylines begin (about 12 weeks before `now`), so
    today's problems are news to the advisor, not advice it already gave."""
    rng = random.Random(seed)
    count = 0
    ratings = 0

    def make_id() -> str:
        nonlocal count
        count += 1
        return f"adv-demo-{count:05d}"

    for back in range(first, last - 1, -every):
        period = shift_week(now, -back)
        sunday_noon = week_start(period) + timedelta(days=6, hours=12)
        run = next_steps(
            db, ruleset, k=2, per_team=True, surface="digest", as_of=sunday_noon, at=sunday_noon, make_id=make_id
        )
        for item in run.advice:
            rating = _click(rng)
            if rating is not None and item.advice_id is not None:
                lead = f"lead-{item.candidate.team.lower()}"
                record_rating(db, item.advice_id, lead, rating, at=sunday_noon + timedelta(days=1))
                ratings += 1
    check_outcomes(db, now, {r.id: r.horizon_weeks for r in ruleset.rules})
    return AdviceHistory(count, ratings, db["outcomes"].count)


def _click(rng: random.Random) -> str | None:
    roll, total = rng.random(), 0.0
    for rating, share in CLICKS:
        total += share
        if roll < total:
            return rating
    return None
