"""Store rows -> cases: every solved or closed ticket is a case, with or without a resolution.

The SQL lives here so that the index and the store never learn the tickets table's shape.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from smartstep.knowledge.normalise import clean_text

if TYPE_CHECKING:  # only a type here: the caller opens the store, and importing it loads pandas
    import sqlite_utils

SOLVED_STATUSES = ("solved", "closed")
_FIELDS = ("id", "subject", "description", "resolution", "team", "product", "channel", "solved_at")
_SOLVED = "lower(trim(status)) IN ('solved', 'closed')"


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    description: str
    resolution: str
    team: str
    product: str
    channel: str
    solved_at: str

    @property
    def signature(self) -> int:
        """A checksum of what the index reads, so an edited ticket is noticed and re-indexed."""
        fields = (self.title, self.description, self.resolution, self.team, self.product, self.channel, self.solved_at)
        return _checksum("\x1f".join(fields))


def case_from_row(row: Mapping[str, Any]) -> Case:
    return Case(
        id=str(row["id"]),
        title=row.get("subject") or "",
        description=row.get("description") or "",
        resolution=row.get("resolution") or "",
        team=row.get("team") or "",
        product=row.get("product") or "",
        channel=row.get("channel") or "",
        solved_at=row.get("solved_at") or "",
    )


def index_text(case: Case) -> str:
    """What the index matches on: the title twice (it names the problem), the body, then the fix."""
    title = clean_text(case.title)
    parts = [title, title, clean_text(case.description), clean_text(case.resolution), case.product]
    return "\n".join(p for p in parts if p)


def title_text(case: Case) -> str:
    """The short form rapidfuzz compares against: the cleaned title (no "Re:", "URGENT:"), or the body's start."""
    return clean_text(case.title) or clean_text(case.description)[:200]


def iter_cases(db: sqlite_utils.Database, ids: Iterable[str] | None = None, batch: int = 5000) -> Iterator[Case]:
    """Solved cases from the store (all of them, or the given ids), in rowid order."""
    columns = ", ".join(_FIELDS)
    if ids is None:
        for row in db.query(f"SELECT {columns} FROM tickets WHERE {_SOLVED} ORDER BY rowid"):
            yield case_from_row(row)
        return
    wanted = list(ids)
    for start in range(0, len(wanted), batch):
        chunk = wanted[start : start + batch]
        marks = ", ".join("?" for _ in chunk)
        sql = f"SELECT {columns} FROM tickets WHERE {_SOLVED} AND id IN ({marks}) ORDER BY rowid"
        for row in db.query(sql, chunk):
            yield case_from_row(row)


def load_cases(db: sqlite_utils.Database, ids: Iterable[str]) -> dict[str, Case]:
    """The given solved cases by id, read fresh so display never shows stale text."""
    return {case.id: case for case in iter_cases(db, ids)}


def table_fingerprint(db: sqlite_utils.Database) -> list[int]:
    """A cheap summary of the solved tickets (count, last rowid, text sizes) that moves on any import."""
    if not db["tickets"].exists():
        return [0, 0, 0]
    row = db.execute(
        "SELECT count(*), coalesce(max(rowid), 0), coalesce(sum(length(coalesce(subject, '')) "
        "+ length(coalesce(description, '')) + length(coalesce(resolution, '')) + length(coalesce(team, '')) "
        "+ length(coalesce(product, '')) + length(coalesce(channel, '')) + length(coalesce(solved_at, ''))), 0) "
        f"FROM tickets WHERE {_SOLVED}"
    ).fetchone()
    return [int(v) for v in row]


def solved_signatures(db: sqlite_utils.Database) -> dict[str, int]:
    """Every solved case's id -> `Case.signature`: the exact diff against an index, when the summary moved.

    The checksum is taken inside SQLite's row loop by a registered function, over the same
    fields joined the same way: building a `Case` per row took 13 s at a million cases.
    """
    db.conn.create_function("smartstep_signature", 1, _checksum, deterministic=True)
    joined = " || char(31) || ".join(
        f"coalesce({field}, '')" for field in ("subject", "description", "resolution", *_FIELDS[4:])
    )
    sql = f"SELECT CAST(id AS TEXT), smartstep_signature({joined}) FROM tickets WHERE {_SOLVED}"
    return dict(db.conn.execute(sql).fetchall())


def _checksum(text: str) -> int:
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))
