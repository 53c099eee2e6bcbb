"""Joining survey answers to what happened on their tickets: the input of driver analysis.

One row per answered survey of one kind, with its ticket's operational facts and its
customer's segment and tenure. A survey's team is its ticket's team, else its customer's
team. Answers whose ticket is unknown are left out: with no facts they cannot say what
drove them (the count is kept so reports can say so).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import numpy as np
import pandas as pd
import sqlite_utils

from smartstep.drivers.analysis import RESAMPLES, SURVEY_METRICS, DriverReport, analyse_drivers
from smartstep.drivers.signals import driver_signals
from smartstep.metrics.reader import current_period
from smartstep.weeks import format_time, shift_week, week_end, week_start

# Durations come from SQLite's julianday (it reads the stored 'YYYY-MM-DDTHH:MM:SSZ' form):
# parsing seven time columns in pandas cost more than the whole analysis.
_SQL = """
SELECT s.id AS survey_id, s.score, s.responded_at,
       COALESCE(t.team, c.team) AS team,
       t.id AS ticket_id, t.channel, t.product, t.contacts, t.reopens, t.handle_minutes, t.escalated_to,
       t.priority, t.type AS ticket_type, t.sla_breached,
       (julianday(t.first_reply_at) - julianday(t.created_at)) * 24 AS first_reply_hours,
       (julianday(t.solved_at) - julianday(t.created_at)) * 24 AS resolution_hours,
       (julianday(COALESCE(NULLIF(t.returned_at, ''), t.solved_at)) - julianday(t.escalated_at)) * 24
           AS escalation_hours,
       c.segment,
       julianday(s.responded_at) - julianday(c.signed_at) AS tenure_days
FROM surveys s
LEFT JOIN tickets t ON t.id = s.ticket_id
LEFT JOIN customers c ON c.id = COALESCE(NULLIF(s.customer_id, ''), t.customer_id)
WHERE s.kind = ? AND s.responded_at IS NOT NULL AND s.score IS NOT NULL
  AND s.responded_at >= ? AND s.responded_at < ?
"""

FACT_COLUMNS = (
    "contacts",
    "reopens",
    "first_reply_hours",
    "resolution_hours",
    "handle_minutes",
    "channel",
    "product",
    "escalated",
    "escalated_to",
    "escalation_hours",
    "segment",
    "tenure_days",
    "priority",
    "ticket_type",
    "sla_breached",
)


def load_answers(
    db: sqlite_utils.Database, metric: str, first_week: str, last_week: str, team: str | None = None
) -> pd.DataFrame:
    """Every `metric` answer given in weeks first..last (inclusive), joined to its facts.

    Columns: survey_id, team, week, score, has_ticket, and FACT_COLUMNS. `team=None` keeps all.
    """
    params = [metric, format_time(week_start(first_week)), format_time(week_end(last_week))]
    sql = _SQL
    if team is not None:
        sql += " AND COALESCE(t.team, c.team) = ?"
        params.append(team)
    raw = pd.read_sql_query(sql + " ORDER BY s.responded_at, s.id", db.conn, params=params)
    return build_facts(raw)


def _number(raw: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(raw[column], errors="coerce").astype(float)


def _text(raw: pd.DataFrame, column: str) -> pd.Series:
    return raw[column].replace("", np.nan)


def build_facts(raw: pd.DataFrame) -> pd.DataFrame:
    """Turn joined store rows into one row of facts per answer (weeks, flags, no negative times)."""
    columns = ["survey_id", "team", "week", "score", "has_ticket", *FACT_COLUMNS]
    if raw.empty:
        return pd.DataFrame(columns=columns)
    iso = pd.to_datetime(raw["responded_at"], utc=True, format="ISO8601").dt.isocalendar()
    escalated_to = raw["escalated_to"].fillna("").astype(str).str.strip()
    facts = pd.DataFrame(
        {
            "survey_id": raw["survey_id"],
            "team": raw["team"],
            "week": iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2),
            "score": raw["score"].astype(float),
            "has_ticket": raw["ticket_id"].notna(),
            "contacts": _number(raw, "contacts"),
            "reopens": _number(raw, "reopens"),
            "first_reply_hours": _number(raw, "first_reply_hours").clip(lower=0),
            "resolution_hours": _number(raw, "resolution_hours").clip(lower=0),
            "handle_minutes": _number(raw, "handle_minutes"),
            "channel": _text(raw, "channel"),
            "product": _text(raw, "product"),
            "escalated": escalated_to != "",
            "escalated_to": escalated_to.replace("", np.nan),
            "escalation_hours": _number(raw, "escalation_hours").clip(lower=0),
            "segment": _text(raw, "segment"),
            "tenure_days": _number(raw, "tenure_days").clip(lower=0),
            "priority": _text(raw, "priority"),
            "ticket_type": _text(raw, "ticket_type"),
            "sla_breached": _number(raw, "sla_breached"),
        }
    )
    facts.loc[~facts["escalated"], "escalation_hours"] = 0.0
    return facts[columns].reset_index(drop=True)


def load_driver_report(
    db: sqlite_utils.Database,
    metric: str,
    *,
    team: str | None = None,
    weeks: int = 26,
    as_of: datetime | None = None,
    since: str | None = None,
    resamples: int = RESAMPLES,
    seed: int = 0,
    check_changes: bool = True,
) -> DriverReport | None:
    """The driver report for `team` over the `weeks` weeks up to "now"; None when the store has no data.

    The entry point for every surface (CLI, rules, advisor, digest, Slack).
    """
    last = current_period(db, as_of)
    if last is None:
        return None
    first = shift_week(last, -(weeks - 1))
    frame = load_answers(db, metric, first, last, team)
    return analyse_drivers(
        frame,
        metric,
        first_week=first,
        last_week=last,
        team=team,
        since=since,
        resamples=resamples,
        seed=seed,
        check_changes=check_changes,
    )


def load_driver_signals(
    db: sqlite_utils.Database, teams: Iterable[str], *, as_of: datetime | None = None, weeks: int = 26
) -> dict[tuple[str, str], tuple[float, str]]:
    """Rule-engine driver signals for every team and survey metric (a few tenths of a second of CPU
    per team: change detection is left out)."""
    reports = [
        load_driver_report(db, metric, team=team, weeks=weeks, as_of=as_of, check_changes=False)
        for team in teams
        for metric in SURVEY_METRICS
    ]
    return driver_signals(r for r in reports if r is not None)
