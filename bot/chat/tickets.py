"""The tickets behind a number: for each metric, the tickets that pull it the wrong way in the
weeks asked about (low scores for CSAT, CES and NPS; reopened or multi-contact tickets for FCR;
the oldest open ones for the backlog; ...), worst first. Reads the store; the chat skill
turns the rows into a reply, with links when a helpdesk URL is configured."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from smartstep.definitions import load_definitions
from smartstep.weeks import format_time, week_end, week_start


@dataclass(frozen=True)
class TicketQuery:
    why: str  # what makes a ticket count, for the reply ("scored CES 3 or lower")
    sql: str  # selects id, subject, team, detail, sort key; ?1 start, ?2 end, {teams} the filters
    # (survey queries CROSS JOIN so SQLite reads the week's surveys first, not every ticket of the team)


def _survey(kind: str, low: float, label: str) -> TicketQuery:
    return TicketQuery(
        f"answered the {label} survey with {low:g} or lower",
        "SELECT t.id, t.subject, t.team, printf('%s %g', upper(s.kind), s.score), s.score "
        "FROM surveys s CROSS JOIN tickets t ON t.id = s.ticket_id "
        f"WHERE s.kind = '{kind}' AND s.score <= {low} AND s.responded_at >= ?1 AND s.responded_at < ?2 {{teams}} "
        "ORDER BY s.score, s.responded_at DESC",
    )


SLA = load_definitions().parameters
QUERIES: dict[str, TicketQuery] = {
    "csat": _survey("csat", 3, "CSAT"),
    "ces": _survey("ces", 3, "effort (CES)"),
    "nps": _survey("nps", 6, "NPS (detractors)"),
    "fcr": TicketQuery(
        "took more than one contact or were reopened",
        "SELECT id, subject, team, printf('%d contacts, %d reopens', coalesce(contacts, 1), coalesce(reopens, 0)), "
        "-(coalesce(contacts, 1) + coalesce(reopens, 0)) FROM tickets "
        "WHERE solved_at >= ?1 AND solved_at < ?2 AND (coalesce(contacts, 1) > 1 OR coalesce(reopens, 0) > 0) {teams} "
        "ORDER BY 5, solved_at DESC",
    ),
    "reopen_rate": TicketQuery(
        "were reopened",
        "SELECT id, subject, team, printf('%d reopens', reopens), -reopens FROM tickets "
        "WHERE solved_at >= ?1 AND solved_at < ?2 AND reopens > 0 {teams} ORDER BY 5, solved_at DESC",
    ),
    "backlog": TicketQuery(
        "were open at the end of the week, oldest first",
        "SELECT id, subject, team, 'open since ' || substr(created_at, 1, 10), created_at FROM tickets "
        "WHERE created_at < ?2 AND (solved_at IS NULL OR solved_at >= ?2) AND ?1 = ?1 {teams} ORDER BY created_at",
    ),
    "first_reply_hours": TicketQuery(
        "waited longest for a first reply",
        "SELECT id, subject, team, printf('%.1f h to first reply', "
        "(julianday(coalesce(first_reply_at, ?2)) - julianday(created_at)) * 24), "
        "julianday(created_at) - julianday(coalesce(first_reply_at, ?2)) FROM tickets "
        "WHERE created_at >= ?1 AND created_at < ?2 {teams} ORDER BY 5",
    ),
    "resolution_hours": TicketQuery(
        "took longest to resolve",
        "SELECT id, subject, team, printf('%.1f h to resolve', (julianday(solved_at) - julianday(created_at)) * 24), "
        "julianday(created_at) - julianday(solved_at) FROM tickets "
        "WHERE solved_at >= ?1 AND solved_at < ?2 {teams} ORDER BY 5",
    ),
    "time_to_smile_days": TicketQuery(
        "took longest from the problem to a happy customer",
        "SELECT id, subject, team, printf('%.1f days', julianday(solved_at) - julianday(created_at)), "
        "julianday(created_at) - julianday(solved_at) FROM tickets "
        "WHERE solved_at >= ?1 AND solved_at < ?2 {teams} ORDER BY 5",
    ),
    "sla_breach_rate": TicketQuery(
        "missed the first-reply or resolution target",
        "SELECT id, subject, team, printf('%.1f h to first reply, %.1f h to resolve', "
        "(julianday(first_reply_at) - julianday(created_at)) * 24, "
        "(julianday(solved_at) - julianday(created_at)) * 24), "
        "julianday(created_at) - julianday(solved_at) FROM tickets WHERE solved_at >= ?1 AND solved_at < ?2 AND ("
        f"(julianday(first_reply_at) - julianday(created_at)) * 24 > {SLA['sla_first_reply_hours']:g} OR "
        f"(julianday(solved_at) - julianday(created_at)) * 24 > {SLA['sla_resolution_hours']:g}) {{teams}} ORDER BY 5",
    ),
    "escalation_rate": TicketQuery(
        "were escalated to another department",
        "SELECT id, subject, team, 'escalated to ' || escalated_to, created_at FROM tickets "
        "WHERE created_at >= ?1 AND created_at < ?2 AND coalesce(escalated_to, '') != '' {teams} "
        "ORDER BY created_at DESC",
    ),
    "aht": TicketQuery(
        "took the most handling time",
        "SELECT id, subject, team, printf('%.0f min handling', handle_minutes), -handle_minutes FROM tickets "
        "WHERE solved_at >= ?1 AND solved_at < ?2 AND handle_minutes IS NOT NULL {teams} ORDER BY 5",
    ),
    "ticket_volume": TicketQuery(
        "were created",
        "SELECT id, subject, team, 'created ' || substr(created_at, 1, 10), created_at FROM tickets "
        "WHERE created_at >= ?1 AND created_at < ?2 {teams} ORDER BY created_at DESC",
    ),
    "survey_response_rate": TicketQuery(
        "got a survey nobody answered",
        "SELECT t.id, t.subject, t.team, 'unanswered ' || upper(s.kind) || ' survey', s.sent_at "
        "FROM surveys s CROSS JOIN tickets t ON t.id = s.ticket_id "
        "WHERE s.sent_at >= ?1 AND s.sent_at < ?2 AND s.responded_at IS NULL {teams} ORDER BY s.sent_at DESC",
    ),
}


def ticket_rows(
    db: sqlite_utils.Database,
    metric: str,
    teams: tuple[str, ...],
    start: str,
    end: str,
    limit: int = 10,
    offset: int = 0,
    products: tuple[str, ...] = (),
    channels: tuple[str, ...] = (),
) -> tuple[list[dict], int] | None:
    """(rows, how many tickets in all) behind `metric` for `teams` in ISO weeks start..end, of the
    products and channels named (all when none); None when the metric is not about tickets
    (retention, time to value)."""
    query = QUERIES.get(metric)
    if query is None:
        return None
    prefix = "t." if " t ON " in query.sql else ""
    params: list = [format_time(week_start(start)), format_time(week_end(end))]
    filters = []
    for column, values in (("team", teams), ("product", products), ("channel", channels)):
        if values:
            marks = ",".join(f"?{len(params) + i + 1}" for i in range(len(values)))
            filters.append(f"AND {prefix}{column} IN ({marks})")
            params += list(values)
    sql = query.sql.replace("{teams}", " ".join(filters))
    total = db.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]
    rows = db.execute(f"{sql} LIMIT {int(limit)} OFFSET {int(offset)}", params).fetchall()
    keys = ("id", "subject", "team", "detail")
    return [dict(zip(keys, row[:4], strict=True)) for row in rows], total


def why_counted(metric: str) -> str:
    query = QUERIES.get(metric)
    return query.why if query else ""
