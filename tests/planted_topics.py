"""Planted tickets for topics and "new or growing", written without any of the code under test.

A problem is a noun and a fault ("CSV export" + "times out"); customers describe it in one of
several phrasings, with typos now and then, and a body of a few generic sentences around it.
Weekly volumes are Poisson draws from a rate the scenario sets, so the truth (which ticket is
which problem, who filed it, when) is known exactly and the tests compare against it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

NOUNS = (
    "CSV export",
    "invoice PDF",
    "dashboard",
    "webhook",
    "mobile app",
    "SSO login",
    "API token",
    "report builder",
    "calendar sync",
    "user invite",
    "password reset",
    "search index",
    "file upload",
    "audit log",
    "billing page",
    "Slack integration",
    "data import",
    "custom field",
    "email digest",
    "two-factor code",
    "team roles",
    "sandbox",
    "payment method",
    "chart widget",
    "bulk edit",
    "saved filter",
    "time tracker",
    "Zapier connector",
    "print view",
    "language setting",
    "dark mode",
    "task reminder",
    "comment thread",
    "attachment preview",
    "GDPR request",
    "usage quota",
    "tax receipt",
    "trial extension",
    "seat licence",
    "admin console",
    "status page",
    "backup job",
)
FAULTS = (
    ("times out", "keeps timing out", "timeout error"),
    ("shows a blank page", "is completely blank", "opens empty"),
    ("has the wrong total", "numbers are wrong", "totals do not add up"),
    ("fails with error 500", "returns a server error", "throws 500"),
    ("is very slow", "takes minutes to load", "loads forever"),
    ("never arrives", "does not arrive", "is not delivered"),
    ("logs me out", "kicks me out", "ends my session"),
    ("is missing", "disappeared", "cannot be found"),
    ("duplicates entries", "creates duplicates", "shows everything twice"),
    ("rejects my input", "will not accept the value", "says invalid format"),
)
OPENERS = ("Hi team,", "Hello,", "Good morning,", "")
FILLER = (
    "We noticed this today.",
    "It worked fine last month.",
    "Several colleagues see the same.",
    "We tried another browser already.",
    "This blocks our month-end work.",
    "Could you have a look?",
    "Screenshot attached.",
    "Please advise as soon as possible.",
    "Our admin restarted everything.",
    "It happens on every attempt.",
)
SIGNOFFS = ("Thanks,\nAlex", "Kind regards,\nSam", "Best,\nJo", "Cheers")
NOW = "2026-W46"  # the last complete week of every planted store
LAST_SUNDAY = datetime(2026, 11, 15, 23, 0)


@dataclass(frozen=True)
class Problem:
    noun: str
    fault: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.noun} {self.fault[0]}"


def problem(i: int) -> Problem:
    """The i-th distinct problem (noun x fault), so scenarios and the benchmark never reuse one by accident."""
    return Problem(NOUNS[i % len(NOUNS)], FAULTS[(i // len(NOUNS) + i) % len(FAULTS)])


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 6 or rng.random() > 0.15:
        return text
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def subject(rng: random.Random, p: Problem) -> str:
    fault = rng.choice(p.fault)
    forms = (
        f"{p.noun} {fault}",
        f"{p.noun.capitalize()} {fault} again",
        f"Re: {p.noun} {fault}",
        f"Our {p.noun} {fault}",
        f"URGENT: {p.noun} {fault}",
    )
    return _typo(rng, rng.choice(forms))


def body(rng: random.Random, p: Problem, customer: str) -> str:
    lines = [rng.choice(OPENERS), f"The {p.noun} {rng.choice(p.fault)} for account {customer}."]
    lines += rng.sample(FILLER, 2)
    lines.append(rng.choice(SIGNOFFS))
    return "\n".join(line for line in lines if line)


def poisson(rng: random.Random, rate: float) -> int:
    if rate <= 0:
        return 0
    if rate > 60:  # normal approximation, as good as exact at this size
        return max(0, round(rng.gauss(rate, math.sqrt(rate))))
    limit, k, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


@dataclass
class Planted:
    """Rows for the tickets table, and the truth: ticket id -> problem key."""

    rows: list[dict]
    truth: dict[str, str]

    def add(
        self,
        rng: random.Random,
        p: Problem,
        team: str,
        weekly: list[float],
        customers: list[str],
        *,
        solved: bool = True,
        cycle: bool = False,
    ) -> None:
        """Tickets for `p`: `weekly` rates, oldest week first, the last one ending at NOW; with `cycle`
        the customers take turns (so twenty customers with 30 tickets all report it)."""
        made = 0
        first_monday = LAST_SUNDAY - timedelta(days=7 * len(weekly) - 1, hours=23)
        for w, rate in enumerate(weekly):
            for _ in range(poisson(rng, rate)):
                created = first_monday + timedelta(days=7 * w, seconds=rng.randrange(7 * 86400 - 3600))
                customer = customers[made % len(customers)] if cycle else rng.choice(customers)
                made += 1
                tid = f"P-{len(self.rows) + 1:07d}"
                done = solved and rng.random() < 0.8
                self.rows.append(
                    {
                        "id": tid,
                        "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "solved_at": (created + timedelta(hours=rng.uniform(2, 90))).strftime("%Y-%m-%dT%H:%M:%SZ")
                        if done
                        else None,
                        "status": "solved" if done else "open",
                        "team": team,
                        "subject": subject(rng, p),
                        "description": body(rng, p, customer),
                        "customer_id": customer,
                        "agent_id": f"agent-{rng.randrange(12)}",
                    }
                )
                self.truth[tid] = p.key


def background(rng: random.Random, planted: Planted, team: str, first: int, count: int, weeks: int = 12) -> None:
    """`count` steady problems of a team at rates from 2 to 40 a week, from a pool of 400 customers."""
    pool = [f"{team[:3].upper()}-C{i:04d}" for i in range(400)]
    for i in range(count):
        rate = 2 + 38 * (i / max(count - 1, 1))
        planted.add(rng, problem(first + i), team, [rate] * weeks, pool)


def scenario(seed: int = 7) -> tuple[Planted, dict[str, Problem]]:
    """The goals' store: in team Platform, a problem new in the last 2 weeks from 20 customers, the same
    volume of another new problem from one customer, and a steady 40-a-week problem; beside them, steady
    background problems in Platform and Payments."""
    rng = random.Random(seed)
    planted = Planted([], {})
    background(rng, planted, "Platform", 0, 8)
    background(rng, planted, "Payments", 20, 8)
    steady = problem(40)
    new = problem(41)
    account = problem(12)  # a noun no background problem uses
    planted.add(rng, steady, "Platform", [40.0] * 12, [f"PLA-S{i:04d}" for i in range(500)])
    twenty = [f"PLA-N{i:02d}" for i in range(20)]
    planted.add(rng, new, "Platform", [0.0] * 10 + [14.0, 16.0], twenty, solved=False, cycle=True)
    planted.add(rng, account, "Platform", [0.0] * 10 + [14.0, 16.0], ["PLA-BIGCO"], solved=False)
    return planted, {"steady": steady, "new": new, "account": account}


def write(db: sqlite_utils.Database, planted: Planted) -> None:
    """Into the tickets table of a migrated store, in one transaction."""
    with db.conn:
        db["tickets"].insert_all(planted.rows, batch_size=5000)
