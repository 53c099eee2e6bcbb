"""The demo's tickets: what happened on each one, from creation to solved, week by week.

Operational facts (contacts, reopens, waits, escalations) are drawn first; the survey scores
in `demo_surveys` are then computed from them, so the drivers a later analysis finds are the
true ones. The planted stories enter only through `demo_plan`'s functions of the week.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate

from smartstep.demo import plan
from smartstep.demo.catalogue import BILLING, TECHNICAL, Problem
from smartstep.demo.catalogue_accounts import ENTERPRISE, ONBOARDING
from smartstep.demo.customers import Customer, CustomerPools
from smartstep.demo.text import resolution_text, ticket_text

PROBLEMS: dict[str, tuple[Problem, ...]] = {
    "Billing": BILLING,
    "Technical": TECHNICAL,
    "Onboarding": ONBOARDING,
    "Enterprise": ENTERPRISE,
}
CHANNELS = ("email", "chat", "web", "phone", "self-service")
_CHANNEL_MIX = {
    "Billing": (0.42, 0.2, 0.2, 0.1, 0.08),
    "Technical": (0.34, 0.15, 0.33, 0.05, 0.13),
    "Onboarding": (0.4, 0.25, 0.15, 0.15, 0.05),
    "Enterprise": (0.55, 0.05, 0.12, 0.28, 0.0),
}
_AGENTS = {"Billing": (1, 12), "Technical": (13, 32), "Onboarding": (33, 42), "Enterprise": (43, 50)}
_EXTRA_CONTACTS = {"Billing": 0.45, "Technical": 0.6, "Onboarding": 0.6, "Enterprise": 0.8}
_CHANNEL_CONTACTS = {"email": 0.15, "chat": -0.15, "web": 0.1, "phone": -0.2, "self-service": 0.1}
_REPLY_HOURS = {"email": 3.0, "chat": 0.04, "web": 4.0, "phone": 0.01, "self-service": 6.0}
_WORK_HOURS = {"Billing": 9.0, "Technical": 16.0, "Onboarding": 12.0, "Enterprise": 14.0}
_HANDLE_MIN = {"email": 9.0, "chat": 11.0, "web": 9.0, "phone": 14.0, "self-service": 7.0}
_DEPT_WAIT_DAYS = {"billing-ops": 1.5, "product": 4.0}
HOUR = timedelta(hours=1)
_DAY_CUM = tuple(accumulate((1.25, 1.2, 1.15, 1.1, 1.0, 0.35, 0.3)))
_HOUR_CUM = tuple(accumulate(0.3 + 2.0 * math.exp(-(((h - 13) / 4.0) ** 2)) for h in range(24)))
_CHANNEL_CUM = {team: tuple(accumulate(mix)) for team, mix in _CHANNEL_MIX.items()}


@dataclass
class Ticket:
    id: str
    team: str
    problem: Problem
    channel: str
    index: int
    created: datetime
    customer: Customer
    agent: str | None = None
    first_reply: datetime | None = None
    solved: datetime | None = None
    contacts: int = 0
    transfers: int = 0
    reopens: int = 0
    handle: float = 0.0
    escalated_to: str | None = None
    escalated_at: datetime | None = None
    returned_at: datetime | None = None
    subject: str = ""
    description: str = ""
    resolution: str | None = None

    @property
    def solved_by_snapshot(self) -> bool:
        return self.solved is not None and self.solved <= plan.SNAPSHOT

    def record(self) -> dict[str, object]:
        """The tickets CSV row, as the helpdesk would have exported it at the snapshot."""
        return _record(self)


def _lognormal(r: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(r.gauss(0.0, sigma))


def _poisson(r: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    limit, k, p = math.exp(-lam), 0, r.random()
    while p > limit:
        k += 1
        p *= r.random()
    return k


def build_tickets(r: random.Random, customers: list[Customer], scale: float) -> list[Ticket]:
    """Every ticket of the 104 weeks, in creation order per team and week."""
    pools = CustomerPools(customers)
    tickets: list[Ticket] = []
    for index in range(plan.WEEKS):
        monday = plan.START + timedelta(weeks=index)
        for team in plan.TEAMS:
            problems = [p for p in PROBLEMS[team] if p.weight > 0]
            weights = [p.weight for p in problems]
            lam = plan.weekly_volume(team, index) * scale * math.exp(r.gauss(0, 0.05))
            count = max(0, round(r.gauss(lam, math.sqrt(lam))))
            drawn = r.choices(problems, weights, k=count)
            if team == "Billing":
                repeated = next(p for p in BILLING if p.key == "invoice_pdf_blank")
                drawn += [repeated] * plan.repeated_problem_count(index)
            for k, problem in enumerate(drawn):
                # The last week must reach its Sunday, or "now" would be the week before.
                created = _creation_time(r, monday, 6 if index == plan.WEEKS - 1 and k == 0 else None)
                customer = pools.pick(r, team, index, monday + timedelta(days=3))
                tid = f"{plan.ID_PREFIX}T{len(tickets) + 1:06d}"
                tickets.append(make_ticket(r, tid, problem, created, index, customer))
    _queue(tickets, scale)
    return tickets


def _queue(tickets: list[Ticket], scale: float) -> None:
    """Teams with a capacity work tickets first come, first served; a ticket that arrives while
    the team is busy waits, and everything after its creation moves later by that wait."""
    free: dict[str, datetime] = {}
    for t in sorted((t for t in tickets if t.agent is not None), key=lambda t: t.created):
        weekly = plan.weekly_capacity(t.team, t.index)
        if weekly is None:
            continue
        start = max(t.created, free.get(t.team, t.created))
        free[t.team] = start + timedelta(days=7 / (weekly * scale))
        wait = start - t.created
        if wait > timedelta(0):
            t.first_reply = t.first_reply + wait * 0.15 if t.first_reply else None
            t.solved = t.solved + wait if t.solved else None
            if t.escalated_at is not None:
                t.escalated_at, t.returned_at = t.escalated_at + wait, t.returned_at + wait


def _creation_time(r: random.Random, monday: datetime, day: int | None = None) -> datetime:
    if day is None:
        day = r.choices(range(7), cum_weights=_DAY_CUM)[0]
    hour = r.choices(range(24), cum_weights=_HOUR_CUM)[0]
    return monday + timedelta(days=day, hours=hour, seconds=int(r.random() * 3600))


def make_ticket(r: random.Random, tid: str, problem: Problem, created: datetime, index: int, c: Customer) -> Ticket:
    """One ticket's life: contacts, waits, escalation, handling, and its words."""
    team = problem.team
    channel = r.choices(CHANNELS, cum_weights=_CHANNEL_CUM[team])[0]
    t = Ticket(tid, team, problem, channel, index, created, c)
    t.subject, t.description = ticket_text(problem, r, created)
    if channel == "self-service" and problem.kb and r.random() < min(0.9, problem.self_service * 2.5):
        t.solved = created + timedelta(minutes=_lognormal(r, 20, 0.8))
        t.resolution = f"Solved by the customer with {problem.kb} from the help centre; no agent contact."
        return t
    lo, hi = _AGENTS[team]
    t.agent = f"agent-{lo + int(r.random() * (hi - lo + 1)):03d}"
    lam = _EXTRA_CONTACTS[team] + _CHANNEL_CONTACTS[channel] + 0.25 * max(0.0, -c.health)
    t.transfers = _poisson(r, plan.transfers_mean(index)) if team == "Technical" else 0
    t.contacts = 1 + _poisson(r, lam) + t.transfers
    p_reopen = 0.045 + 0.025 * (t.contacts - t.transfers - 1) + 0.03 * max(0.0, -c.health)
    t.reopens = (2 if r.random() < 0.2 else 1) if r.random() < p_reopen else 0
    _times(r, t, index)
    minutes = _lognormal(r, _HANDLE_MIN[channel], 0.5) * t.contacts**0.8 + 8 * t.reopens
    t.handle = round(minutes, 1)
    if r.random() > 0.04 or problem.key == "invoice_pdf_blank":
        t.resolution = resolution_text(problem, r, created)
    return t


