"""The advice log: every piece of advice shown, with its evidence, and what became of it.

The I/O edge of the advisor: it writes shown advice and reads back the plain facts the ranking
learns from (ratings, outcomes, snoozes, last firings) and the export.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

import sqlite_utils

from smartstep.advice.outcomes import load_outcomes
from smartstep.advice.ranking import Advice, Learning, Track, with_ids
from smartstep.advice.verdicts import Verdict
from smartstep.db import write_transaction
from smartstep.rules.engine import LastFired
from smartstep.weeks import format_time, week_start


def new_advice_id() -> str:
    return "adv-" + uuid.uuid4().hex[:12]


def log_advice(
    db: sqlite_utils.Database,
    advice: Sequence[Advice],
    surface: str,
    at: datetime | None = None,
    make_id: Callable[[], str] = new_advice_id,
) -> list[Advice]:
    """Store each piece of advice as shown, in one transaction; returns it with its ids."""
    stamp = format_time(at or datetime.now(UTC))
    ids = [make_id() for _ in advice]
    rows = []
    for item, advice_id in zip(advice, ids, strict=True):
        c = item.candidate
        rows.append(
            {
                "id": advice_id,
                "rule_id": c.rule_id,
                "team": c.team,
                "title": c.title,
                "why": c.why,
                "steps": json.dumps(list(c.steps)),
                "score": item.score,
                "evidence": json.dumps([e.as_dict() for e in c.evidence]),
                "reasons": json.dumps(list(item.reasons)),
                "period": c.period,
                "created_at": stamp,
                "surface": surface,
                "target": c.target,
                "strength": c.strength,
                "situations": json.dumps([s.as_dict() for s in item.similar_situations]),
            }
        )
    with write_transaction(db):
        db["advice"].insert_all(rows)
    return with_ids(advice, ids)


def load_learning(db: sqlite_utils.Database, current: str, cooldowns: Mapping[str, int]) -> Learning:
    """Per (rule, team): times shown, ratings, measured outcomes (each weighed by how sure its
    verdict is; a `cannot tell` teaches nothing); and which are snoozed now."""
    counts: dict[tuple[str, str], list[float]] = {}

    def bump(rule: str, team: str, slot: int, amount: float) -> None:
        counts.setdefault((rule, team), [0] * 8)[slot] += amount

    for rule, team, shown in db.execute("SELECT rule_id, team, count(*) FROM advice GROUP BY 1, 2"):
        bump(rule, team, 0, shown)
    slots = {"up": 1, "down": 2, "done": 3}
    ratings = db.execute(
        "SELECT a.rule_id, a.team, f.rating, count(*) FROM feedback f JOIN advice a ON a.id = f.advice_id "
        "GROUP BY 1, 2, 3"
    )
    for rule, team, rating, n in ratings:
        if rating in slots:
            bump(rule, team, slots[rating], n)
    for outcome in load_outcomes(db, pending=False, notes=False):
        if outcome.verdict.teaches:
            bump(outcome.rule_id, outcome.team, 4, outcome.success)
            bump(outcome.rule_id, outcome.team, 5, outcome.failure)
            bump(outcome.rule_id, outcome.team, 6, int(outcome.verdict is Verdict.WORKED))
            bump(outcome.rule_id, outcome.team, 7, 1)
    by_team = {key: Track(*values) for key, values in counts.items()}
    by_rule: dict[str, Track] = {}
    for (rule, _), track in by_team.items():
        by_rule[rule] = by_rule.get(rule, Track()) + track
    return Learning(by_team, by_rule, _snoozed(db, current, cooldowns))


def _snoozed(db: sqlite_utils.Database, current: str, cooldowns: Mapping[str, int]) -> frozenset[tuple[str, str]]:
    """Advice snoozed in week P stays quiet until P + the rule's cooldown."""
    quiet = set()
    rows = db.execute(
        "SELECT a.rule_id, a.team, max(a.period) FROM feedback f JOIN advice a ON a.id = f.advice_id "
        "WHERE f.rating = 'snooze' GROUP BY 1, 2"
    )
    now = week_start(current)
    for rule, team, period in rows:
        if period and now < week_start(period) + timedelta(days=max(cooldowns.get(rule, 14), 7)):
            quiet.add((rule, team))
    return frozenset(quiet)


def last_fired(db: sqlite_utils.Database, before: str) -> dict[tuple[str, str], LastFired]:
    """The latest earlier week each (rule, team) was advised, with its evidence strength then."""
    rows = db.execute(
        "SELECT rule_id, team, period, max(coalesce(strength, 0)) FROM advice WHERE period < ? "
        "AND period = (SELECT max(period) FROM advice b WHERE b.rule_id = advice.rule_id AND b.team = advice.team "
        "AND b.period < ?) GROUP BY 1, 2, 3",
        [before, before],
    )
    return {(rule, team): LastFired(period, strength) for rule, team, period, strength in rows}


def feedback_records(db: sqlite_utils.Database, horizons: Mapping[str, int] | None = None) -> list[dict]:
    """Every advice given and every rating on it: one record per (advice, user), and one with no
    user for advice nobody rated, each with the outcome of the step when it was marked done
    (the `smartstep outcomes` record: a verdict, or `too early` with the week it will be measured)."""
    sql = (
        "SELECT a.id AS advice_id, a.rule_id, a.team, f.user, f.rating, f.comment, coalesce(f.at, a.created_at) AS at, "
        "a.title, a.period FROM advice a LEFT JOIN feedback f ON f.advice_id = a.id "
        "ORDER BY a.created_at, a.rowid, f.at, f.user"
    )
    outcomes = {o.advice_id: o.to_json() for o in load_outcomes(db, horizons=horizons)}
    return [
        {
            "advice_id": row["advice_id"],
            "rule_id": row["rule_id"],
            "team": row["team"],
            "user": row["user"],
            "rating": row["rating"],
            "comment": row["comment"],
            "at": row["at"],
            "outcome": outcomes.get(row["advice_id"]),
            "title": row["title"],
            "period": row["period"],
        }
        for row in db.query(sql)
    ]
