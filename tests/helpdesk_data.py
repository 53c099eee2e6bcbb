"""One helpdesk account as plain facts, loaded into a stand-in as that API returns it, and written as the
generic CSVs a lead would import: the same data through two doors, so the metrics can be compared.

The CSV mapping here is written out by hand from the documented field meanings, on purpose apart
from the sync's own mapping code: if either misreads a field, the metrics differ.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

from helpdesk_stubs import FreshdeskStub, ZendeskStub, iso

DAY = 86400
START = 1_790_000_000 - 1_790_000_000 % (7 * DAY) + 4 * DAY  # a Monday, 00:00 UTC (2026-09-21)
GROUPS = {360001: "Billing", 360002: "Technical"}
AGENTS = (7001, 7002, 7003)


@dataclass
class Fact:
    id: int
    group: int | None
    created: int
    status: str  # new | open | pending | hold | solved | closed
    updated: int
    first_reply_minutes: float | None = None
    solved: int | None = None
    replies: int = 0
    reopens: int = 0
    priority: str | None = None
    type: str | None = None
    tags: list[str] = field(default_factory=list)
    channel: str = "email"
    requester: int = 0
    assignee: int | None = None
    subject: str = ""
    description: str = ""
    agent_comments: list[str] = field(default_factory=list)
    rating: str | None = None  # offered | good | bad
    rated_at: int | None = None
    sla: str | None = None  # met | breached
    deleted: bool = False


def make_account(count: int = 40, seed: int = 3) -> list[Fact]:
    rng = random.Random(seed)
    facts = []
    for i in range(count):
        created = START + rng.randrange(0, 35 * DAY)
        status = rng.choice(("solved", "solved", "closed", "open", "pending", "hold", "new"))
        fact = Fact(
            id=1000 + i,
            group=rng.choice((360001, 360002, 360002, None)),
            created=created,
            status=status,
            updated=created,
            priority=rng.choice(("low", "normal", "high", "urgent", None)),
            type=rng.choice(("question", "incident", "problem", None)),
            tags=rng.sample(["vip", "refund", "sso", "api"], rng.randrange(0, 3)),
            channel=rng.choice(("email", "web", "chat", "voice")),
            requester=9000 + rng.randrange(0, 15),
            assignee=rng.choice((*AGENTS, None)),
            subject=f"Problem number {i} with {rng.choice(('invoices', 'login', 'exports'))}",
            description=f"Customer writes about problem {i}: it fails every time.",
        )
        if status != "new":
            fact.first_reply_minutes = float(rng.choice((12, 45, 300, 1700, 3000)))
            fact.replies = rng.randrange(1, 5)
        if status in ("solved", "closed"):
            fact.solved = created + rng.randrange(2 * 3600, 9 * DAY)
            fact.updated = fact.solved + 600
            fact.reopens = rng.choice((0, 0, 0, 1))
            fact.agent_comments = [f"Looked into {i}.", f"Fixed {i}: cleared the cache and re-sent the invoice."]
            fact.rating = rng.choice((None, "offered", "good", "good", "bad"))
            fact.rated_at = fact.solved + rng.randrange(3600, 2 * DAY) if fact.rating else None
            fact.sla = rng.choice((None, "met", "met", "breached"))
        facts.append(fact)
    return facts


# --- Zendesk -----------------------------------------------------------------------------------


def load_zendesk(stub: ZendeskStub, facts: list[Fact]) -> None:
    stub.groups = [{"id": gid, "name": name} for gid, name in GROUPS.items()]
    stub.users = {a: {"id": a, "role": "agent", "name": f"Agent {a}"} for a in AGENTS}
    stub.tickets, stub.metric_sets, stub.comments, stub.ratings, stub.metric_events = {}, {}, {}, [], []
    for fact in facts:
        stub.users.setdefault(fact.requester, {"id": fact.requester, "role": "end-user"})
        stub.tickets[fact.id] = {
            "id": fact.id,
            "url": f"{stub.url}/api/v2/tickets/{fact.id}.json",
            "created_at": iso(fact.created),
            "updated_at": iso(fact.updated),
            "status": "deleted" if fact.deleted else fact.status,
            "group_id": fact.group,
            "via": {"channel": {"voice": "voice"}.get(fact.channel, fact.channel), "source": {}},
            "subject": fact.subject,
            "raw_subject": fact.subject,
            "description": fact.description,
            "priority": fact.priority,
            "type": fact.type,
            "tags": fact.tags,
            "requester_id": fact.requester,
            "assignee_id": fact.assignee,
            "generated_timestamp": fact.updated,
        }
        reply = fact.first_reply_minutes
        stub.metric_sets[fact.id] = {
            "id": 50000 + fact.id,
            "ticket_id": fact.id,
            "reopens": fact.reopens,
            "replies": fact.replies,
            "reply_time_in_minutes": {"calendar": reply, "business": reply},
            "solved_at": iso(fact.solved) if fact.solved else None,
            "group_stations": 1,
            "assignee_stations": 1,
        }
        comments = [_zendesk_comment(fact.id * 10, fact.requester, fact.description, fact.created)]
        author = fact.assignee or AGENTS[0]
        comments += [
            _zendesk_comment(fact.id * 10 + n + 1, author, body, fact.created + 3600 * (n + 1))
            for n, body in enumerate(fact.agent_comments)
        ]
        comments.insert(
            1, {**_zendesk_comment(fact.id * 10 + 9, author, "internal note", fact.created), "public": False}
        )
        stub.comments[fact.id] = comments
        if fact.rating:
            stub.ratings.append(
                {
                    "id": 80000 + fact.id,
                    "ticket_id": fact.id,
                    "requester_id": fact.requester,
                    "assignee_id": fact.assignee,
                    "group_id": fact.group,
                    "score": fact.rating,
                    "comment": "Thanks!" if fact.rating == "good" else None,
                    "created_at": iso(fact.solved or fact.created),
                    "updated_at": iso(fact.rated_at or fact.solved or fact.created),
                }
            )
        if fact.sla:
            at = fact.created
            stub.metric_events.append(_event(fact.id, 1, "apply_sla", at))
            if fact.sla == "breached":
                stub.metric_events.append(_event(fact.id, 2, "breach", at + 4 * 3600))


def _zendesk_comment(cid: int, author: int, body: str, at: int) -> dict:
    return {"id": cid, "type": "Comment", "author_id": author, "body": body, "plain_body": body, "public": True,
            "created_at": iso(at)}  # fmt: skip


def _event(ticket: int, n: int, kind: str, at: int) -> dict:
    return {"id": ticket * 100 + n, "ticket_id": ticket, "metric": "reply_time", "instance_id": 1, "type": kind,
            "time": iso(at), "deleted": False}  # fmt: skip


def write_zendesk_csvs(facts: list[Fact], folder: Path) -> tuple[Path, Path]:
    """The generic CSV shapes (README), filled from the facts by the documented meaning of each field."""
    tickets, surveys = folder / "tickets.csv", folder / "surveys.csv"
    live = [f for f in facts if not f.deleted]
    with tickets.open("w", newline="") as out:
        w = csv.writer(out)
        w.writerow(["id", "created_at", "first_reply_at", "solved_at", "status", "team", "channel", "subject",
                    "description", "resolution", "customer_id", "agent_id", "contacts", "reopens", "priority",
                    "type", "tags", "sla_breached"])  # fmt: skip
        for f in live:
            first = iso(f.created + int(f.first_reply_minutes * 60)) if f.first_reply_minutes is not None else ""
            w.writerow([
                f.id, iso(f.created), first, iso(f.solved) if f.solved else "",
                {"hold": "on-hold"}.get(f.status, f.status), GROUPS.get(f.group, "Unassigned"),
                {"voice": "phone"}.get(f.channel, f.channel), f.subject, f.description,
                f.agent_comments[-1] if f.solved and f.agent_comments else "", f.requester, f.assignee or "",
                f.replies, f.reopens, f.priority or "", f.type or "", " ".join(f.tags),
                {"met": 0, "breached": 1}.get(f.sla or "", ""),
            ])  # fmt: skip
    with surveys.open("w", newline="") as out:
        w = csv.writer(out)
        w.writerow(["id", "ticket_id", "customer_id", "kind", "sent_at", "responded_at", "score"])
        for f in live:
            if f.rating:
                answered = f.rating in ("good", "bad")
                w.writerow([f"zendesk-csat-{f.id}", f.id, f.requester, "csat", iso(f.solved or f.created),
                            iso(f.rated_at) if answered else "", {"good": 5, "bad": 1}.get(f.rating, "")])  # fmt: skip
    return tickets, surveys


# --- Freshdesk ---------------------------------------------------------------------------------

FD_STATUS = {"new": 2, "open": 2, "pending": 3, "hold": 7, "solved": 4, "closed": 5}
FD_PRIORITY = {"low": 1, "normal": 2, "high": 3, "urgent": 4, None: 1}
FD_SOURCE = {"email": 1, "web": 2, "voice": 3, "chat": 7}
FD_HAPPINESS = {"good": 103, "bad": -103}


def load_freshdesk(stub: FreshdeskStub, facts: list[Fact]) -> None:
    stub.groups = [{"id": gid, "name": name} for gid, name in GROUPS.items()]
    stub.tickets, stub.conversations, stub.ratings = {}, {}, []
    for f in facts:
        first = f.created + int(f.first_reply_minutes * 60) if f.first_reply_minutes is not None else None
        fr_due, due = f.created + 8 * 3600, f.created + 5 * DAY
        stub.tickets[f.id] = {
            "id": f.id,
            "subject": f.subject,
            "description": f"<div>{f.description}</div>",
            "description_text": f.description,
            "status": FD_STATUS[f.status],
            "priority": FD_PRIORITY[f.priority],
            "source": FD_SOURCE[f.channel],
            "type": f.type.capitalize() if f.type else None,
            "tags": f.tags,
            "group_id": f.group,
            "requester_id": f.requester,
            "responder_id": f.assignee,
            "created_at": iso(f.created),
            "updated_at": iso(f.updated),
            "fr_due_by": iso(fr_due),
            "due_by": iso(due),
            "fr_escalated": bool(first and first > fr_due),
            "is_escalated": bool(f.solved and f.solved > due),
            "deleted": f.deleted,
            "stats": {
                "first_responded_at": iso(first) if first else None,
                "resolved_at": iso(f.solved) if f.solved and f.status == "solved" else None,
                "closed_at": iso(f.solved) if f.solved and f.status == "closed" else None,
                "reopened_at": iso(f.created + 3600) if f.reopens else None,
            },
        }
        author = f.assignee or AGENTS[0]
        conversations = [
            {
                "id": f.id * 10,
                "body_text": "Any news?",
                "incoming": True,
                "private": False,
                "user_id": f.requester,
                "created_at": iso(f.created + 60),
            },  # fmt: skip
            {
                "id": f.id * 10 + 1,
                "body_text": "internal note",
                "incoming": False,
                "private": True,
                "user_id": author,
                "created_at": iso(f.created + 120),
            },  # fmt: skip
        ]
        conversations += [
            {
                "id": f.id * 10 + 2 + n,
                "body_text": body,
                "incoming": False,
                "private": False,
                "user_id": author,
                "created_at": iso(f.created + 3600 * (n + 1)),
            }  # fmt: skip
            for n, body in enumerate(f.agent_comments)
        ]
        stub.conversations[f.id] = conversations
        if f.rating in FD_HAPPINESS:
            stub.ratings.append(
                {
                    "id": 90000 + f.id,
                    "survey_id": 1,
                    "user_id": f.requester,
                    "agent_id": f.assignee,
                    "group_id": f.group,
                    "ticket_id": f.id,
                    "feedback": "",
                    "ratings": {"default_question": FD_HAPPINESS[f.rating]},
                    "created_at": iso(f.rated_at),
                    "updated_at": iso(f.rated_at),
                }  # fmt: skip
            )


def write_freshdesk_csvs(facts: list[Fact], folder: Path) -> tuple[Path, Path]:
    tickets, surveys = folder / "tickets.csv", folder / "surveys.csv"
    live = [f for f in facts if not f.deleted]
    with tickets.open("w", newline="") as out:
        w = csv.writer(out)
        w.writerow(["id", "created_at", "first_reply_at", "solved_at", "status", "team", "channel", "subject",
                    "description", "resolution", "customer_id", "agent_id", "contacts", "reopens", "priority",
                    "type", "tags", "sla_breached"])  # fmt: skip
        for f in live:
            first = f.created + int(f.first_reply_minutes * 60) if f.first_reply_minutes is not None else None
            late = (first is not None and first > f.created + 8 * 3600) or (f.solved and f.solved > f.created + 5 * DAY)
            status = {"new": "open", "hold": "on-hold"}.get(f.status, f.status)
            w.writerow([
                f.id, iso(f.created), iso(first) if first else "", iso(f.solved) if f.solved else "", status,
                GROUPS.get(f.group, "Unassigned"), {"voice": "phone"}.get(f.channel, f.channel), f.subject,
                f.description, f.agent_comments[-1] if f.solved else "", f.requester, f.assignee or "",
                len(f.agent_comments) if f.solved else "", 1 if f.reopens else 0,
                {"normal": "medium", None: "low"}.get(f.priority, f.priority), f.type or "", ",".join(f.tags),
                1 if late else (0 if f.solved else ""),
            ])  # fmt: skip
    with surveys.open("w", newline="") as out:
        w = csv.writer(out)
        w.writerow(["id", "ticket_id", "customer_id", "kind", "sent_at", "responded_at", "score"])
        for f in live:
            if f.rating in FD_HAPPINESS:
                w.writerow([f"freshdesk-csat-{f.id}", f.id, f.requester, "csat", iso(f.rated_at), iso(f.rated_at),
                            {"good": 5, "bad": 1}[f.rating]])  # fmt: skip
    return tickets, surveys
