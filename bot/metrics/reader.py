"""Reading stored weekly metric values from the store: the history every later layer (rules,
advisor, digest, Slack) works from. Values are computed by `metrics.store`; this module only reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlite_utils

from smartstep.metrics.values import History, MetricValue, Where
from smartstep.weeks import iso_week, parse_time, shift_week


def row_to_value(row: dict) -> MetricValue:
    ci = (row["ci_lo"], row["ci_hi"]) if row.get("ci_lo") is not None else None
    return MetricValue(
        team=row["team"],
        metric=row["metric"],
        period=row["period"],
        value=row["value"],
        n=row.get("n"),
        ci=ci,
        partial=bool(row.get("partial")),
        detail=json.loads(row["detail"]) if row.get("detail") else {},
        source=row.get("source") or "computed",
    )


def load_history(
    db: sqlite_utils.Database,
    *,
    teams: Iterable[str] | None = None,
    metrics: Iterable[str] | None = None,
    until: str | None = None,
    weeks: int | None = None,
    where: Where | None = None,
) -> History:
    """Stored values per (team, metric), oldest first, up to and including week `until`.

    `weeks` keeps only the last N weeks up to `until` (or up to the latest stored week).
    `where` cuts the tickets first (`{"priority": "urgent"}`; fields in `values.SEGMENT_FIELDS`):
    the ticket and survey metrics are then computed from the matching rows, not read from storage.
    """
    if where:
        from smartstep.metrics.segments import segment_history

        history = segment_history(db, where, teams=teams, until=until or latest_period(db), weeks=weeks)
        if metrics is not None:
            wanted = set(metrics)
            history = {key: values for key, values in history.items() if key[1] in wanted}
        return history
    where, params = [], []
    if teams is not None:
        teams = list(teams)
        where.append(f"team IN ({','.join('?' * len(teams))})")
        params += teams
    if metrics is not None:
        metrics = list(metrics)
        where.append(f"metric IN ({','.join('?' * len(metrics))})")
        params += metrics
    if until is not None:
        where.append("period <= ?")
        params.append(until)
    if weeks is not None:
        last = until or latest_period(db)
        if last is not None:
            where.append("period > ?")
            params.append(shift_week(last, -weeks))
    sql = "SELECT * FROM metric_values"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY team, metric, period"
    history: History = {}
    for row in db.query(sql, params):
        value = row_to_value(row)
        history.setdefault((value.team, value.metric), []).append(value)
    return history


def latest_period(db: sqlite_utils.Database) -> str | None:
    row = db.execute("SELECT max(period) FROM metric_values").fetchone()
    return row[0] if row else None


def known_teams(db: sqlite_utils.Database) -> list[str]:
    """Every team that has data, sorted."""
    rows = db.execute(
        "SELECT DISTINCT team FROM metric_values UNION SELECT DISTINCT team FROM tickets ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows if r[0]]


def current_period(db: sqlite_utils.Database, as_of: datetime | None = None) -> str | None:
    """The ISO week that counts as "now": the latest complete week in the data.

    With `as_of`, the latest week that had ended by the end of that day. Using the data's
    own clock means the demo gives the same answers on any day.
    """
    if as_of is not None:
        moment = as_of
    else:
        row = db.execute("SELECT max(created_at) FROM tickets").fetchone()
        if not row or row[0] is None:
            return latest_period(db)
        moment = parse_time(row[0])
    # A week is complete once data reaches its Sunday; otherwise "now" is the week before.
    return iso_week(moment) if moment.isoweekday() == 7 else iso_week(moment - timedelta(weeks=1))
