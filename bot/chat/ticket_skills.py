"""Skills that answer with tickets: the tickets behind a number, and problems solved again and
again without a knowledge article (the repeated-problem finder), each ticket linked to the
helpdesk when SMARTSTEP_TICKET_URL is set."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from smartstep.advice.repeats import WEEKS as REPEAT_WEEKS
from smartstep.advice.repeats import find_repeated_problems
from smartstep.chat.conversation import Answer, ConversationState, Frame, Skill
from smartstep.chat.figures import short
from smartstep.chat.movement import read_change, usual
from smartstep.chat.tickets import ticket_rows, why_counted
from smartstep.definitions import load_definitions
from smartstep.metrics.reader import current_period, load_history
from smartstep.weeks import shift_week

PAGE = 10
REPEAT_MIN = 5  # as in the digest: a problem solved by hand this often is worth an article


def ticket_ref(ticket_id: str) -> str:
    """A ticket in an answer's text: its id, as code. An answer lists the ids it shows in `tickets`;
    Slack turns those into links to the helpdesk (SMARTSTEP_TICKET_URL) after escaping the text."""
    return f"`{ticket_id}`"


def repeated_problems(db: sqlite_utils.Database, period: str) -> dict:
    """`find_repeated_problems`, kept while the tickets are unchanged (it clusters weeks of tickets)."""
    from smartstep.advice.pipeline import cached_on_data

    return cached_on_data(db, ("chat-repeats", period), lambda: find_repeated_problems(db, period))


def repeated_skill(db: sqlite_utils.Database, as_of: datetime | None) -> Skill:
    def repeated(frame: Frame, state: ConversationState) -> Answer:
        period = current_period(db, as_of)
        if period is None:
            return Answer("repeated", "There is no data yet: import some with `smartstep import`.", frame=frame)
        found = repeated_problems(db, period)
        teams = frame.teams or tuple(sorted(found))
        groups = sorted((found[t] for t in teams if t in found), key=lambda p: -p.tickets)
        big = [p for p in groups if p.tickets >= REPEAT_MIN]
        head = f"*Problems solved by hand again and again, last {REPEAT_WEEKS} weeks to {period}*"
        lines = [head]
        for p in big:
            lines.append(f"• *{p.team}*: “{p.label}” — {p.tickets} tickets resolved without citing an article")
        quiet = [t for t in teams if t not in {p.team for p in big}]
        if quiet:
            lines.append(f"No problem repeats {REPEAT_MIN}+ times without an article for: {', '.join(quiet)}.")
        if big:
            lines.append(
                "A short article for each would let customers (and agents) solve it in one go. "
                'Ask "show the tickets" for them.'
            )
        items = tuple({"team": p.team, "label": p.label, "tickets": p.tickets} for p in big)
        basis = (
            f"Solved tickets of the last {REPEAT_WEEKS} weeks grouped by likeness of subject and resolution; a group "
            "counts when at least 80% of its resolutions cite no knowledge article."
        )
        return Answer("repeated", "\n".join(lines), data=list(items), frame=frame, items=items, basis=basis)

    return repeated


def tickets_skill(db: sqlite_utils.Database, as_of: datetime | None) -> Skill:
    def tickets(frame: Frame, state: ConversationState) -> Answer:
        offset = state.shown if frame.action == "more" else 0
        if state.kind == "topics" and not frame.metrics and state.items:
            return _topic_tickets(frame, state)
        behind = _emerging_step(db, state, as_of)
        if behind is not None and not frame.metrics:
            return _topic_tickets(frame, ConversationState(items=[behind]))
        if frame.action == "choice" and frame.ordinal and 0 < frame.ordinal <= len(state.items):
            return _detail(db, state.items[frame.ordinal - 1].get("id"), frame)
        if state.kind == "repeated" and not frame.metrics and state.items:
            return _repeated_tickets(db, frame, state)
        if not frame.metrics:
            team = frame.teams[0] if frame.teams else "Billing"
            options = (
                f"show the tickets behind {team}'s CSAT",
                f"oldest open tickets for {team}",
                f"reopened tickets for {team}",
            )
            text = "Which tickets do you mean?\n" + "\n".join(f"{i}. _{o}_" for i, o in enumerate(options, start=1))
            return Answer("clarify", text, options=options, frame=frame.but(intent="clarify", wants="tickets"))
        metric = frame.metrics[0]
        now = current_period(db, as_of)
        if now is None:
            return Answer("tickets", "There is no data yet: import some with `smartstep import`.", frame=frame)
        period = frame.period
        start, end = (period.start, period.end) if period else (now, now)
        teams, note = frame.teams, ""
        if not teams:
            teams = _where_worse(db, metric, now)
            note = f"{short(metric)} got worse for {', '.join(teams)}; " if teams else ""
        found = ticket_rows(db, metric, teams, start, end, PAGE, offset, frame.products, frame.channels)
        if found is None:
            name = load_definitions().get(metric).name
            return Answer(
                "tickets", f"{name} is about customers, not tickets, so no tickets sit behind it.", frame=frame
            )
        rows, total = found
        if not total and period is None:
            start = shift_week(now, -3)
            rows, total = ticket_rows(db, metric, teams, start, end, PAGE, offset, frame.products, frame.channels) or (
                [],
                0,
            )
        when = f"week {end}" if start == end else f"{start} to {end}"
        who = (", ".join(teams) if teams else "all teams") + "".join(
            f", {' / '.join(values)}" for values in (frame.products, frame.channels) if values
        )
        if not rows:
            more = "more " if offset else ""
            return Answer("tickets", f"No {more}tickets {why_counted(metric)} for {who} in {when}.", frame=frame)
        lines = [f"*{note}{total} tickets {why_counted(metric)} — {who}, {when}*"]
        lines += [
            f"• {ticket_ref(r['id'])} {r['subject'] or '(no subject)'} — {r['team']}, {r['detail']}" for r in rows
        ]
        if offset + len(rows) < total:
            lines.append(f'Showing {offset + 1}–{offset + len(rows)} of {total}; say "more" for the next ones.')
        ids = tuple(str(r["id"]) for r in rows)
        return Answer("tickets", "\n".join(lines), data=rows, frame=frame, items=tuple(rows), tickets=ids)

    return tickets


def _where_worse(db: sqlite_utils.Database, metric: str, now: str) -> tuple[str, ...]:
    """The teams where `metric` is worse than usual: who "the CES drop" is about."""
    history = load_history(db, metrics=[metric], until=now, weeks=16)
    worse = []
    for team, _ in sorted(history):
        recent, before = usual(history, team, metric, now)
        if recent is not None and before is not None and read_change(recent, before, metric).good is False:
            worse.append(team)
    return tuple(worse)


def _emerging_step(db: sqlite_utils.Database, state: ConversationState, as_of: datetime | None) -> dict | None:
    """The topic behind the step in focus when it is an emerging-topic step: its evidence is tickets."""
    advice = state.advice
    step = advice[state.focus or 0] if advice and 0 <= (state.focus or 0) < len(advice) else None
    if step is None or not str(step.get("rule_id", "")).startswith("emerging."):
        return None
    from smartstep.advice.pipeline import cached_on_data
    from smartstep.advice.topics import load_topics

    report = cached_on_data(db, ("chat-topics", as_of), lambda: load_topics(db, as_of=as_of))
    topic = next((t for t in report.emerging() if t.team == step.get("team")), None)
    if topic is None:
        return None
    return {"team": topic.team, "label": topic.label, "ticket_ids": list(topic.recent_ids)}


def _topic_tickets(frame: Frame, state: ConversationState) -> Answer:
    """ "show me the tickets behind it" after topics: the tickets of the topic asked about (or the first two)."""
    chosen = [i for i in state.items if not frame.teams or i.get("team") in frame.teams] or state.items[:1]
    if frame.ordinal and 0 < frame.ordinal <= len(state.items):
        chosen = [state.items[frame.ordinal - 1]]
    lines, rows = [], []
    for topic in chosen[:2]:
        ids = [str(i) for i in topic.get("ticket_ids") or []]
        lines.append(f"*{topic['team']}: tickets about “{topic['label']}”*")
        more = f" (+{len(ids) - PAGE * 2} more)" if len(ids) > PAGE * 2 else ""
        lines.append(", ".join(ticket_ref(i) for i in ids[: PAGE * 2]) + more)
        rows += [{"id": i, "team": topic["team"], "topic": topic["label"]} for i in ids]
    shown = tuple(str(r["id"]) for r in rows)
    return Answer("tickets", "\n".join(lines), data=rows, frame=frame, items=tuple(rows), tickets=shown)


def _repeated_tickets(db: sqlite_utils.Database, frame: Frame, state: ConversationState) -> Answer:
    from smartstep.knowledge import find_similar

    groups = [i for i in state.items if not frame.teams or i.get("team") in frame.teams] or state.items[:1]
    lines, rows = [], []
    for group in groups[:2]:
        cases = find_similar(db, str(group["label"]), k=PAGE, team=str(group["team"]))
        lines.append(f"*{group['team']}: tickets like “{group['label']}”*")
        for case in cases:
            lines.append(f"• {ticket_ref(case.id)} {case.title} — solved {case.solved_at[:10]}")
            rows.append(
                {"id": case.id, "subject": case.title, "team": case.team, "detail": f"solved {case.solved_at[:10]}"}
            )
    ids = tuple(str(r["id"]) for r in rows)
    return Answer("tickets", "\n".join(lines), data=rows, frame=frame, items=tuple(rows), tickets=ids)


def _detail(db: sqlite_utils.Database, ticket_id: str | None, frame: Frame) -> Answer:
    row = db.execute(
        "SELECT id, subject, team, status, created_at, solved_at, description, resolution FROM tickets WHERE id = ?",
        [ticket_id],
    ).fetchone()
    if row is None:
        return Answer("tickets", "That ticket is no longer in smartstep's store.", frame=frame)
    tid, subject, team, status, created, solved, description, resolution = row
    lines = [f"*{subject or '(no subject)'}* — {ticket_ref(tid)}, {team}, {status}, created {str(created)[:10]}"]
    if solved:
        lines[0] += f", solved {str(solved)[:10]}"
    if description:
        lines.append(str(description)[:600])
    if resolution:
        lines.append(f"_Resolution:_ {str(resolution)[:600]}")
    return Answer("tickets", "\n".join(lines), data={"id": tid}, frame=frame, tickets=(str(tid),))
