"""Checks a row cannot make on its own: a key seen earlier in the same file, a survey sent before
the ticket it is about was created. They read the store (or a scratch table beside it), so they
run in the importer's transaction after the per-row checks in `batch_check`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlite_utils

from smartstep.imports.schema import FieldError, Schema

SEEN_TABLE = "temp.import_keys_seen"


class SeenKeys:
    """The key of every row imported so far in this file, and the line it was on.

    A file that holds an id twice is a broken export (or two exports pasted together): the
    second row silently replacing the first would be reported as "1 added, 1 updated". The
    keys live in a temporary table, not a Python dict, so a million-row file costs pages on
    disk rather than 100+ MB of memory.
    """

    def __init__(self, db: sqlite_utils.Database, schema: Schema, unit: str = "line") -> None:
        self.db = db
        self.schema = schema
        self.unit = unit  # how the error names the first row: "line" in a file, "row" in records
        self._at = [schema.names.index(k) for k in schema.key]
        db.execute(f"DROP TABLE IF EXISTS {SEEN_TABLE}")
        db.execute(f"CREATE TABLE {SEEN_TABLE} (key TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID")

    def _key(self, row: Sequence[object]) -> str:
        parts = [row[i] for i in self._at]
        return str(parts[0]) if len(parts) == 1 else json.dumps(parts)

    def check(self, rows: Sequence[Sequence[object]], lines: Sequence[int]) -> dict[int, FieldError]:
        """Errors (by position in `rows`) for rows whose key came earlier; remembers the others."""
        keys = [self._key(row) for row in rows]
        earlier = dict(
            self.db.execute(
                f"SELECT key, line FROM {SEEN_TABLE} WHERE key IN (SELECT value FROM json_each(?))", [json.dumps(keys)]
            ).fetchall()
        )
        errors: dict[int, FieldError] = {}
        fresh: list[tuple[str, int]] = []
        for index, (key, line) in enumerate(zip(keys, lines, strict=True)):
            first = earlier.get(key)
            if first is None:
                earlier[key] = line
                fresh.append((key, line))
            else:
                errors[index] = self._error(rows[index], first)
        self.db.conn.executemany(f"INSERT INTO {SEEN_TABLE} (key, line) VALUES (?, ?)", fresh)
        return errors

    def _error(self, row: Sequence[object], first: int) -> FieldError:
        if self.schema.key == ("id",):
            return FieldError("id", f"'{row[0]}' is already on {self.unit} {first}; an id may appear only once")
        team, metric, date = (row[i] for i in self._at)
        return FieldError("date", f"{team}'s {metric} for {date} is already on {self.unit} {first}")

    def close(self) -> None:
        self.db.execute(f"DROP TABLE IF EXISTS {SEEN_TABLE}")
