"""Reading the digest's facts from the store: the I/O edge of `digest`.

`load_digest` runs the shared advice pipeline (so the digest's steps are ranked, explained and
logged like every other surface's), then reads outcomes, call-backs, repeated problems and
one driver line per team, and hands plain data to `digest.assemble_team`.

Call-backs: a low answer stays listed until someone records the call-back (the digest's
"Called back" button writes a `callbacks` row; `record_callback`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

import sqlite_utils

from smartstep.advice.log import log_advice, new_advice_id
from smartstep.advice.outcomes import load_outcomes
from smartstep.advice.pipeline import next_steps
from smartstep.advice.ranking import Advice
from smartstep.advice.repeats import find_repeated_problems
from smartstep.advice.small_teams import keep_small_changes_out_of_the_top, team_volumes
from smartstep.advice.verdicts import Outcome, Verdict
from smartstep.db import write_transaction
from smartstep.definitions import load_definitions
from smartstep.digest.growing import growing_topics
from smartstep.digest.model import CallBack, Digest, TeamDigest, assemble_team
from smartstep.errors import UserError
from smartstep.metrics.noise import history_weeks
from smartstep.metrics.note_store import list_notes
from smartstep.metrics.reader import current_period, known_teams, load_history
from smartstep.metrics.scorecard import build_scorecard
from smartstep.rules.loader import RuleSet
from smartstep.weeks import format_time, week_end, week_start

CHART_WEEKS = 12
TOP_STEPS = 3
CALLBACKS_SHOWN = 5
SURVEY_METRICS = load_definitions().survey_scores
DRIVER_WEEKS = 12
DRIVER_RESAMPLES = 100

_CALLBACKS_SQL = """
SELECT s.id, s.ticket_id, s.kind, s.score, COALESCE(t.team, c.team) AS team
FROM surveys s
LEFT JOIN tickets t ON t.id = s.ticket_id
LEFT JOIN customers c ON c.id = COALESCE(NULLIF(s.customer_id, ''), t.customer_id)
WHERE s.responded_at >= ? AND s.responded_at < ? AND s.score IS NOT NULL
  AND ((s.kind = 'nps' AND s.score <= 6) OR (s.kind IN ('csat', 'ces') AND s.score <= 2))
  AND NOT EXISTS (SELECT 1 FROM callbacks cb WHERE cb.survey_id = s.id)
