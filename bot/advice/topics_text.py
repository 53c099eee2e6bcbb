"""Topics in words, for every surface: one line per topic with the numbers behind it and its tickets.

`Style` (shared with the similar-case reply) decides the markup: plain for the terminal, Slack's
mrkdwn with every customer-written text escaped and ticket ids linked to the helpdesk when
SMARTSTEP_TICKET_URL is set. Topics are about problems and customers: no agent is ever named.
"""

from __future__ import annotations

from collections.abc import Sequence

from smartstep.advice.emerging import ACCOUNT, EMERGING, FEW_CUSTOMERS
from smartstep.advice.topics import Score, Topic, TopicReport
from smartstep.knowledge.replies import PLAIN, Style

TICKETS_SHOWN = 5


def ticket_refs(ids: Sequence[str], style: Style, limit: int = TICKETS_SHOWN) -> str:
    """`T-1, T-2, T-3 (+4 more)`: links in Slack, ids in the terminal."""
    ref = style.ref or style.escape
    shown = ", ".join(ref(i) for i in ids[:limit])
    return shown + (f" (+{len(ids) - limit} more)" if len(ids) > limit else "")


def growth_line(topic: Topic, style: Style = PLAIN, weeks: int = 2) -> str:
    """ "Billing: “Export to CSV times out”: 23 tickets from 20 customers in the last 2 weeks (new; usual
    0.3 a week) · tickets T-1, T-2" for an emerging topic; the account's share for an account problem."""
    g = topic.growth
    label = style.bold(f"“{style.escape(topic.label)}”")
    team = style.escape(topic.team)
    usual = "new" if g.new else f"usual {g.usual_per_week:g} a week"
    if g.status == ACCOUNT:
        who = style.escape(g.top_customer or "one customer")
        head = (
            f"{team}: {label}: account problem, customer {who} filed {g.top_customer_tickets} of the "
            f"{g.recent_tickets} tickets in the last {weeks} weeks ({usual})"
        )
    else:
        head = (
            f"{team}: {label}: {g.recent_tickets} tickets from {g.recent_customers} customers in the last {weeks} weeks"
        )
        head += f" ({usual}" + (f", {g.growth:.1f}x" if g.growth else "") + ")"
    return f"{head} · tickets {ticket_refs(topic.recent_ids or topic.ticket_ids, style)}"


def _score(name: str, score: Score, unit: str) -> str | None:
    if score.value is None:
        return f"{name} too few answers ({score.n})" if score.n else None
    return f"{name} {score.value:.1f}{unit}" if unit != "%" else f"{name} {score.value:.0f}%"


def topic_line(rank: int, topic: Topic, style: Style = PLAIN) -> str:
    """One topic of the top contact reasons: size, customers, scores where there are enough answers, trend."""
    parts = [f"{topic.tickets} tickets", f"{topic.customers} customers"]
    parts += [
        p
        for p in (
            _score("CSAT", topic.csat, "%"),
            _score("CES", topic.ces, "/7"),
            _score("Time to Smile", topic.time_to_smile_days, " d"),
        )
        if p
    ]
    trend = " ".join(str(w.tickets) for w in topic.weekly)
    mark = {EMERGING: " (new or growing)", ACCOUNT: " (account problem)", FEW_CUSTOMERS: " (growing, few customers)"}
    label = style.bold(f"“{style.escape(topic.label)}”")
    return (
        f"{rank}. {style.escape(topic.team)}: {label}{mark.get(topic.growth.status, '')} — {', '.join(parts)}"
        f"\n   weekly: {trend} · tickets {ticket_refs(topic.ticket_ids, style)}"
    )


def topics_text(report: TopicReport, shown: Sequence[Topic], style: Style = PLAIN) -> str:
    """The whole listing: new or growing, account problems, then the top topics per team."""
    weeks, recent = len(report.weeks), report.thresholds.recent_weeks
    lines = [style.bold(f"Topics of the last {weeks} weeks to {report.period}")]
    emerging = [t for t in shown if t.emerging]
    accounts = [t for t in shown if t.growth.status == ACCOUNT]
    lines.append(style.bold("New or growing"))
    lines += [f"• {growth_line(t, style, recent)}" for t in emerging] or ["• nothing new or growing beyond noise"]
    if accounts:
        lines.append(style.bold("Account problems (one customer, not a trend)"))
        lines += [f"• {growth_line(t, style, recent)}" for t in accounts]
    lines.append(style.bold("Top contact reasons"))
    rest = [t for t in shown if t not in emerging and t not in accounts]
    fewest = report.thresholds.min_topic_tickets
    lines += [topic_line(i, t, style) for i, t in enumerate(rest, 1)] or [f"No topic has {fewest} or more tickets yet."]
    return "\n".join(lines)
