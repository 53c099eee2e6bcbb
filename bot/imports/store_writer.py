"""Writing validated import rows: batched upserts, added/updated/unchanged counts, and the weeks touched.

The importer owns the transaction; this module only writes inside it. It keeps, per team, the
earliest time any imported row touches, counting the *old* team and times of rows being
replaced, so the metric recompute can start from the right week and a ticket moved from
Billing to Technical is recomputed in both. A row identical to the stored one is not written
at all: re-importing the same file changes no table, moves no version counter and needs no
recompute.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import sqlite_utils

from smartstep.db import set_tickets_version_triggers
from smartstep.imports.schema import Schema
from smartstep.weeks import iso_week, parse_time

Row = Sequence[object]
"""A validated row: a tuple in `schema.names` order."""

BULK_ROWS = 20_000
"""Past this many rows (and a quarter of the table), secondary indexes are dropped for the rest of
the import and rebuilt at the end: one sort beats a million random B-tree inserts by about 3x.
The drop is inside the import's transaction, so a failed import gets its indexes back."""


class StoreWriter:
    """Upserts batches of one kind and remembers what they touched."""

    def __init__(self, db: sqlite_utils.Database, schema: Schema) -> None:
        self.db = db
        self.schema = schema
        self.written = 0
        self.seen = 0
        self._teams: set[str] = set()
        self._earliest: dict[str, str] = {}
        self._before = self._count()
        self._sql = _upsert_sql(schema)
        self._at = {name: index for index, name in enumerate(schema.names)}
        self._key_at = [self._at[k] for k in schema.key]
        self._dropped_indexes: list[str] | None = None
        self._versioning_paused = False

    @property
    def was_empty(self) -> bool:
        """Whether the table held no rows before this import."""
        return self._before == 0

    def _count(self) -> int:
        return self.db.execute(f"SELECT COUNT(*) FROM [{self.schema.table}]").fetchone()[0]

    def write(self, batch: Sequence[Row]) -> None:
        if not batch:
            return
        self.seen += len(batch)
        if self._before:
            stored = self._stored_rows(batch)
            batch = [row for row in batch if stored.get(self._key(row)) != tuple(row)]
            # The stored versions of rows about to change: their old team and times count too.
            self._touch([stored[key] for key in map(self._key, batch) if key in stored])
            if not batch:
                return
        if self.schema.table == "tickets" and not self._versioning_paused:
            set_tickets_version_triggers(self.db, on=False)  # bumped once in finish()
            self._versioning_paused = True
        self.db.conn.executemany(self._sql, batch)
        self.written += len(batch)
        if self._dropped_indexes is None and self.written >= BULK_ROWS and self.written * 4 >= self._before:
            self._dropped_indexes = _drop_indexes(self.db, self.schema.table)
        self._touch(batch)
        if "team" in self._at:
            team = self._at["team"]
            self._teams.update(row[team] for row in batch if row[team])

    def finish(self) -> tuple[int, int, int, dict[str, str]]:
        """Upsert the teams seen; return (added, updated, unchanged, since), since being team -> ISO week."""
        for sql in self._dropped_indexes or ():
            self.db.execute(sql)
        if self._versioning_paused:
            set_tickets_version_triggers(self.db, on=True)
        self.db.conn.executemany("INSERT OR IGNORE INTO teams (name) VALUES (?)", [(t,) for t in sorted(self._teams)])
        added = self._count() - self._before
        since = {team: iso_week(parse_time(moment)) for team, moment in sorted(self._earliest.items())}
        return added, self.written - added, self.seen - self.written, since

    def _key(self, row: Row) -> tuple:
        return tuple(row[i] for i in self._key_at)

    def _stored_rows(self, batch: Sequence[Row]) -> dict[tuple, tuple]:
        """key -> the stored version of each row in the batch that is already in the table."""
        columns = ", ".join(f"[{c}]" for c in self.schema.names)
        keys = ", ".join(f"[{k}]" for k in self.schema.key)
        parts = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(self.schema.key)))
        sql = f"SELECT {columns} FROM [{self.schema.table}] WHERE ({keys}) IN (SELECT {parts} FROM json_each(?))"
        rows = self.db.execute(sql, [json.dumps([self._key(row) for row in batch])]).fetchall()
        return {self._key(row): tuple(row) for row in rows}

    def _touch(self, rows: Sequence[Row]) -> None:
        times = [self._at[c] for c in self.schema.times]
        earliest = self._earliest
        for row, team in zip(rows, self._teams_of(rows), strict=True):
            if team is None:
                continue
            moments = [row[c] for c in times if row[c] is not None]
            if not moments:
                continue
            low = min(moments)  # canonical UTC text sorts as time
            if team not in earliest or low < earliest[team]:
                earliest[team] = low

    def _teams_of(self, rows: Sequence[Row]) -> list:
        at = self._at
        if self.schema.kind in ("tickets", "metrics"):
            return [row[at["team"]] for row in rows]
        if self.schema.kind == "customers":
            team = at["team"]
            derived = _customer_teams(self.db, [row[0] for row in rows if not row[team]])
            return [row[team] or derived.get(row[0]) for row in rows]
        ticket, customer = at["ticket_id"], at["customer_id"]
        by_ticket = _lookup(self.db, "SELECT id, team FROM tickets", [row[ticket] for row in rows])
        by_customer = _customer_teams(self.db, [row[customer] for row in rows if row[customer]])
        return [by_ticket.get(row[ticket]) or by_customer.get(row[customer]) for row in rows]


