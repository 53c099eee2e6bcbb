"""Did the step work? The I/O edge of the outcome check: for every step marked done, read the
weekly values of its target metric for every team, the weeks other done steps could act in and
the earlier firings of its rule that nobody acted on, let `counterfactual` estimate the effect,
and store the verdict with its numbers.

A verdict is measured once the window after the done week has passed (`too early` before that,
never stored) and then kept; a change to the step's "done" ratings drops it so it is measured
again (`advice.feedback`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from smartstep.advice.counterfactual import RATIO_UNITS, Estimate, Windows, estimate
from smartstep.advice.judge import judge
from smartstep.advice.verdicts import Outcome, Verdict
from smartstep.db import write_transaction
from smartstep.definitions import load_definitions
from smartstep.metrics.note_store import list_notes
from smartstep.metrics.notes import Note, notes_in
from smartstep.metrics.reader import load_history
from smartstep.weeks import format_time, iso_week, parse_time, shift_week, time_zone, week_start

DEFAULT_HORIZON = 3

_DONE_SQL = """
SELECT a.id, a.rule_id, a.team, a.period, a.target, a.title, min(f.at) AS done_at
FROM advice a JOIN feedback f ON f.advice_id = a.id AND f.rating = 'done'
WHERE a.target IS NOT NULL AND a.period IS NOT NULL
GROUP BY a.id ORDER BY a.period, a.team, a.id
"""
_UNACTED_SQL = """
SELECT DISTINCT a.rule_id, a.target, a.team, a.period FROM advice a
WHERE a.target IS NOT NULL AND a.period IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.advice_id = a.id AND f.rating = 'done')
"""


def check_outcomes(
    db: sqlite_utils.Database, now: str, horizons: Mapping[str, int], default_horizon: int = DEFAULT_HORIZON
) -> list[Outcome]:
    """Measure every done step whose window after has passed by week `now` and has no verdict
    yet; write them in one transaction and return them."""
    steps = _done_steps(db, horizons, default_horizon)
    stored = {r[0] for r in db.execute("SELECT advice_id FROM outcomes")}
    pending = [s for s in steps if s["id"] not in stored and s["due"] <= now]
    if not pending:
        return []
    spans: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for s in steps:
        spans.setdefault(s["target"], {}).setdefault(s["team"], []).append((s["done_week"], s["due"]))
    unacted: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for rule_id, target, team, period in db.execute(_UNACTED_SQL):
        unacted.setdefault((rule_id, target), []).append((team, period))
    definitions = load_definitions()
    cache: dict[str, tuple[dict, dict]] = {}
    found = []
    for step in pending:
        metric = step["target"]
        if metric not in definitions.metrics:
            continue
        if metric not in cache:
            cache[metric] = _series(db, metric, now)
        series, samples = cache[metric]
        definition = definitions.get(metric)
        windows = Windows(step["done_week"], step["horizon"])
        lag = _weeks_between(step["period"], step["done_week"])
        firings = [
            (team, shift_week(period, lag))
            for team, period in sorted(unacted.get((step["rule_id"], metric), []))
            if period < step["period"]
        ]
        result = estimate(
            series,
            step["team"],
            windows,
            ratio=definition.unit in RATIO_UNITS,
            treated=spans.get(metric, {}),
            firings=firings,
            samples=samples.get(step["team"], {}),
            noun="answers" if definition.kind == "perception" else "cases",
        )
        verdict, reason, sure = judge(result, definition)
        numbers: dict[str, Any] = {}
        if isinstance(result, Estimate):
            numbers = {
                "before": result.before,
                "after": result.after,
                "effect": result.effect,
                "interval": result.interval,
                "teams_change": result.teams_change,
                "teams": result.teams,
                "firings_change": result.firings_change,
                "firings": result.firings,
                "unsettled": result.unsettled,
            }
        found.append(
            Outcome(
                advice_id=step["id"],
                rule_id=step["rule_id"],
                team=step["team"],
                metric=metric,
                verdict=verdict,
                period=step["period"],
                done_week=step["done_week"],
                due=step["due"],
                title=step["title"] or "",
                window=(windows.first, windows.last),
                p_better=sure,
                reason=reason,
                **numbers,
            )
        )
    if found:
        stamp = format_time(datetime.now(UTC))
        with write_transaction(db):
            db["outcomes"].insert_all([_row(o, stamp) for o in found], replace=True)
    return found


def load_outcomes(
    db: sqlite_utils.Database,
    now: str | None = None,
    horizons: Mapping[str, int] | None = None,
    *,
    team: str | None = None,
    pending: bool = True,
    notes: bool = True,
) -> list[Outcome]:
    """Every done step's outcome, oldest first: the stored verdicts and (with `pending`) the steps
    still `too early`, each with the notes that fall inside its window."""
    rows = db.query(
        "SELECT o.*, a.rule_id, a.period, a.title FROM outcomes o JOIN advice a ON a.id = o.advice_id "
        "ORDER BY a.period, o.team, o.advice_id"
    )
    out = [_outcome(r) for r in rows]
    if pending:
        measured = {o.advice_id for o in out}
        for step in _done_steps(db, horizons or {}, DEFAULT_HORIZON):
            if step["id"] in measured or (now is not None and step["due"] <= now):
                continue
            windows = Windows(step["done_week"], step["horizon"])
            out.append(
                Outcome(
                    step["id"],
                    step["rule_id"],
                    step["team"],
                    step["target"],
                    Verdict.TOO_EARLY,
                    step["period"],
                    step["done_week"],
                    step["due"],
                    step["title"] or "",
                    (windows.first, windows.last),
                )  # fmt: skip
            )
    if team is not None:
        out = [o for o in out if o.team == team]
    if notes and out:
        every = list_notes(db)
        out = [_with_notes(o, every) for o in out]
    out.sort(key=lambda o: (o.period, o.team, o.advice_id))
    return out


def _with_notes(outcome: Outcome, every: list[Note]) -> Outcome:
    inside = notes_in(every, outcome.window[0], outcome.window[1], outcome.team, skip_advice=outcome.advice_id)
    return replace(outcome, notes=inside) if inside else outcome


def _done_steps(db: sqlite_utils.Database, horizons: Mapping[str, int], default_horizon: int) -> list[dict]:
    """Each advice marked done, with its done week and the last week of its window after.

    The done week is the team's week of the earliest "done", but never before the week after the
    one the advice was about: advice about a week is given once that week is complete, so that
    week is the last one before acting (the level the advice saw), whatever date a backfill gives."""
    zones = dict(db.execute("SELECT name, timezone FROM teams").fetchall())
    out = []
    for row in db.query(_DONE_SQL):
        moment = parse_time(row["done_at"])
        zone = zones.get(row["team"])
        if zone and zone != "UTC":
            moment = moment.astimezone(time_zone(zone))
        done_week = max(iso_week(moment), shift_week(row["period"], 1))
        horizon = horizons.get(row["rule_id"], default_horizon)
        out.append({**row, "done_week": done_week, "horizon": horizon, "due": shift_week(done_week, horizon)})
    return out


def _series(db: sqlite_utils.Database, metric: str, now: str) -> tuple[dict, dict]:
    history = load_history(db, metrics=[metric], until=now)
    series = {team: {v.period: v.value for v in values} for (team, _), values in history.items()}
    samples = {team: {v.period: v.n for v in values} for (team, _), values in history.items()}
    return series, samples


def _weeks_between(first: str, last: str) -> int:
    return max(0, round((week_start(last) - week_start(first)).days / 7))


def _row(o: Outcome, stamp: str) -> dict[str, Any]:
    lo, hi = o.interval if o.interval else (None, None)
    return {
        "advice_id": o.advice_id,
        "metric": o.metric,
        "team": o.team,
        "verdict": o.verdict.value,
        "done_week": o.done_week,
        "period_before": o.window[0],
        "period_after": o.window[1],
        "before": o.before,
        "after": o.after,
        "change": o.change,
        "teams_change": o.teams_change,
        "teams": json.dumps(list(o.teams)),
        "firings_change": o.firings_change,
        "firings": o.firings,
        "effect": o.effect,
        "lo": lo,
        "hi": hi,
        "p_better": o.p_better,
        "unsettled": o.unsettled,
        "reason": o.reason,
        "checked_at": stamp,
    }


def _outcome(row: dict) -> Outcome:
    interval = (row["lo"], row["hi"]) if row["lo"] is not None and row["hi"] is not None else None
    return Outcome(
        advice_id=row["advice_id"],
        rule_id=row["rule_id"],
        team=row["team"],
        metric=row["metric"],
        verdict=Verdict(row["verdict"]),
        period=row["period"],
        done_week=row["done_week"],
        due=row["period_after"],
        title=row["title"] or "",
        window=(row["period_before"], row["period_after"]),
        before=row["before"],
        after=row["after"],
        effect=row["effect"],
        interval=interval,
        teams_change=row["teams_change"],
        teams=tuple(json.loads(row["teams"] or "[]")),
        firings_change=row["firings_change"],
        firings=row["firings"] or 0,
        p_better=row["p_better"],
        unsettled=row["unsettled"],
        reason=row["reason"],
    )
