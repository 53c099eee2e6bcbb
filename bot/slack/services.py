"""What the Slack listeners depend on, passed in as one object: the store, the settings, the
conversations (each thread's state lives in the store, so follow-ups survive restarts).

Bolt's listener threads only acknowledge; everything that reads or writes the store runs on the
store workers here (`run_later`), so a write waiting for an import never holds up an ack. A SQLite
connection belongs to the thread that opened it, so each worker opens its own on first use.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import sqlite_utils

from smartstep.chat.context import load_context
from smartstep.chat.conversation import Answer, Context, Skill
from smartstep.chat.engine import answer
from smartstep.chat.sessions import load_session, save_session
from smartstep.db import WaitNote, open_db
from smartstep.knowledge import IndexCache
from smartstep.knowledge.search import SimilarCase
from smartstep.metrics.freshness import with_freshness
from smartstep.settings import Settings
from smartstep.slack.health import UNAVAILABLE, StoreFile, StoreUnavailable
from smartstep.slack.store import claim_event

STORE_WORKERS = 4  # answers are CPU-bound under one GIL; more threads only slow each other
WRITE_WAIT = 30 * 60.0
"""How long the bot's own writes (event claims, the advice log, ratings) wait for an import to commit
before the user is told the store is busy: far longer than any import holds the store."""
log = logging.getLogger("smartstep.slack")
# Builds the engine's skills (advisor, similar cases, ...) over one thread's connection to the store,
# for the Slack user asking (feedback in words is recorded as theirs).
SkillFactory = Callable[[sqlite_utils.Database, str], dict[str, Skill]]
# The advisor's current ranking in the advice JSON shape, read without logging it (for App Home).
TopSteps = Callable[[sqlite_utils.Database], list[dict[str, Any]]]


class Answerer(Protocol):
    """Where the CPU-bound work goes when it does not run in this process (`workers.AnswerWorkers`)."""

    def start(self) -> object: ...

    def ask(self, text: str, thread_key: str, user: str | None) -> Answer: ...

    def top_steps(self) -> list[dict[str, Any]] | None: ...

    def similar(self, text: str, k: int) -> list[dict[str, Any]]: ...


class RecentIds:
    """Event ids seen by this process lately: the ack path's duplicate check, with no I/O."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, key: str) -> bool:
        """True when `key` is new."""
        with self._lock:
            if key in self._ids:
                return False
            self._ids[key] = None
            if len(self._ids) > self.size:
                self._ids.popitem(last=False)
            return True


@dataclass(frozen=True)
class SlackServices:
    settings: Settings
    db_path: Path
    as_of: datetime | None = None
    skills: SkillFactory | None = None
    top_steps: TopSteps | None = None
    store_file: StoreFile | None = None  # the file opened at start: a deleted or replaced store is refused
    answers: Answerer | None = None  # worker processes that answer questions; None: answer in this process
    recent_events: RecentIds = field(default_factory=RecentIds, compare=False)
    # Skills read and then write (advice log, feedback); two such transactions on different connections
    # make SQLite refuse one ("database is locked") rather than wait. Answers are CPU-bound under the GIL
    # anyway, so taking them one at a time costs little; Slack calls stay outside the lock.
    store_lock: threading.RLock = field(default_factory=threading.RLock, compare=False, repr=False)
    write_wait: float = WRITE_WAIT
    cases: IndexCache = field(default_factory=IndexCache, compare=False, repr=False)
    _local: threading.local = field(default_factory=threading.local, compare=False, repr=False)
    workers: Executor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=STORE_WORKERS, thread_name_prefix="smartstep-store"),
        compare=False,
        repr=False,
    )

    def db(self) -> sqlite_utils.Database:
        """This thread's connection to the store (migrations already applied by `build_app`). Its writes
        wait for an import to commit (up to `write_wait`), logging that they wait.

        Raises StoreUnavailable when the file was deleted or replaced since start: the connection would
        still read and write the old, unlinked file, and every click recorded there would be lost."""
        if self.store_file is not None:
            self.store_file.check_present()
        database = getattr(self._local, "db", None)
        if database is None:
            try:
                database = open_db(self.db_path, migrate=False, write_wait=self.write_wait)
            except sqlite3.Error as error:  # a read-only disk refuses WAL's shared-memory file, say
                raise StoreUnavailable(UNAVAILABLE, f"{self.db_path} cannot be opened: {error}") from None
            database.on_write_wait = WaitNote(database, log.info)
            self._local.db = database
        return database

    def run_later(self, work: Callable[[], None]) -> None:
        """Run `work` on a store worker: the listener thread returns at once, free to acknowledge the next
        request, however long the work then waits for the store. `work` reports its own failures."""
        self.workers.submit(work)

    def first_delivery(self, body: dict) -> bool:
        """Claim an event in the store (survives restarts, shared by several processes): False for a retry.

        Runs on a store worker, after the ack; during an import the claim waits for its commit.
        """
        event_id = body.get("event_id")
        return not event_id or claim_event(self.db(), str(event_id))

    def current_top_steps(self) -> list[dict[str, Any]] | None:
        if self.answers is not None:
            return self.answers.top_steps()
        if self.top_steps is None:
            return None
        with self.store_lock:
            return self.top_steps(self.db())

    def is_admin(self, user: str | None) -> bool:
        return bool(user) and user in self.settings.admins

    def context(self, user: str | None = None) -> Context:
        """The conversation facts, reloaded only when the metric store changed since the last question,
        with the skills for `user` added (building them is cheap: closures over this thread's connection)."""
        db = self.db()
        # Every recompute replaces rows, so new rowids appear: a cheap (indexed) change check; notes likewise.
        version = db.execute(
            "SELECT (SELECT max(rowid) FROM metric_values), (SELECT max(rowid) FROM notes), "
            "(SELECT count(*) FROM notes)"
        ).fetchone()
        cached = getattr(self._local, "context", None)
        if cached and cached[0] == version:
            base = cached[1]
        else:
            base = load_context(db, self.as_of)
            self._local.context = (version, base)
        if self.skills is None:
            return base
        return replace(base, skills={**base.skills, **self.skills(db, user or "slack")})

    def warm_up(self) -> None:
        """Answer a metric question, a similar-case search, the repeated problems and the advisor's
        ranking (not logged), so the intent model is trained and the case index, clusters and signals
        are loaded before the first real question arrives (in every worker, when there are workers)."""
        if self.answers is not None:
            self.answers.start()
            return
        self.ask("how is ticket volume?", "warm-up")
        self.ask("show similar cases for password reset email never arrives", "warm-up")
        self.ask("repeated problems", "warm-up")
        self.current_top_steps()

    def ask(self, text: str, thread_key: str, user: str | None = None) -> Answer:
        """One question through the shared conversation engine, with the thread's state read from and
        written back to the store (so any worker process can carry a thread on)."""
        if self.answers is not None:
            return self.answers.ask(text, thread_key, user)
        with self.store_lock:
            db = self.db()
            state = load_session(db, thread_key)
            reply = answer(text, state, self.context(user))
            save_session(db, thread_key, state)
            return with_freshness(reply, db, self.settings.stale_after_hours, self.as_of)

    def similar_cases(self, text: str, k: int = 5) -> list[SimilarCase]:
        """Solved cases like `text` (from a worker process when there are workers)."""
        if self.answers is not None:
            return [SimilarCase.from_json(case) for case in self.answers.similar(text, k)]
        from smartstep.knowledge import find_similar

        return find_similar(self.db(), text, k=k, cache=self.cases)
