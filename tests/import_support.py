"""A long import for tests: the real importer, holding the write lock for as long as a test needs.

Its rows come from a source that pauses until released, as a slow export would, so a test can
keep the store busy past SQLite's 5 s busy timeout without sleeping in product code.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from smartstep.db import open_db
from smartstep.imports.importers import import_records
from smartstep.knowledge.search import update_saved_index

HOLD = 7.0  # seconds an import keeps the write lock in these tests: past the 5 s busy timeout


class PausingSource:
    """Ticket rows for the importer that stop after `pause_after` rows until `release` is set."""

    def __init__(self, rows: list[dict[str, Any]], pause_after: int) -> None:
        self.rows, self.pause_after = rows, pause_after
        self.paused, self.release = threading.Event(), threading.Event()

    def __iter__(self):
        for number, row in enumerate(self.rows):
            if number == self.pause_after:
                self.paused.set()
                assert self.release.wait(timeout=120), "the test never released the import"
            yield row


class ImportThread(threading.Thread):
    """`smartstep import` as the CLI runs it, on its own connection: rows and recompute in one
    transaction, then the saved case index brought up to date."""

    def __init__(self, path: Path, source: PausingSource) -> None:
        super().__init__(name="long-import", daemon=True)
        self.path, self.source = path, source
        self.error: BaseException | None = None
        self.committed_at: float | None = None

    def run(self) -> None:
        db = open_db(self.path)
        try:
            import_records(db, "tickets", self.source, source="slow-export.csv")
            self.committed_at = time.monotonic()
            update_saved_index(db)
        except BaseException as error:  # noqa: BLE001 - the test asserts on it
            self.error = error
        finally:
            db.close()

    def start_holding(self) -> ImportThread:
        self.start()
        assert self.source.paused.wait(timeout=60), "the import never started"
        return self


def ticket_rows(count: int, *, bad_last: bool = False) -> list[dict[str, Any]]:
    teams = ("Billing", "Technical", "Onboarding", "Enterprise")
    subjects = ("Invoice shows the wrong VAT", "Cannot log in after reset", "Export times out", "Invite never arrives")
    rows = []
    for n in range(count):
        day = 1 + n % 28
        rows.append(
            {
                "id": f"SLOW-{n:06d}",
                "created_at": f"2026-10-{day:02d}T09:00:00Z",
                "first_reply_at": f"2026-10-{day:02d}T10:30:00Z",
                "solved_at": f"2026-10-{day:02d}T15:00:00Z",
                "status": "solved",
                "team": teams[n % 4],
                "channel": "email",
                "product": "Widget",
                "subject": subjects[n % 4],
                "description": f"Customer {n} reports: {subjects[n % 4].lower()} since this morning.",
                "resolution": "Walked the customer through the fix.",
            }
        )
    if bad_last:
        rows[-1]["created_at"] = "yesterday-ish"
    return rows