def _drop_indexes(db: sqlite_utils.Database, table: str) -> list[str]:
    """Drop the table's own (non-key) indexes; returns the SQL that recreates them."""
    rows = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", [table]
    ).fetchall()
    for name, _ in rows:
        db.execute(f"DROP INDEX [{name}]")
    return [sql for _, sql in rows]


def _lookup(db: sqlite_utils.Database, select: str, keys: Iterable[object]) -> dict[object, str]:
    wanted = sorted({k for k in keys if k is not None}, key=str)
    if not wanted:
        return {}
    sql = f"{select} WHERE id IN (SELECT value FROM json_each(?))"
    return {key: team for key, team in db.execute(sql, [json.dumps(wanted)]).fetchall() if team}


def _customer_teams(db: sqlite_utils.Database, ids: Iterable[object]) -> dict[object, str]:
    """A customer's team; when its own is empty, the team that handled most of its tickets."""
    return _lookup(
        db,
        "SELECT c.id, COALESCE(NULLIF(c.team, ''), (SELECT t.team FROM tickets t WHERE t.customer_id = c.id "
        "GROUP BY t.team ORDER BY COUNT(*) DESC, t.team LIMIT 1)) FROM customers c",
        ids,
    )


def _upsert_sql(schema: Schema) -> str:
    names = schema.names
    columns = ", ".join(f"[{n}]" for n in names)
    params = ", ".join("?" for _ in names)
    key = ", ".join(f"[{k}]" for k in schema.key)
    updates = ", ".join(f"[{n}] = excluded.[{n}]" for n in names if n not in schema.key)
    return f"INSERT INTO [{schema.table}] ({columns}) VALUES ({params}) ON CONFLICT({key}) DO UPDATE SET {updates}"


def delete_tickets(db: sqlite_utils.Database, ids: Sequence[str]) -> tuple[int, dict[str, str]]:
    """Remove tickets (and the surveys about them) inside the caller's transaction.

    Returns (tickets removed, team -> earliest ISO week they were in), so the recompute covers
    every week the rows counted in.
    """
    if not ids:
        return 0, {}
    key = json.dumps(sorted(set(ids)))
    touched = db.execute(
        "SELECT team, min(created_at) FROM tickets WHERE id IN (SELECT value FROM json_each(?)) GROUP BY team", [key]
    ).fetchall()
    db.execute("DELETE FROM surveys WHERE ticket_id IN (SELECT value FROM json_each(?))", [key])
    removed = db.execute("DELETE FROM tickets WHERE id IN (SELECT value FROM json_each(?))", [key]).rowcount
    return removed, {team: iso_week(parse_time(moment)) for team, moment in touched if team and moment}
