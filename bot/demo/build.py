"""The embedded demo organisation: a seeded, believable support org with planted storylines.

`generate_demo` is pure (seed in, rows out); `build_demo` writes them through the importer,
the same path a real customer's CSVs take, so the demo's metrics are computed by the real
engine. The same seed gives the same rows on any machine and any day.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass

import sqlite_utils

from smartstep.demo.customers import build_customers
from smartstep.demo.plan import END_WEEK, FIRST_WEEK, ID_PREFIX, STORYLINES, TEAMS, Storyline
from smartstep.demo.surveys import build_surveys
from smartstep.demo.tickets import build_tickets

__all__ = [
    "STORYLINES",
    "DemoData",
    "DemoSummary",
    "Storyline",
    "build_demo",
    "generate_demo",
    "import_demo",
    "store_kind",
]

CUSTOMERS = 1300
# Tables a demo rebuild empties; the schema and its migrations stay.
_DATA_TABLES = (
    "callbacks",
    "feedback",
    "outcomes",
    "advice",
    "digests",
    "surveys",
    "tickets",
    "customers",
    "imported_metrics",
    "metric_values",
)


@dataclass(frozen=True)
class DemoData:
    """The demo's rows, keyed by the CSV column names of docs/interface.md."""

    customers: tuple[dict[str, object], ...]
    tickets: tuple[dict[str, object], ...]
    surveys: tuple[dict[str, object], ...]
    problem_keys: tuple[str, ...] = ()
    """The catalogue problem behind each ticket, in ticket order: ground truth, never stored."""


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    first_week: str
    last_week: str
    teams: tuple[str, ...]
    tickets: int
    surveys: int
    customers: int
    tickets_by_team: dict[str, int]
    seconds: float


def generate_demo(seed: int = 7, *, scale: float = 1.0) -> DemoData:
    """Every row of the demo organisation for `seed`; `scale` shrinks it for quick tests."""
    r = random.Random(seed)
    customers = build_customers(r, max(40, round(CUSTOMERS * scale)))
    tickets = build_tickets(r, customers, scale)
    surveys = build_surveys(r, tickets, customers)
    return DemoData(
        customers=tuple(c.record() for c in customers),
        tickets=tuple(t.record() for t in tickets),
        surveys=tuple(surveys),
        problem_keys=tuple(t.problem.key for t in tickets),
    )


def build_demo(db: sqlite_utils.Database, *, seed: int = 7, scale: float = 1.0) -> DemoSummary:
    """Generate the demo and import it: customers, then tickets, then surveys.

    The store should be empty or hold an earlier demo (`store_kind`); an earlier demo is
    replaced from scratch so a different seed never leaves rows of the old one behind.
    """
    started = time.perf_counter()
    data = generate_demo(seed, scale=scale)
    import_demo(db, data)
    by_team = Counter(str(t["team"]) for t in data.tickets)
    return DemoSummary(
        seed=seed,
        first_week=FIRST_WEEK,
        last_week=END_WEEK,
        teams=TEAMS,
        tickets=len(data.tickets),
        surveys=len(data.surveys),
        customers=len(data.customers),
        tickets_by_team={team: by_team[team] for team in TEAMS},
        seconds=time.perf_counter() - started,
    )


def import_demo(db: sqlite_utils.Database, data: DemoData) -> None:
    """Replace the store's rows with `data`, in one transaction, through the importer."""
    from smartstep.imports.importers import import_records
    from smartstep.metrics.store import recompute

    with db.atomic():
        clear_store(db)
        for kind, rows in (("customers", data.customers), ("tickets", data.tickets), ("surveys", data.surveys)):
            import_records(db, kind, rows, source="demo", recompute=False)
        recompute(db)  # once, over everything, instead of after each kind


def store_kind(db: sqlite_utils.Database) -> str:
    """'empty', 'demo' (every ticket, survey and customer id is a demo id) or 'other'."""
    counts = []
    for table in ("tickets", "surveys", "customers"):
        total, demo = db.execute(
            f"SELECT count(*), count(CASE WHEN id LIKE ? THEN 1 END) FROM [{table}]", [ID_PREFIX + "%"]
        ).fetchone()
        counts.append((total, demo))
    if all(total == 0 for total, _ in counts):
        return "empty"
    return "demo" if all(total == demo for total, demo in counts) else "other"


def clear_store(db: sqlite_utils.Database) -> None:
    """Empty every data table (inside the caller's transaction), keeping the schema."""
    existing = set(db.table_names())
    for table in _DATA_TABLES:
        if table in existing:
            db.execute(f"DELETE FROM [{table}]")
