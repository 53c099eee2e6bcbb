"""Recomputing the stored weekly metric values from the raw rows.

Callers (importers, the demo) run `recompute` inside their own transaction, so raw rows and
the numbers derived from them always change together. Ticket and survey metrics recompute only
from the earliest week an import touched; customer metrics and Klever's Law are cheap and
always recompute whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import sqlite_utils

from smartstep.definitions import load_definitions
from smartstep.metrics import formulas as m
from smartstep.metrics.values import MetricValue

_EPOCH = "CAST(strftime('%s', {0}) AS REAL) AS {1}"


def _epoch(column: str, alias: str | None = None) -> str:
    return _EPOCH.format(column, alias or column.split(".")[-1])


def recompute(db: sqlite_utils.Database, since: Mapping[str, str] | None = None, *, customers: bool = True) -> int:
    """Recompute metric values; `since` maps team -> earliest ISO week touched (None: all).

    Customer metrics are recomputed whole, and only when `customers` says they may have changed
    (always on a full recompute). Returns how many values were written.
    """
    params = m.Params.from_mapping(load_definitions().parameters)
    last = _last_week_key(db)
    if last is None:
        return _apply_imported(db)  # a store with only values aggregated elsewhere
    zones = dict(db.execute("SELECT name, timezone FROM teams").fetchall())
    scope = _scope(db, since, last)
    written = 0
    if scope:
        with_start = {team: (m.label_key(week) if week else None) for team, week in scope.items()}
        written += _recompute_tickets(db, with_start, last, zones, params)
        written += _recompute_surveys(db, with_start, zones, params)
    if customers or since is None:
        written += _recompute_customers(db, last, params)
    written += _apply_imported(db)
    written += _recompute_ttcv(db)
    return written


def _scope(db: sqlite_utils.Database, since: Mapping[str, str] | None, last: float) -> dict[str, str | None]:
    if since is not None:
        return _with_new_weeks(db, dict(since), m.week_label(last))
    teams = db.execute("SELECT DISTINCT team FROM tickets").fetchall()
    db.execute(
        f"DELETE FROM metric_values WHERE metric IN ({_marks(m.TICKET_METRICS + m.SURVEY_METRICS)})",
        m.TICKET_METRICS + m.SURVEY_METRICS,
    )
    return {team: None for (team,) in teams}


def _with_new_weeks(db: sqlite_utils.Database, scope: dict[str, str | None], last: str) -> dict[str, str | None]:
    """Teams whose stored weeks end before the data's last week get the new weeks too: a quiet team's
    backlog (and its zero volume) exists in a week it had no ticket in. Found with a sync every 15
    minutes, where the first change of a week usually touches one team."""
    behind = db.execute(
        "SELECT team, max(period) FROM metric_values WHERE metric = 'backlog' GROUP BY team HAVING max(period) < ?",
        [last],
    ).fetchall()
    for team, stored in behind:
        if team not in scope or scope[team] is not None:
            scope[team] = min(scope.get(team) or stored, stored)
    return scope


def _marks(values: Iterable[object]) -> str:
    return ",".join("?" * len(list(values)))


def _last_week_key(db: sqlite_utils.Database) -> float | None:
    row = db.execute(
        "SELECT max(x) FROM (SELECT max(created_at) AS x FROM tickets UNION ALL "
        "SELECT max(sent_at) FROM surveys UNION ALL SELECT max(signed_at) FROM customers)"
    ).fetchone()
    if not row or row[0] is None:
        return None
    return float(m.week_key(np.array([pd.Timestamp(row[0]).timestamp()]))[0])


def local_week_key(epoch: pd.Series, zone: str | None) -> np.ndarray:
    """Week keys in the team's time zone (UTC unless configured)."""
    if not zone or zone == "UTC":
        return m.week_key(epoch)
    stamps = pd.to_datetime(epoch, unit="s", utc=True).dt.tz_convert(zone)
    offset = (stamps.dt.tz_localize(None) - stamps.dt.tz_convert(None)).dt.total_seconds()
    return m.week_key(epoch + offset)


def _floor_seconds(starts: dict[str, float | None]) -> float | None:
    """The earliest instant an incremental recompute must read (a day early, for team time
    zones ahead of UTC); None when some team needs everything."""
    if any(s is None for s in starts.values()):
        return None
    return (min(s for s in starts.values() if s is not None) - 1) * m.DAY


