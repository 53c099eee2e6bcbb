"""Running a sync: each page of each stream written with its cursor in one transaction, then one recompute.

Rows go through the importer (`import_records`: the same checks and upserts as a CSV), so a
ticket is written one way whichever door it came in by. A page's rows, its deletions, its
cursor and the weeks it touched commit together; a crash or a kill between pages leaves the
store at the end of the last page, and the rerun continues from its cursor, reading at most
that page again (upserts by id, so nothing doubles). The metrics of the weeks touched are
recomputed once at the end — also by the rerun, when the run that wrote them died first.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

import sqlite_utils

from smartstep.db import write_transaction
from smartstep.errors import UserError
from smartstep.imports.batch_check import BatchValidator
from smartstep.imports.importers import import_records
from smartstep.imports.schema import SCHEMAS
from smartstep.imports.store_writer import delete_tickets
from smartstep.imports.sync import state as st
from smartstep.imports.sync.http import AccessDenied
from smartstep.imports.sync.model import Page, Record, Source
from smartstep.weeks import format_time, iso_week, parse_time

FIRST_SYNC_DAYS = 180
"""How far back a first sync reaches without --since: half a year, what trends and drivers read."""
ERRORS_KEPT = 100

Progress = Callable[[str, int], None]
"""(stream, items read so far in it); ("recompute", 0) when the reading is done."""


@dataclass
class SyncSummary:
    source: str
    added: int = 0
    updated: int = 0
    deleted: int = 0
    ratings: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)
    since: dict[str, str] = field(default_factory=dict)
    """team -> earliest ISO week recomputed."""
    started_from: str | None = None
    """The --since (or default) a stream without a cursor started from; None when all continued."""
    notes: list[str] = field(default_factory=list)
    rate_limited_seconds: float = 0.0
    cases: int | None = None
    """Cases in the similar-case index after it followed the sync (None when no index is saved)."""

    def to_dict(self) -> dict:
        return asdict(self)


def run_sync(
    db: sqlite_utils.Database,
    source: Source,
    *,
    since: datetime | None = None,
    progress: Progress | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> SyncSummary:
    """Pull what changed since the saved cursors (or since `since`) and bring the metrics up to date."""
    source.check()  # a wrong credential fails here, before anything is written
    owner = st.owner_id()
    with write_transaction(db):
        st.claim(db, source.name, owner, now())
    summary = SyncSummary(source.name)
    try:
        state = st.load_state(db, source.name)
        if since is not None:
            state.cursors = {}  # --since on a later run reads again from that date (updates, no duplicates)
        start = since or now() - timedelta(days=FIRST_SYNC_DAYS)
        for stream in source.streams(start.timestamp()):
            if stream.name not in state.cursors:
                summary.started_from = format_time(start)
            try:
                seen = 0
                for page in stream.pages(state.cursors.get(stream.name)):
                    seen += len(page.tickets) + len(page.ratings) + len(page.deleted) + len(page.sla)
                    _write_page(db, state, stream.name, page, summary, now())
                    if progress:
                        progress(stream.name, seen)
            except AccessDenied as error:
                if not stream.optional:
                    raise
                summary.notes.append(f"{stream.name} skipped: {error}")
        if progress:
            progress("recompute", 0)
        with write_transaction(db):
            summary.since = dict(state.pending)
            if state.pending:
                from smartstep.metrics.store import recompute

                recompute(db, since=state.pending, customers=_customers_without_team(db))
            st.finish(db, state, now())
    except BaseException as error:
        with write_transaction(db):
            st.fail(db, source.name, str(error) or type(error).__name__)
        raise
    finally:
        summary.rate_limited_seconds = source.client.waited if hasattr(source, "client") else 0.0
    summary.cases = _follow_case_index(db, summary)
    return summary


def _write_page(
    db: sqlite_utils.Database, state: st.SyncState, stream: str, page: Page, summary: SyncSummary, now: datetime
) -> None:
    with write_transaction(db):
        touched: dict[str, str] = {}
        records = _changed(db, "tickets", _with_stored(db, state.source, page.tickets, page.fetched))
        if records:
            tickets = import_records(
                db,
                "tickets",
                records,
                source=f"{state.source} tickets",
                recompute=False,
                skip_bad_rows=True,
            )
            summary.added += tickets.added
            summary.updated += tickets.updated
            _rejected(summary, tickets.rejected, tickets.errors)
            touched = st.merge_weeks(touched, tickets.since)
        records = _changed(db, "surveys", page.ratings)
        if records:
            ratings = import_records(
                db, "surveys", records, source=f"{state.source} ratings", recompute=False, skip_bad_rows=True
            )
            summary.ratings += ratings.added + ratings.updated
            _rejected(summary, ratings.rejected, ratings.errors)
            touched = st.merge_weeks(touched, ratings.since)
        if page.deleted:
            removed, weeks = delete_tickets(db, page.deleted)
            summary.deleted += removed
            touched = st.merge_weeks(touched, weeks)
        if page.sla:
            touched = st.merge_weeks(touched, _apply_sla(db, state.source, page.sla))
        st.save_page(db, state, stream, page.cursor, touched, now)


def _changed(db: sqlite_utils.Database, kind: str, records: list[Record]) -> list[Record]:
    """The records that differ from the stored rows once checked the way the import checks them.

    A sync reads some rows again on purpose (the page it was killed on, a second of overlap, the
    ratings of the last two weeks); unchanged they are neither counted as updated nor recomputed.
    Records the checks refuse are kept, so the import reports them.
    """
    if not records:
        return []
    schema = SCHEMAS[kind]
    columns = {name: ["" if r.get(name) is None else str(r[name]) for r in records] for name in schema.names}
    rows, bad = BatchValidator(schema)(columns, len(records))
    good = [i for i in range(len(records)) if i not in bad]
    names = ", ".join(f"[{n}]" for n in schema.names)
    stored = {
        row[0]: tuple(row)
        for row in db.execute(
            f"SELECT {names} FROM [{schema.table}] WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps([row[0] for row in rows])],
        ).fetchall()
    }
    changed = {i for i, row in zip(good, rows, strict=True) if stored.get(row[0]) != tuple(row)}
    return [r for i, r in enumerate(records) if i in changed or i in bad]


def _with_stored(db: sqlite_utils.Database, source: str, records: list[Record], fetched: bool) -> list[Record]:
    """Fill what this page could not know from the store: the SLA outcome another stream reported,
    and (when comments were not read) the description, resolution and contacts read before."""
    ids = json.dumps([r["id"] for r in records])
    if not all("sla_breached" in r for r in records):
        sla = dict(
            db.execute(
                "SELECT ticket_id, breached FROM sync_sla WHERE source = ? AND ticket_id IN "
                "(SELECT value FROM json_each(?))",
                [source, ids],
            ).fetchall()
        )
        for record in records:
            record.setdefault("sla_breached", sla.get(record["id"]))
    if not fetched:
        stored = {
            row[0]: row[1:]
            for row in db.execute(
                "SELECT id, description, resolution, contacts FROM tickets "
                "WHERE id IN (SELECT value FROM json_each(?))",
                [ids],
            ).fetchall()
        }
        for record in records:
            old = stored.get(record["id"])
            if old is not None:
                for column, value in zip(("description", "resolution", "contacts"), old, strict=True):
                    if record.get(column) is None:
                        record[column] = value
    return records


def _apply_sla(db: sqlite_utils.Database, source: str, sla: dict[str, int]) -> dict[str, str]:
    """Keep each ticket's SLA outcome (a breach stays a breach) and set it on the tickets stored;
    returns the weeks whose breach rate changed."""
    db.conn.executemany(
        "INSERT INTO sync_sla (source, ticket_id, breached) VALUES (?, ?, ?) ON CONFLICT (source, ticket_id) "
        "DO UPDATE SET breached = max(breached, excluded.breached)",
        [(source, ticket, flag) for ticket, flag in sla.items()],
    )
    changed = db.execute(
        "SELECT t.id, t.team, COALESCE(t.solved_at, t.created_at), s.breached FROM tickets t "
        "JOIN sync_sla s ON s.ticket_id = t.id AND s.source = ? "
        "WHERE t.id IN (SELECT value FROM json_each(?)) AND t.sla_breached IS NOT s.breached",
        [source, json.dumps(list(sla))],
    ).fetchall()
    db.conn.executemany(
        "UPDATE tickets SET sla_breached = ? WHERE id = ?", [(flag, tid) for tid, _, _, flag in changed]
    )
    weeks: dict[str, str] = {}
    for _, team, moment, _ in changed:
        weeks = st.merge_weeks(weeks, {team: iso_week(parse_time(moment))})
    return weeks


def _rejected(summary: SyncSummary, count: int, errors: tuple[str, ...]) -> None:
    summary.rejected += count
    summary.errors += list(errors[: max(0, ERRORS_KEPT - len(summary.errors))])


def _customers_without_team(db: sqlite_utils.Database) -> bool:
    return db.execute("SELECT 1 FROM customers WHERE team IS NULL OR team = '' LIMIT 1").fetchone() is not None


def _follow_case_index(db: sqlite_utils.Database, summary: SyncSummary) -> int | None:
    """Bring the saved similar-case index up to date, as an import does; the sync is committed either way."""
    if not (summary.added or summary.updated or summary.deleted):
        return None
    from smartstep.knowledge.search import update_saved_index

    try:
        return update_saved_index(db)
    except Exception as error:  # noqa: BLE001 - the data is saved; the index catches up on the next search
        summary.notes.append(f"the similar-case index will catch up on the next search ({error})")
        return None


def parse_since(text: str | None) -> datetime | None:
    """`--since 2026-01-01` (a date or a time) as the UTC moment a first run starts from."""
    if not text:
        return None
    try:
        return parse_time(text).astimezone(UTC)
    except ValueError:
        raise UserError(f"--since {text!r} is not a date like 2026-01-01") from None