ORDER BY s.score, s.responded_at, s.id
"""


def load_digest(
    db: sqlite_utils.Database,
    ruleset: RuleSet,
    *,
    teams: Sequence[str] | None = None,
    as_of: datetime | None = None,
    log: bool = True,
    at: datetime | None = None,
    make_id: Callable[[], str] = new_advice_id,
    drivers: bool = True,
) -> Digest:
    """The digest for `teams` (None: every team with data) for the latest complete week.

    With `log`, the top steps shown are written to the advice log (ids for the buttons);
    a dry run passes log=False so previews do not count as advice given.
    """
    period = current_period(db, as_of)
    if period is None:
        return Digest(None, ())
    wanted = list(teams) if teams else known_teams(db)
    history = load_history(db, teams=wanted, until=period, weeks=CHART_WEEKS + history_weeks())
    rows = build_scorecard(history, period, wanted, weeks=CHART_WEEKS)
    present = [t for t in wanted if any(r.team == t for r in rows)]
    run = next_steps(db, ruleset, teams=present, k=TOP_STEPS, per_team=True, surface="digest", as_of=as_of, log=False)
    shown = sorted(run.advice, key=lambda a: -a.score)
    if len(present) > 1:  # the post's top steps are an organisation-wide list: small teams' small changes wait
        shown = keep_small_changes_out_of_the_top(shown, team_volumes(history, period), TOP_STEPS)
    shown = shown[:TOP_STEPS]
    if log and shown:
        shown = log_advice(db, shown, "digest", at=at, make_id=make_id)
    due = {t: sum(1 for a in run.advice if a.candidate.team == t) for t in present}
    outcomes = step_outcomes(db, period, present, {r.id: r.horizon_weeks for r in ruleset.rules})
    notes = list_notes(db)
    callbacks = load_callbacks(db, period)
    repeated = find_repeated_problems(db, period) if present else {}
    about: dict[str, frozenset[str]] = {}
    for advice in shown:
        about[advice.candidate.team] = about.get(advice.candidate.team, frozenset()) | advice.metrics
    parts = []
    for team in present:
        part = assemble_team(
            team,
            period,
            rows,
            outcomes=tuple(outcomes.get(team, ())),
            notes=tuple(notes),
            callbacks=tuple(callbacks.get(team, ())[:CALLBACKS_SHOWN]),
            callbacks_total=len(callbacks.get(team, ())),
            repeated=repeated.get(team),
            steps_due=due.get(team, 0),
            about=about.get(team, frozenset()),
        )
        if drivers and not part.quiet:
            part = _with_driver(db, part, run.advice, as_of)
        parts.append(part)
    growing = growing_topics(db, present, as_of) if present else ()
    return Digest(period, tuple(parts), tuple(shown), history, tuple(notes), growing)


def step_outcomes(
    db: sqlite_utils.Database, period: str, teams: Sequence[str], horizons: Mapping[str, int]
) -> dict[str, list[Outcome]]:
    """The outcomes of done steps measured this week (their window after ends in `period`), and the
    steps marked done this week, which are too early to measure and say when they will be."""
    out: dict[str, list[Outcome]] = {}
    for outcome in load_outcomes(db, period, horizons):
        if outcome.team not in teams:
            continue
        measured_now = outcome.verdict is not Verdict.TOO_EARLY and outcome.due == period
        if measured_now or (outcome.verdict is Verdict.TOO_EARLY and outcome.done_week == period):
            out.setdefault(outcome.team, []).append(outcome)
    return out


def load_callbacks(db: sqlite_utils.Database, period: str) -> dict[str, list[CallBack]]:
    """Detractors (NPS 0-6) and CSAT/CES answers of 1-2 given in `period`, not yet called back, per team."""
    out: dict[str, list[CallBack]] = {}
    params = [format_time(week_start(period)), format_time(week_end(period))]
    for survey_id, ticket_id, kind, score, team in db.execute(_CALLBACKS_SQL, params).fetchall():
        if team:
            out.setdefault(team, []).append(CallBack(survey_id, ticket_id, kind, float(score)))
    return out


def record_callback(db: sqlite_utils.Database, survey_id: str, user: str, at: datetime | None = None) -> bool:
    """Remember that `user` called this customer back; True when it was new."""
    row = db.execute("SELECT ticket_id FROM surveys WHERE id = ?", [survey_id]).fetchone()
    if row is None:
        raise UserError(f"no survey answer with id '{survey_id}'")
    with write_transaction(db):  # reads first: take the write lock up front
        new = not db["callbacks"].count_where("survey_id = ?", [survey_id])
        if new:
            db["callbacks"].insert(
                {"survey_id": survey_id, "ticket_id": row[0], "user": user, "at": format_time(at or datetime.now(UTC))}
            )
    return new


def _with_driver(db: sqlite_utils.Database, part: TeamDigest, shown: Sequence[Advice], as_of: datetime | None):
    """One driver line for the survey metric that moved (or that one of the team's steps targets), when the
    sample is big enough to say something; otherwise no line at all."""
    from smartstep.drivers.data import load_driver_report
    from smartstep.drivers.text import summary_line

    metrics = [m.metric for m in part.moves if m.metric in SURVEY_METRICS]
    metrics += [
        a.candidate.target for a in shown if a.candidate.team == part.team and a.candidate.target in SURVEY_METRICS
    ]
    if not metrics:
        return part
    report = load_driver_report(
        db, metrics[0], team=part.team, weeks=DRIVER_WEEKS, as_of=as_of, resamples=DRIVER_RESAMPLES
    )
    if report is None or report.needed or not report.stable_drivers:
        return part
    return replace(part, driver=summary_line(report))
