"""Weekly metrics over a cut of the tickets (urgent ones, one tag, breached SLAs), computed on demand.

The stored values cover whole teams; a cut is read from the raw rows when someone asks for it,
with the same formulas (`formulas.ticket_metrics`, `formulas.survey_metrics`), so "CSAT for urgent
tickets" is computed exactly like CSAT. A survey belongs to a cut when its ticket does. Customer
metrics do not depend on tickets' fields and have no cut.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import sqlite_utils

from smartstep.definitions import load_definitions
from smartstep.errors import UserError
from smartstep.metrics import formulas as m
from smartstep.metrics.store import _epoch, _last_week_key, local_week_key
from smartstep.metrics.values import SEGMENT_FIELDS, History, Where, describe_where
from smartstep.names import did_you_mean
from smartstep.weeks import shift_week

_FLAGS = {"breached": 1, "yes": 1, "1": 1, "met": 0, "no": 0, "0": 0}


def check_where(where: Where) -> Where:
    """The cut with known fields and tidy values, or one sentence naming what is wrong."""
    tidy: Where = {}
    for field, value in where.items():
        if field not in SEGMENT_FIELDS:
            raise UserError(f"cannot cut metrics by {field!r}{did_you_mean(field, list(SEGMENT_FIELDS))}")
        text = str(value).strip().lower()
        if not text:
            raise UserError(f"the {field} to cut by is empty")
        if field == "sla" and text not in _FLAGS:
            raise UserError(f"sla {value!r}: use 'breached' or 'met'")
        tidy[field] = text
    return tidy


def where_sql(where: Where, alias: str = "t") -> tuple[str, list[object]]:
    """SQL conditions on the tickets table (as `alias`) for a cut; values compare without case."""
    parts: list[str] = []
    params: list[object] = []
    for field, value in sorted(where.items()):
        if field == "tag":
            parts.append(f"(',' || {alias}.tags || ',') LIKE ?")
            params.append(f"%,{value},%")
        elif field == "sla":
            parts.append(f"{alias}.sla_breached = ?")
            params.append(_FLAGS[value])
        else:
            parts.append(f"lower({alias}.[{field}]) = ?")
            params.append(value)
    return " AND ".join(parts) or "1", params


def segment_history(
    db: sqlite_utils.Database,
    where: Where,
    *,
    teams: Iterable[str] | None = None,
    until: str | None = None,
    weeks: int | None = None,
) -> History:
    """Ticket and survey metrics per team and week over the tickets matching `where` (see load_history)."""
    where = check_where(where)
    last = _last_week_key(db)
    if last is None:
        return {}
    params = m.Params.from_mapping(load_definitions().parameters)
    zones = dict(db.execute("SELECT name, timezone FROM teams").fetchall())
    condition, args = where_sql(where)
    wanted = list(teams) if teams is not None else None
    if wanted is not None:
        condition += f" AND t.team IN ({','.join('?' * len(wanted))})"
        args += wanted
    tickets = pd.read_sql_query(
        "SELECT t.team, t.contacts, t.reopens, t.handle_minutes, t.escalated_to, t.sla_breached, "
        f"{_epoch('t.created_at', 'created')}, {_epoch('t.first_reply_at', 'first_reply')}, "
        "CASE WHEN t.status IN ('solved', 'closed') THEN CAST(strftime('%s', t.solved_at) AS REAL) END AS solved, "
        f"{_epoch('t.escalated_at')}, {_epoch('t.returned_at')} FROM tickets t WHERE {condition}",
        db.conn,
        params=args,
    )
    surveys = pd.read_sql_query(
        f"SELECT t.team, s.kind, s.score, {_epoch('s.sent_at', 'sent')}, {_epoch('s.responded_at', 'responded')} "
        f"FROM surveys s JOIN tickets t ON t.id = s.ticket_id WHERE {condition}",
        db.conn,
        params=args,
    )
    values = []
    for team, t in tickets.groupby("team"):
        t = t.copy()
        t["created_week"] = local_week_key(t["created"], zones.get(team))
        t["solved_week"] = local_week_key(t["solved"], zones.get(team))
        solved_last = t["solved_week"].max()
        team_last = max(last, float(solved_last)) if pd.notna(solved_last) else last
        values += m.ticket_metrics(t, str(team), float(t["created_week"].min()), team_last, 0, params)
    for team, s in surveys.groupby("team"):
        s = s.copy()
        s["sent_week"] = local_week_key(s["sent"], zones.get(team))
        s["responded_week"] = local_week_key(s["responded"], zones.get(team))
        values += m.survey_metrics(s, str(team), float(s["sent_week"].min()), params)
    low = shift_week(until, -weeks) if (until and weeks) else None
    history: History = {}
    for value in sorted(values, key=lambda v: (v.team, v.metric, v.period)):
        if (until and value.period > until) or (low and value.period <= low):
            continue
        history.setdefault((value.team, value.metric), []).append(value)
    return history


def segment_label(where: Where) -> str:
    return describe_where(check_where(where))
