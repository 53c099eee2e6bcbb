"""What the bot, the advisor and the CLI call: similar solved cases for a text, from a cached index.

The index is loaded once per DB file and kept; before each query a single PRAGMA tells
whether anything was committed since (by this or another connection), and only then is
the tickets table summarised and the index brought up to date and saved. So a query
costs a query, and an import is followed without anyone asking for a rebuild.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from smartstep.errors import UserError
from smartstep.knowledge.cases import Case, index_text, load_cases, table_fingerprint
from smartstep.knowledge.confidence import close_floor
from smartstep.knowledge.features import words_of
from smartstep.knowledge.index import Hit, SimilarityIndex
from smartstep.knowledge.normalise import clean_text, redact, snippet, strip_subject_prefixes
from smartstep.knowledge.resolutions import common_resolutions
from smartstep.knowledge.store import (
    CaseIndex,
    apply_update,
    build_case_index,
    index_dir,
    load_case_index,
    plan_update,
    save_case_index,
    saved_fingerprint,
    saved_index_lock,
)

if TYPE_CHECKING:  # only a type here: the caller opens the store, and importing it loads pandas
    import sqlite_utils

EMPTY_QUERY = "The query is empty: describe the problem in a few words."
KEEP_WHILE_UPDATING = 300_000
"""Up to this many cases, a stale index keeps serving searches while its update is worked out."""
log = logging.getLogger("smartstep.knowledge")


@dataclass(frozen=True)
class SimilarCase:
    id: str
    title: str
    score: float
    resolution: str
    team: str
    solved_at: str
    product: str
    channel: str
    why_matched: tuple[str, ...]
    seen_count: int
    duplicates: tuple[str, ...]
    resolutions: tuple[tuple[str, int], ...] = ()  # the group's most common fixes, when they differ
    close: bool = True  # False: at best loosely related (score below the calibrated floor)
    seen_more: bool = False  # seen_count is a lower bound: more cases like it than the search looked at

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["why_matched"], data["duplicates"] = list(self.why_matched), list(self.duplicates)
        data["resolutions"] = [{"text": text, "count": count} for text, count in self.resolutions]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SimilarCase:
        """The case back from `to_json` (answer worker processes send cases as JSON)."""
        fields = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        fields["why_matched"] = tuple(fields.get("why_matched") or ())
        fields["duplicates"] = tuple(fields.get("duplicates") or ())
        fields["resolutions"] = tuple((r["text"], r["count"]) for r in fields.get("resolutions") or ())
        return cls(**fields)


@dataclass(frozen=True)
class Filters:
    team: str | None = None
    product: str | None = None
    channel: str | None = None
    solved_after: str | None = None
    ticket_ids: frozenset[str] | None = None
    """Only these cases: the tickets matching a cut by priority, type, tag or SLA (read from the store)."""

    def mask(self, case_index: CaseIndex) -> np.ndarray | None:
        """Rows that pass every filter (None when there is no filter): one vectorised pass per field."""
        mask = None
        if self.ticket_ids is not None:
            allowed = self.ticket_ids
            mask = np.fromiter((i in allowed for i in case_index.ids), dtype=bool, count=len(case_index.ids))
        columns = (case_index.teams, case_index.products, case_index.channels)
        for column, wanted in zip(columns, (self.team, self.product, self.channel), strict=True):
            if wanted:
                hit = column.equals_ignoring_case(wanted)
                mask = hit if mask is None else mask & hit
        if self.solved_after:
            hit = case_index.solved_at >= self.solved_after.encode("ascii", "replace")
            mask = hit if mask is None else mask & hit
        return mask


def solved_after_bound(text: str | None) -> str | None:
    """`--since 2026-03-01` -> the stored-time text it is compared with; a clear error if unparsable."""
    if not text:
        return None
    from smartstep.weeks import format_time, parse_time

    try:
        return format_time(parse_time(text))
    except ValueError:
        raise UserError(f"--since {text!r} is not a date like 2026-11-23") from None


@dataclass
class _Entry:
    case_index: CaseIndex
    token: tuple[int, int, int]


class IndexCache:
    """Case indexes by DB file, each followed to the tickets table with a cheap change check.

    One thread at a time brings an index up to date (the Slack app answers from several), and one
    process at a time updates the index saved beside a store (`saved_index_lock`): a process that
    waited for another (an import, a second bot) loads what that one saved. An update makes a new
    index and swaps it in, so searches already running keep a consistent one.

    With `connect` (path -> a connection of its own), an index found behind the store is brought
    up to date on a background thread while searches go on with the one in hand: after a big
    import the Slack app keeps answering (from the cases it had) instead of every question waiting
    for the update. Without it (the CLI, one question per process) the caller waits for it.
    """

    def __init__(self, connect: Callable[[str], Any] | None = None) -> None:
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._connect = connect
        self._refreshing: set[str] = set()
        self._refreshing_lock = threading.Lock()

    def get(self, db: sqlite_utils.Database) -> CaseIndex:
        path = _db_file(db)
        key = path or f"memory:{id(db.conn)}"
        token = _change_token(db)
        entry = self._entries.get(key)
        if entry is not None and entry.token == token:
            return entry.case_index
        if entry is not None and path and self._connect is not None:
            self._refresh_later(key, path)
            return entry.case_index
        with self._lock:
            return self._bring_up_to_date(db, key, path, token, keep_serving=False)

    def _refresh_later(self, key: str, path: str) -> None:
        with self._refreshing_lock:
            if key in self._refreshing:
                return
            self._refreshing.add(key)
        threading.Thread(target=self._refresh, args=(key, path), name="case-index-refresh", daemon=True).start()

    def _refresh(self, key: str, path: str) -> None:
        try:
            db = self._connect(path)
            try:
                with self._lock:
                    self._bring_up_to_date(db, key, path, _change_token(db), keep_serving=True)
            finally:
                db.close()
        except Exception:  # the searches go on with the index in hand; the next one tries again
            log.exception("could not bring the similar-case index of %s up to date", path)
        finally:
            with self._refreshing_lock:
                self._refreshing.discard(key)

    def _bring_up_to_date(
        self, db: sqlite_utils.Database, key: str, path: str, token: tuple, *, keep_serving: bool
    ) -> CaseIndex:
        entry = self._entries.get(key)
        if entry is not None and entry.token == token:  # another thread brought it up to date
            return entry.case_index
        with saved_index_lock(index_dir(path)) if path else contextlib.nullcontext():
            fingerprint = table_fingerprint(db)
            current = entry.case_index if entry else None
            # Searches on another thread may go on with the stale index meanwhile, unless it is big:
            # at a million cases two indexes do not fit in 3 GB, so the stale one goes first.
            keep = keep_serving and current is not None and len(current.ids) < KEEP_WHILE_UPDATING
            # Another process (an import, a second bot worker) may have saved the index as it is now:
            # loading that beats working the difference out again.
            behind = current is not None and current.fingerprint != fingerprint
            if path and (current is None or (behind and saved_fingerprint(index_dir(path)) == fingerprint)):
                if not keep:
                    self._entries.pop(key, None)
                current = load_case_index(index_dir(path))
            update = plan_update(db, current, fingerprint) if current is not None else None
            if current is None or (update is not None and update.rebuild):
                params = current.index.get_params() if current is not None else {}
                if not keep:
                    self._entries.pop(key, None)
                current = None
                case_index = build_case_index(db, SimilarityIndex(**params))
            elif update is not None:
                case_index = apply_update(db, current, update)
            else:
                case_index = current
            if case_index is not current and path:
                save_case_index(case_index, index_dir(path))
        self._entries[key] = _Entry(case_index, token)
        return case_index

    def forget(self, db: sqlite_utils.Database) -> None:
        self._entries.pop(_db_file(db) or f"memory:{id(db.conn)}", None)


def _db_file(db: sqlite_utils.Database) -> str:
    rows = db.execute("PRAGMA database_list").fetchall()
    return next((row[2] for row in rows if row[1] == "main"), "") or ""


def _change_token(db: sqlite_utils.Database) -> tuple[int, ...]:
    """Moves only when the tickets table changes (a trigger-kept counter, one row read), whichever
    connection or thread asks: other writes, such as Slack logging advice, leave the index alone."""
    try:
        return (int(db.execute("SELECT version FROM data_versions WHERE name = 'tickets'").fetchone()[0]),)
    except (TypeError, sqlite3.OperationalError):  # a store from before the counter existed
        return id(db.conn), int(db.execute("PRAGMA data_version").fetchone()[0]), int(db.conn.total_changes)


DEFAULT_CACHE = IndexCache()


def update_saved_index(db: sqlite_utils.Database) -> int | None:
    """Bring the index saved beside the store in step with it (after an import), so the next question
    does not pay for the update; the number of cases, or None when no index has been saved yet."""
    path = _db_file(db)
    if not path or saved_fingerprint(index_dir(path)) is None:
        return None
    return int(IndexCache().get(db).index.alive_.sum())


def find_similar(
    db: sqlite_utils.Database,
    text: str,
    k: int = 5,
    team: str | None = None,
    product: str | None = None,
    channel: str | None = None,
    solved_after: str | None = None,
    cache: IndexCache | None = None,
    where: dict[str, str] | None = None,
) -> list[SimilarCase]:
    """The k solved cases most like `text`, best first; near-duplicates folded into one with a count.

    `where` cuts by the ticket fields the index does not hold ({"priority": "urgent", "tag": "vip"})."""
    query = clean_text(text)
    if not query.strip():
        raise UserError(EMPTY_QUERY)
    case_index = (cache or DEFAULT_CACHE).get(db)
    filters = Filters(team, product, channel, solved_after_bound(solved_after), _matching(db, where))
    if not case_index.ids:
        return []
    hits = case_index.index.search(query, k, filters.mask(case_index))
    ids = case_index.ids
    return _describe(case_index, query, hits, load_cases(db, [ids[r] for h in hits for r in (h.row, *h.duplicates)]))


def find_similar_batch(
    db: sqlite_utils.Database,
    texts: Sequence[str],
    k: int = 5,
    cache: IndexCache | None = None,
    where: dict[str, str] | None = None,
    **filters: str | None,
) -> list[list[SimilarCase]]:
    """What `find_similar` gives, for many texts at once: searched together, every shown case read in
    one pass over the store (not one read per query)."""
    case_index = (cache or DEFAULT_CACHE).get(db)
    queries = [clean_text(t) for t in texts]
    if not case_index.ids:
        return [[] for _ in queries]
    wanted = Filters(
        filters.get("team"),
        filters.get("product"),
        filters.get("channel"),
        solved_after_bound(filters.get("solved_after")),
        _matching(db, where),
    )
    hits = case_index.index.search_batch(queries, k, wanted.mask(case_index))
    hits = [row if q.strip() else [] for q, row in zip(queries, hits, strict=True)]
    ids = case_index.ids
    cases = load_cases(db, {ids[r] for row in hits for h in row for r in (h.row, *h.duplicates)})
    return [_describe(case_index, q, row, cases) for q, row in zip(queries, hits, strict=True)]


def _matching(db: sqlite_utils.Database, where: dict[str, str] | None) -> frozenset[str] | None:
    """Ids of the tickets in a cut (None: no cut)."""
    if not where:
        return None
    from smartstep.metrics.segments import check_where, where_sql

    condition, params = where_sql(check_where(where))
    return frozenset(str(r[0]) for r in db.execute(f"SELECT t.id FROM tickets t WHERE {condition}", params))


def looks_like_garbage(text: str) -> bool:
    """True when a query has no word the index could use: say so instead of showing noise."""
    return not any(any(c.isalpha() for c in w) and len(w) > 2 for w in words_of(clean_text(text)))


def _describe(case_index: CaseIndex, query: str, hits: list[Hit], cases: dict[str, Case]) -> list[SimilarCase]:
    ids = case_index.ids
    floor = close_floor(query)
    out = []
    for hit in hits:
        case = cases.get(ids[hit.row])
        if case is None:  # reopened since the last change check; the next query re-syncs
            continue
        # A folded duplicate may be the one where the agent wrote the fix down.
        fixes = [cases[ids[r]].resolution for r in (hit.row, *hit.duplicates) if ids[r] in cases]
        resolution = next((fix for fix in fixes if fix.strip()), "")
        common = common_resolutions(fixes) if hit.duplicates else []
        out.append(
            SimilarCase(
                id=case.id,
                title=redact(strip_subject_prefixes(case.title)),
                score=hit.score,
                resolution=snippet(resolution),
                team=case.team,
                solved_at=case.solved_at,
                product=case.product,
                channel=case.channel,
                why_matched=tuple(case_index.index.shared_terms(query, index_text(case))),
                seen_count=1 + len(hit.duplicates),
                duplicates=tuple(ids[r] for r in hit.duplicates),
                resolutions=tuple((snippet(text, 120), n) for text, n in common) if len(common) > 1 else (),
                close=hit.score >= floor,
                seen_more=hit.more,
            )
        )
    return out
