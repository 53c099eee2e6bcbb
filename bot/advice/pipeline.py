"""The one advice pipeline: metrics snapshot → rule candidates → ranking → logged advice.

`smartstep next-step`, the terminal chat, Slack and the weekly digest all call `next_steps`,
so a step advised anywhere is ranked, explained and remembered the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlite_utils

from smartstep.advice.log import last_fired, load_learning, log_advice, new_advice_id
from smartstep.advice.outcomes import check_outcomes, load_outcomes
from smartstep.advice.ranking import SYMPTOM_WEEKS, Advice, fold_symptoms, rank
from smartstep.advice.reasons import DriverReason
from smartstep.advice.rule_inputs import load_signals, load_stages, signal_names
from smartstep.advice.situations import SituationSpace, similar_situations
from smartstep.advice.small_teams import TOP_PLACES, split_small_changes, team_volumes
from smartstep.definitions import load_definitions
from smartstep.metrics.reader import current_period, load_history
from smartstep.rules.engine import Facts, evaluate, stage_allows, weeks_needed
from smartstep.rules.loader import RuleSet
from smartstep.weeks import shift_week

HISTORY_WEEKS = 104  # how far back "worked before" looks for similar situations


@dataclass(frozen=True)
class AdviceRun:
    """The result of one pass through the pipeline."""

    period: str | None
    advice: tuple[Advice, ...]


def next_steps(
    db: sqlite_utils.Database,
    ruleset: RuleSet,
    *,
    teams: list[str] | None = None,
    k: int = 3,
    per_team: bool = False,
    surface: str = "cli",
    as_of: datetime | None = None,
    log: bool = True,
    at: datetime | None = None,
    make_id: Callable[[], str] = new_advice_id,
) -> AdviceRun:
    """The ranked smartest next steps now: `k` overall, or `k` per team with `per_team`.

    Shown advice is logged (with ids for feedback buttons) unless `log` is False.
    """
    period = current_period(db, as_of)
    if period is None:
        return AdviceRun(None, ())
    rules = ruleset.rules
    horizons = {r.id: r.horizon_weeks for r in rules}
    cooldowns = {r.id: r.cooldown for r in rules}
    check_outcomes(db, period, horizons)
    history = load_history(db, until=period, weeks=weeks_needed(rules))
    stages = load_stages(db)
    facts = Facts(stages=stages, last_fired=last_fired(db, period), signals=_signals(db, period, rules, as_of))
    candidates = evaluate(rules, history, period, facts, teams).candidates
    learning = load_learning(db, period, cooldowns)
    situations = _situations(db, period, {(c.rule_id, c.team) for c in candidates})
    fit = frozenset(r.id for r in rules if r.requires.stage is not None and stage_allows(r, stages))
    ranked = fold_symptoms(rank(candidates, learning, situations, fit), _weekly_series(history, period))
    if per_team:
        chosen = _per_team(ranked, k)
    elif teams and len(teams) == 1:
        chosen = _balanced(ranked, k)
    else:  # an organisation-wide list: a small team's small change never takes a top place
        others, held = split_small_changes(ranked, team_volumes(history, period))
        chosen = _balanced(others, k)
        if len(others) >= TOP_PLACES:
            chosen += held[: k - len(chosen)]
    chosen = [_with_drivers(db, item, as_of) for item in chosen]
    if log and chosen:
        chosen = log_advice(db, chosen, surface, at=at, make_id=make_id)
    return AdviceRun(period, tuple(chosen))


def _weekly_series(history: dict, period: str) -> dict[tuple[str, str], list[float]]:
    """The last weeks of every team's metrics, aligned by week (NaN where a week has no value)."""
    weeks = [shift_week(period, -i) for i in range(SYMPTOM_WEEKS - 1, -1, -1)]
    out = {}
    for key, values in history.items():
        by_period = {v.period: v.value for v in values}
        out[key] = [by_period.get(w, float("nan")) for w in weeks]
    return out


def _situations(db: sqlite_utils.Database, period: str, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], tuple]:
    """Similar past situations, read (with two years of history) only when some candidate's
    step was done and measured before."""
    rules = {rule for rule, _ in wanted}
    done = [
        o
        for o in load_outcomes(db, pending=False, notes=False)
        if o.rule_id in rules and o.due <= period and o.verdict.teaches
    ]
    if not done:
        return {}
    history = load_history(db, until=period, weeks=HISTORY_WEEKS)
    return similar_situations(SituationSpace(history), period, wanted, done)


_MEMO: dict[tuple, Any] = {}


def _memo(db: sqlite_utils.Database, key: tuple, compute: Callable[[], Any]) -> Any:
    """Results that depend only on tickets and surveys (repeated-problem clusters, driver reports),
    kept while neither table changed: every question in a busy Slack channel would redo them."""
    stamp = db.execute(
        "SELECT (SELECT version FROM data_versions WHERE name = 'tickets'),"
        " (SELECT count(*) FROM surveys), (SELECT max(rowid) FROM surveys)"
    ).fetchone()
    full = (str(db.conn.execute("PRAGMA database_list").fetchone()[2]), *stamp, *key)
    if full not in _MEMO:
        if len(_MEMO) > 128:
            _MEMO.clear()
        _MEMO[full] = compute()
    return _MEMO[full]


# The public name for other layers (the conversation caches its driver reports the same way).
cached_on_data = _memo


def _signals(
    db: sqlite_utils.Database, period: str, rules: tuple, as_of: datetime | None
) -> dict[tuple[str, str], tuple[float, str]]:
    """Signals beyond metrics (repeated problems, drivers) that some rule uses."""
    names = tuple(sorted(signal_names(rules)))
    return _memo(db, ("signals", period, names, as_of), lambda: load_signals(db, period, rules, as_of))


SURVEY_METRICS = load_definitions().survey_scores


def _with_drivers(db: sqlite_utils.Database, item: Advice, as_of: datetime | None) -> Advice:
    """A step about CSAT, CES or NPS carries what actually drives that score for the team (stable
    drivers only), and names the top one in its reasons."""
    target, team = item.candidate.target, item.candidate.team
    if target not in SURVEY_METRICS:
        return item

    def report() -> tuple[tuple, str | None]:
        from smartstep.drivers.data import load_driver_report
        from smartstep.drivers.text import driver_evidence, summary_line

        found = load_driver_report(db, target, team=team, as_of=as_of, resamples=100)
        evidence = tuple(driver_evidence(found)) if found is not None else ()
        return evidence, summary_line(found) if evidence else None

    evidence, line = _memo(db, ("drivers", team, target, as_of), report)
    if not evidence:
        return item
    return replace(item, drivers=evidence, why_ranked=(*item.why_ranked, DriverReason(line)))


def _per_team(ranked: list[Advice], k: int) -> list[Advice]:
    out, count = [], {}
    for item in ranked:
        team = item.candidate.team
        if count.get(team, 0) < k:
            out.append(item)
            count[team] = count.get(team, 0) + 1
    return out


def _balanced(ranked: list[Advice], k: int) -> list[Advice]:
    """Top k, but a second step in the same OCMF category for the same team must beat the next
    best by 20%: a lead's attention should stay balanced, not chase one number."""
    pool, out = list(ranked), []
    while pool and len(out) < k:
        seen = {(a.candidate.team, a.candidate.category) for a in out}
        best = max(pool, key=lambda a: a.score * (0.8 if (a.candidate.team, a.candidate.category) in seen else 1.0))
        out.append(best)
        pool.remove(best)
    return out
