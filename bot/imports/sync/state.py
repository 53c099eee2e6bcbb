"""A sync's memory in the store: cursors, weeks still to recompute, the lease, the last outcome.

Everything here is written inside the transaction of the page it belongs to, so after a crash
the store holds exactly the rows of the pages whose cursor it also holds.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from smartstep.errors import UserError
from smartstep.weeks import format_time, parse_time

LEASE = timedelta(minutes=10)
"""A sync renews its lease with every page; one that stopped answering frees it after this long."""


@dataclass
class SyncState:
    source: str
    cursors: dict[str, Any] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)
    last_success_at: str | None = None
    last_error: str | None = None
    started_at: str | None = None


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def load_state(db: sqlite_utils.Database, source: str) -> SyncState:
    row = db.execute(
        "SELECT cursors, pending, last_success_at, last_error, started_at FROM sync_state WHERE source = ?", [source]
    ).fetchone()
    if row is None:
        return SyncState(source)
    cursors, pending, success, error, started = row
    return SyncState(source, json.loads(cursors or "{}"), json.loads(pending or "{}"), success, error, started)


def all_states(db: sqlite_utils.Database) -> list[SyncState]:
    return [load_state(db, source) for (source,) in db.execute("SELECT source FROM sync_state ORDER BY source")]


def merge_weeks(pending: dict[str, str], since: dict[str, str]) -> dict[str, str]:
    """team -> the earlier of two ISO weeks: what a recompute must still cover."""
    merged = dict(pending)
    for team, week in since.items():
        merged[team] = min(week, merged.get(team, week))
    return merged


def save_page(
    db: sqlite_utils.Database, state: SyncState, stream: str, cursor: Any, since: dict[str, str], now: datetime
) -> None:
    """Remember a page: its stream's cursor and the weeks it touched (inside the page's transaction)."""
    state.cursors[stream] = cursor
    state.pending = merge_weeks(state.pending, since)
    db.execute(
        "UPDATE sync_state SET cursors = ?, pending = ?, lease_until = ? WHERE source = ?",
        [json.dumps(state.cursors), json.dumps(state.pending), format_time(now + LEASE), state.source],
    )


def claim(db: sqlite_utils.Database, source: str, owner: str, now: datetime) -> None:
    """Take the source's lease, or say which process holds it. One sync per source at a time, even
    across processes (`serve` with its schedule and a `smartstep sync` typed by hand)."""
    row = db.execute("SELECT lease_owner, lease_until FROM sync_state WHERE source = ?", [source]).fetchone()
    if row is not None and row[0] and row[0] != owner and row[1] and parse_time(row[1]) > now and _alive(row[0]):
        raise UserError(f"a {source} sync is already running ({row[0]}); wait for it to finish")
    db.execute(
        "INSERT INTO sync_state (source, started_at, lease_owner, lease_until) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (source) DO UPDATE SET started_at = excluded.started_at, lease_owner = excluded.lease_owner, "
        "lease_until = excluded.lease_until",
        [source, format_time(now), owner, format_time(now + LEASE)],
    )


def finish(db: sqlite_utils.Database, state: SyncState, now: datetime) -> None:
    """A successful run: nothing pending, the lease released, the time kept for "data as of"."""
    state.pending, state.last_success_at, state.last_error = {}, format_time(now), None
    db.execute(
        "UPDATE sync_state SET pending = '{}', last_success_at = ?, last_error = NULL, lease_owner = NULL, "
        "lease_until = NULL WHERE source = ?",
        [state.last_success_at, state.source],
    )


def fail(db: sqlite_utils.Database, source: str, message: str) -> None:
    """A run that stopped: say why (for /healthz) and free the lease; rows and cursors already saved stay."""
    db.execute(
        "UPDATE sync_state SET last_error = ?, lease_owner = NULL, lease_until = NULL WHERE source = ?",
        [message[:500], source],
    )


def _alive(owner: str) -> bool:
    """Whether the lease holder still runs: known for a process on this machine, assumed elsewhere."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