def _times(r: random.Random, t: Ticket, index: int) -> None:
    team, created = t.team, t.created
    reply = _lognormal(r, _REPLY_HOURS[t.channel], 0.9) * (0.5 if team == "Enterprise" else 1.0)
    if created.weekday() >= 5 and t.channel in ("email", "web", "self-service") and r.random() < 0.7:
        reply += (7 - created.weekday()) * 24 - created.hour + 8  # waits for Monday morning
    t.first_reply = created + HOUR * reply
    # A transfer is a quick hand-off: it costs the customer effort more than it costs time.
    work = _lognormal(r, _WORK_HOURS[team], 0.9) * (1 + 0.5 * (t.contacts - t.transfers - 1) + 0.15 * t.transfers)
    work += sum(_lognormal(r, 30, 0.6) for _ in range(t.reopens))
    solved = t.first_reply + HOUR * work
    p_escalate = t.problem.escalation * plan.escalation_boost(team, index)
    if t.problem.escalate and r.random() < p_escalate:
        t.escalated_to = t.problem.escalate
        t.escalated_at = t.first_reply + HOUR * _lognormal(r, 4, 0.8)
        median = _DEPT_WAIT_DAYS.get(t.escalated_to) or plan.engineering_wait_days(team, index)
        t.returned_at = t.escalated_at + timedelta(days=_lognormal(r, median, 0.45))
        solved = max(solved, t.returned_at + HOUR * _lognormal(r, 5, 0.8))
    t.solved = solved


def _record(t: Ticket) -> dict[str, object]:
    snap = plan.SNAPSHOT
    solved = t.solved_by_snapshot
    escalated = t.escalated_at is not None and t.escalated_at <= snap
    if solved:
        status = "closed" if t.solved < snap - timedelta(days=4) and t.id[-1] in "0123456" else "solved"
    elif escalated and (t.returned_at is None or t.returned_at > snap):
        status = "on-hold"
    elif t.first_reply is None or t.first_reply > snap:
        status = "new"
    else:
        status = "pending" if t.id[-1] in "02468" else "open"
    return {
        "id": t.id,
        "created_at": plan.stamp(t.created),
        "first_reply_at": _at(t.first_reply),
        "solved_at": _at(t.solved) if solved else None,
        "status": status,
        "team": t.team,
        "channel": t.channel,
        "product": t.problem.product,
        "subject": t.subject,
        "description": t.description,
        "resolution": t.resolution if solved else None,
        "customer_id": t.customer.id,
        "agent_id": t.agent,
        "contacts": t.contacts if solved else min(t.contacts, 1),
        "reopens": t.reopens if solved else 0,
        "handle_minutes": t.handle if solved else None,
        "escalated_to": t.escalated_to if escalated else None,
        "escalated_at": _at(t.escalated_at) if escalated else None,
        "returned_at": _at(t.returned_at) if escalated else None,
    }


def _at(moment: datetime | None) -> str | None:
    return None if moment is None or moment > plan.SNAPSHOT else plan.stamp(moment)