def _text_time(seconds: float) -> str:
    return pd.Timestamp(seconds, unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def _recompute_tickets(
    db: sqlite_utils.Database, starts: dict[str, float | None], last: float, zones: dict, params: m.Params
) -> int:
    teams = list(starts)
    floor = _floor_seconds(starts)
    columns = (
        "SELECT team, contacts, reopens, handle_minutes, escalated_to, sla_breached, "
        f"{_epoch('created_at', 'created')}, {_epoch('first_reply_at', 'first_reply')}, "
        f"CASE WHEN status IN ('solved', 'closed') THEN CAST(strftime('%s', solved_at) AS REAL) END AS solved, "
        f"{_epoch('escalated_at')}, {_epoch('returned_at')} FROM tickets WHERE team IN ({_marks(teams)})"
    )
    sql, args = columns, list(teams)
    if floor is not None:
        # Three index-friendly parts instead of one OR: created in the window; created before it
        # and solved in it; created before it and still open (both needed for the backlog).
        bound = _text_time(floor)
        sql = " UNION ALL ".join(
            f"{columns} AND {cond}"
            # `+created_at` keeps SQLite on the (team, solved_at) index for the last two parts.
            for cond in (
                "created_at >= ?",
                "+created_at < ? AND solved_at >= ?",
                "+created_at < ? AND solved_at IS NULL",
            )
        )
        args = [*teams, bound, *teams, bound, bound, *teams, bound]
    frame = pd.read_sql_query(sql, db.conn, params=args)
    firsts = _first_weeks(db, teams, zones)
    written = 0
    for team in teams:
        t = frame[frame["team"] == team].copy()
        first = firsts.get(team)
        if first is None:  # no ticket left (all moved to another team): nothing to count from
            if starts[team] is not None:
                _replace(db, team, m.TICKET_METRICS, m.week_label(starts[team]), [])
            continue
        if t.empty:
            continue
        t["created_week"] = local_week_key(t["created"], zones.get(team))
        t["solved_week"] = local_week_key(t["solved"], zones.get(team))
        touched = starts[team] if starts[team] is not None else first
        # A team's weeks begin with its first ticket: a customers import reaching back years must
        # not write zero volume and backlog for weeks before the team had any (those rows are deleted).
        start = max(touched, first)
        base = int(((t["created_week"] < start) & ~(t["solved_week"] < start)).sum())
        team_last = max(last, float(np.nanmax(t[["created_week", "solved_week"]].to_numpy())))
        values = m.ticket_metrics(t, team, start, team_last, base, params)
        written += _replace(db, team, m.TICKET_METRICS, m.week_label(touched), values)
    return written


def _first_weeks(db: sqlite_utils.Database, teams: list[str], zones: dict) -> dict[str, float]:
    """team -> week key of its first ticket, in the team's zone (one index seek per team)."""
    rows = db.execute(
        f"SELECT team, {_epoch('min(created_at)', 'first')} FROM tickets WHERE team IN ({_marks(teams)}) GROUP BY team",
        teams,
    ).fetchall()
    return {
        team: float(local_week_key(pd.Series([first]), zones.get(team))[0]) for team, first in rows if first is not None
    }


def _recompute_surveys(
    db: sqlite_utils.Database, starts: dict[str, float | None], zones: dict, params: m.Params
) -> int:
    teams = list(starts)
    inner = (
        "SELECT COALESCE(t.team, NULLIF(c.team, '')) AS team, "
        f"s.kind, s.score, {_epoch('s.sent_at', 'sent')}, {_epoch('s.responded_at', 'responded')} "
        "FROM surveys s LEFT JOIN tickets t ON t.id = s.ticket_id LEFT JOIN customers c ON c.id = s.customer_id"
    )
    args: list[object] = []
    floor = _floor_seconds(starts)
    if floor is not None:
        bound = _text_time(floor)  # stored times are uniform UTC text, so text order is time order
        inner = f"{inner} WHERE s.sent_at >= ? UNION ALL {inner} WHERE s.sent_at < ? AND s.responded_at >= ?"
        args = [bound, bound, bound]
    sql = f"SELECT team, kind, score, sent, responded FROM ({inner}) WHERE team IN ({_marks(teams)})"
    args += teams
    frame = pd.read_sql_query(sql, db.conn, params=args)
    written = 0
    for team in teams:
        s = frame[frame["team"] == team].copy()
        if s.empty:
            continue
        s["sent_week"] = local_week_key(s["sent"], zones.get(team))
        s["responded_week"] = local_week_key(s["responded"], zones.get(team))
        start = starts[team] if starts[team] is not None else float(s["sent_week"].min())
        values = m.survey_metrics(s, team, start, params)
        written += _replace(db, team, m.SURVEY_METRICS, m.week_label(start), values)
    return written


def _recompute_customers(db: sqlite_utils.Database, last: float, params: m.Params) -> int:
    sql = (
        "SELECT COALESCE(NULLIF(c.team, ''), (SELECT t.team FROM tickets t WHERE t.customer_id = c.id "
        "GROUP BY t.team ORDER BY count(*) DESC, t.team LIMIT 1)) AS team, c.segment, "
        f"{_epoch('c.signed_at', 'signed')}, {_epoch('c.first_value_before_sale_at', 'value_before')}, "
        f"{_epoch('c.first_value_after_sale_at', 'value_after')}, {_epoch('c.renewed_at', 'renewed')}, "
        f"{_epoch('c.churned_at', 'churned')} FROM customers c"
    )
    frame = pd.read_sql_query(sql, db.conn).dropna(subset=["team"])
    db.execute(f"DELETE FROM metric_values WHERE metric IN ({_marks(m.CUSTOMER_METRICS)})", m.CUSTOMER_METRICS)
    if frame.empty:
        return 0
    now = (last + 7) * m.DAY
    return _insert(db, m.customer_metrics(frame, now, params))


def _apply_imported(db: sqlite_utils.Database) -> int:
    """Values aggregated elsewhere win over computed ones: the latest value in each week."""
    frame = pd.read_sql_query(
        f"SELECT team, metric, date, value, {_epoch('date', 'at')} FROM imported_metrics ORDER BY date", db.conn
    )
    if frame.empty:
        return 0
    frame["week"] = m.week_key(frame["at"])
    latest = frame.groupby(["team", "metric", "week"]).tail(1)
    values = [
        MetricValue(r.team, r.metric, m.week_label(r.week), float(r.value), source="imported")
        for r in latest.itertuples()
    ]
    return _insert(db, values)


def _recompute_ttcv(db: sqlite_utils.Database) -> int:
    names = ("ttv_before_sale_days", "ttv_after_sale_days", "time_to_smile_days")
    rows = db.execute(
        f"SELECT team, metric, period, value, n, ci_lo, ci_hi FROM metric_values WHERE metric IN ({_marks(names)})",
        names,
    ).fetchall()
    parts: dict[str, dict[str, dict[str, float]]] = {}
    errors: dict[str, dict[str, dict[str, tuple[int | None, float | None]]]] = {}
    for team, metric, period, value, n, lo, hi in rows:
        parts.setdefault(team, {}).setdefault(metric, {})[period] = value
        half = (hi - lo) / 2 if lo is not None and hi is not None else None
        errors.setdefault(team, {}).setdefault(metric, {})[period] = (n, half)
    db.execute("DELETE FROM metric_values WHERE metric = ? AND source = 'computed'", [m.TTCV])
    values = [v for team, p in parts.items() for v in m.time_to_customer_value(p, team, errors.get(team))]
    return _insert(db, values, replace=False)


def _replace(
    db: sqlite_utils.Database, team: str, metrics: tuple[str, ...], start: str, values: list[MetricValue]
) -> int:
    db.execute(
        f"DELETE FROM metric_values WHERE team = ? AND period >= ? AND metric IN ({_marks(metrics)})",
        [team, start, *metrics],
    )
    return _insert(db, values)


def _insert(db: sqlite_utils.Database, values: list[MetricValue], replace: bool = True) -> int:
    verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
    db.conn.executemany(
        f"{verb} INTO metric_values (team, metric, period, value, n, ci_lo, ci_hi, partial, detail, source) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                v.team,
                v.metric,
                v.period,
                v.value,
                v.n,
                v.ci[0] if v.ci else None,
                v.ci[1] if v.ci else None,
                int(v.partial),
                json.dumps(v.detail) if v.detail else None,
                v.source,
            )
            for v in values
        ],
    )
    return len(values)
