"""The demo's surveys: who was asked, who answered, and what they said.

Scores follow what happened on the ticket (contacts, reopens, escalation, time to resolve);
channel has no effect of its own, so a driver analysis finds the true drivers. Response
rates follow survey fatigue: every invitation in the previous 30 days makes the next one less
likely to be answered, which is how Billing's decision to survey every ticket backfires.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from collections import defaultdict, deque
from datetime import datetime, timedelta

from smartstep.demo import plan
from smartstep.demo.customers import Customer
from smartstep.demo.tickets import Ticket

_BASE_RESPONSE = {"Billing": 0.36, "Technical": 0.38, "Onboarding": 0.38, "Enterprise": 0.3}
_PACING_DAYS = {"Billing": 30.0, "Technical": 7.0, "Onboarding": 10.0, "Enterprise": 14.0}
_FATIGUE = 0.6  # response odds kept per invitation received in the previous 30 days
_RELATIONSHIP_RESPONSE = 0.2
_SEGMENT_NPS = {"SMB": 0.3, "Mid-market": 0.0, "Enterprise": -0.6}
_COMMENTS = {
    "good": (
        "Quick and friendly, thank you!",
        "Solved on the first try.",
        "Great help from the agent.",
        "All good now, thanks",
        "very helpful",
        "Clear answer, exactly what I needed.",
    ),
    "effort": (
        "Had to explain the problem three times to different people.",
        "Got passed around between teams before anyone could help.",
        "Took too many emails to get this sorted.",
        "Nice people but why did this need 4 calls?",
    ),
    "slow": (
        "Took over a week to fix, we were blocked the whole time.",
        "Waiting on your engineers for days.",
        "Slow. Nobody told us what was happening.",
    ),
    "reopen": ("The fix didn't hold, had to reopen.", "Second time I report this."),
    "fatigue": (
        "Too many surveys.",
        "Please stop sending me a survey after every email.",
        "I already answered this last week.",
    ),
    "meh": ("ok", "Fine.", "It works now."),
}


class SurveyWriter:
    """Collects survey rows with ids in the order they are written."""

    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []

    def add(
        self,
        kind: str,
        sent: datetime,
        ticket: Ticket | None,
        customer: Customer,
        responded: datetime | None,
        score: float | None,
        comment: str | None,
    ) -> None:
        self.rows.append(
            {
                "id": f"{plan.ID_PREFIX}S{len(self.rows) + 1:07d}",
                "ticket_id": ticket.id if ticket else None,
                "customer_id": customer.id,
                "kind": kind,
                "sent_at": plan.stamp(sent),
                "responded_at": plan.stamp(responded) if responded else None,
                "score": score if responded else None,
                "comment": comment if responded else None,
            }
        )


def build_surveys(r: random.Random, tickets: list[Ticket], customers: list[Customer]) -> list[dict[str, object]]:
    """Every invitation and answer, processed in time order so fatigue and pacing are real."""
    events = _ticket_events(r, tickets) + _relationship_events(r, customers)
    events.sort(key=lambda e: (e[0], e[1]))
    history = _badness_history(tickets)
    recent: dict[str, deque[datetime]] = defaultdict(deque)
    last_ticket_survey: dict[str, datetime] = {}
    out = SurveyWriter()
    for sent, _, kind, ticket, customer in events:
        if kind == "ticket" and not _paced_ok(ticket, sent, last_ticket_survey):
            continue
        seen = recent[customer.id]
        while seen and seen[0] < sent - timedelta(days=30):
            seen.popleft()
        team = ticket.team if ticket else customer.team
        base = _RELATIONSHIP_RESPONSE if ticket is None else _BASE_RESPONSE[team]
        p = base * _FATIGUE ** len(seen)
        seen.append(sent)
        responded = sent + timedelta(hours=math.exp(r.gauss(math.log(6), 1.2)))
        answered = r.random() < p and responded <= plan.SNAPSHOT
        if kind == "ticket":
            last_ticket_survey[customer.id] = sent
            _ticket_answers(r, out, ticket, sent, responded if answered else None, len(seen))
        else:
            bad = ticket_badness(ticket) if ticket else _recent_badness(history, customer.id, sent)
            score = nps_score(r, customer, bad)
            out.add(
                "nps",
                sent,
                ticket,
                customer,
                responded if answered else None,
                score,
                _comment(r, "good" if score >= 9 else "meh" if score >= 7 else "slow") if answered else None,
            )
    return out.rows


def _paced_ok(ticket: Ticket, sent: datetime, last: dict[str, datetime]) -> bool:
    if plan.surveys_every_ticket(ticket.team, plan.week_index(sent), ticket.customer.id):
        return True
    previous = last.get(ticket.customer.id)
    return previous is None or sent - previous >= timedelta(days=_PACING_DAYS[ticket.team])


def _ticket_events(r: random.Random, tickets: list[Ticket]) -> list[tuple]:
    events = []
    for t in tickets:
        if not t.solved_by_snapshot or t.contacts == 0:
            continue
        sent = t.solved + timedelta(hours=math.exp(r.gauss(math.log(2), 0.6)))
        if sent <= plan.SNAPSHOT:
            events.append((sent, t.id, "ticket", t, t.customer))
        follow_up = t.solved + timedelta(days=7, hours=r.uniform(0, 6))
        if plan.surveys_every_ticket(t.team, plan.week_index(follow_up), t.customer.id) and follow_up <= plan.SNAPSHOT:
            events.append((follow_up, t.id + "n", "nps", t, t.customer))
    return events


def _relationship_events(r: random.Random, customers: list[Customer]) -> list[tuple]:
    """A quarterly NPS to every live customer, the way most companies run relationship surveys."""
    events = []
    for c in customers:
        sent = c.signed_at + timedelta(days=45 + r.uniform(0, 20))
        while sent <= plan.SNAPSHOT and (c.churned_at is None or sent < c.churned_at):
            if sent >= plan.START:
                events.append((sent, c.id, "nps", None, c))
            sent += timedelta(days=91 + r.uniform(-5, 5))
    return events


def _ticket_answers(
    r: random.Random, out: SurveyWriter, t: Ticket, sent: datetime, responded: datetime | None, invitations: int
) -> None:
    top2 = r.random() < csat_probability(t)
    csat = (5 if r.random() < 0.62 else 4) if top2 else r.choices((3, 2, 1), (0.45, 0.3, 0.25))[0]
    ces = ces_score(r, t)
    comment = None
    if responded is not None and r.random() < 0.25:
        comment = _comment(r, _comment_kind(t, csat, ces, invitations))
    out.add("csat", sent, t, t.customer, responded, float(csat), comment)
    if t.team != "Enterprise" or r.random() < 0.5:
        out.add("ces", sent, t, t.customer, responded, float(ces), None)


def resolution_days(t: Ticket) -> float:
    return max(0.0, (t.solved - t.created).total_seconds() / 86400) if t.solved else 0.0


def csat_probability(t: Ticket) -> float:
    """Chance of a 4-5: customers rate the people and the outcome; transfers they forgive."""
    own_contacts = t.contacts - t.transfers
    days = resolution_days(t)
    latent = (
        2.8 - 0.15 * (own_contacts - 1) - 0.9 * t.reopens - 0.6 * (t.escalated_to is not None) - 0.35 * math.log1p(days)
    )
    return 1 / (1 + math.exp(-latent))


def ces_score(r: random.Random, t: Ticket) -> int:
    """Ease on 1-7: every extra contact, reopen, escalation and day of waiting costs effort."""
    mu = (
        6.3
        - 0.5 * (t.contacts - 1)
        - 0.7 * t.reopens
        - 0.45 * (t.escalated_to is not None)
        - 0.22 * math.log1p(resolution_days(t))
    )
    return min(7, max(1, round(r.gauss(mu, 0.85))))


def ticket_badness(t: Ticket) -> float:
    return 0.5 * max(0, t.contacts - 1) + t.reopens + (t.escalated_to is not None) + 0.1 * resolution_days(t)


def nps_score(r: random.Random, c: Customer, badness: float) -> float:
    latent = 8.1 + _SEGMENT_NPS[c.segment] + 0.5 * min(0.0, c.health) - 0.55 * badness + r.gauss(0, 1.6)
    return float(min(10, max(0, round(latent))))


def _badness_history(tickets: list[Ticket]) -> dict[str, tuple[list[datetime], list[float]]]:
    per: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
    for t in tickets:
        if t.solved_by_snapshot and t.contacts > 0:
            per[t.customer.id].append((t.solved, ticket_badness(t)))
    out = {}
    for cid, items in per.items():
        items.sort(key=lambda x: x[0])
        out[cid] = ([w for w, _ in items], [b for _, b in items])
    return out


def _recent_badness(history: dict, cid: str, when: datetime) -> float:
    """How rough the customer's tickets of the last 90 days were (mean badness, 0 with none)."""
    if cid not in history:
        return 0.0
    times, values = history[cid]
    lo, hi = bisect_left(times, when - timedelta(days=90)), bisect_left(times, when)
    return sum(values[lo:hi]) / (hi - lo) if hi > lo else 0.0


def _comment_kind(t: Ticket, csat: int, ces: int, invitations: int) -> str:
    if invitations >= 3 and csat <= 3:
        return "fatigue"
    if t.reopens:
        return "reopen"
    if t.contacts >= 3 and ces <= 4:
        return "effort"
    if t.escalated_to or resolution_days(t) > 5:
        return "slow"
    return "good" if csat >= 4 else "meh"


def _comment(r: random.Random, kind: str) -> str:
    return r.choice(_COMMENTS[kind])
