"""Is the store this process serves still usable? What /healthz answers, and what a click checks first.

A process keeps its SQLite file open, so after the file is deleted or replaced every read and write
still "works" on the old, unlinked file and is lost at exit; a read-only or full disk shows only when
something is written. So health is: the file at the path is the one opened at start, a real write
commits, and the disk has room to grow.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from smartstep.errors import UserError
from smartstep.weeks import format_time

UNAVAILABLE = (
    "smartstep cannot use its store right now, so nothing was read or recorded; "
    "please tell your smartstep admin (the cause is in smartstep's log)"
)
MIN_FREE_MB = 100  # below this an import or a week of advice logging may not fit
WRITE_TIMEOUT = 1.0  # seconds a health write waits for another writer (an import holds the lock for long)
BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)  # primary result codes (extended codes carry them in the low byte)


class StoreUnavailable(UserError):
    """The store cannot be used: the user is told in one sentence, the operator finds `detail` in the log."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # raised in an answer worker, re-raised here
        return (type(self), (self.message, self.detail))


class StoreFile:
    """The store file as it was when the process started, and the checks /healthz runs on it."""

    def __init__(self, path: str | Path, min_free_mb: int = MIN_FREE_MB) -> None:
        self.path = Path(path)
        self.min_free_mb = min_free_mb
        self.process = f"{os.uname().nodename}:{os.getpid()}"
        stat = self.path.stat()
        self.identity = (stat.st_dev, stat.st_ino)

    def gone(self) -> str | None:
        """Why the file at the path is not the store this process opened (None: it is)."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return f"the store {self.path} was deleted or moved since smartstep started"
        except OSError as error:
            return f"the store {self.path} cannot be looked at ({error.strerror or error})"
        if (stat.st_dev, stat.st_ino) != self.identity:
            return f"the store {self.path} was replaced by another file since smartstep started; restart to use it"
        return None

    def check_present(self) -> None:
        """Raise StoreUnavailable if the file was deleted or replaced (a few microseconds: one stat)."""
        problem = self.gone()
        if problem is not None:
            raise StoreUnavailable(UNAVAILABLE, problem)

    def problems(self, now: datetime | None = None) -> list[str]:
        """Everything that makes the store unusable, each in one sentence; empty when healthy."""
        gone = self.gone()
        if gone is not None:
            return [gone]
        found = []
        free_mb = shutil.disk_usage(self.path.parent).free // (1024 * 1024)
        if free_mb < self.min_free_mb:
            found.append(f"only {free_mb} MB free on the store's disk (SMARTSTEP_MIN_FREE_MB is {self.min_free_mb})")
        write = self.write_problem(now or datetime.now(UTC))
        if write is not None:
            found.append(write)
        return found

    def write_problem(self, now: datetime) -> str | None:
        """Commit one small row; a read-only file or directory, a full disk or a broken file fail here.
        Another writer holding the lock (an import) is not a fault: the store is busy, not broken."""
        try:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=rw", uri=True, timeout=WRITE_TIMEOUT)
        except sqlite3.Error as error:
            return f"the store {self.path} cannot be opened for writing ({error})"
        try:
            conn.execute("PRAGMA synchronous = NORMAL")  # as the app writes: no fsync per commit in WAL mode
            with conn:
                conn.execute(
                    "INSERT OR REPLACE INTO health_checks (process, checked_at) VALUES (?, ?)",
                    [self.process, format_time(now)],
                )
        except sqlite3.Error as error:
            if getattr(error, "sqlite_errorcode", 0) & 0xFF in BUSY:
                return None
            return f"the store {self.path} does not take a write ({error})"
        finally:
            conn.close()
        return None
