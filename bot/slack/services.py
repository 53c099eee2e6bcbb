"""What the Slack listeners depend on, passed in as one object: the store, the settings, thread memory.

Listeners run on a thread pool, and a SQLite connection belongs to the thread that opened it,
so each worker thread opens its own connection to the same file on first use.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import sqlite_utils

from smartstep.chat.context import load_context
from smartstep.chat.engine import Answer, Context, ConversationState, Skill, answer
from smartstep.db import open_db
from smartstep.settings import Settings
from smartstep.slack.health import UNAVAILABLE, StoreFile, StoreUnavailable
from smartstep.slack.store import claim_event

MAX_THREADS_REMEMBERED = 2000
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


class ThreadMemory:
    """Conversation state per Slack thread (or DM), least recently used forgotten first."""

    def __init__(self, size: int = MAX_THREADS_REMEMBERED) -> None:
        self.size = size
        self._states: OrderedDict[str, ConversationState] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> ConversationState:
        with self._lock:
            state = self._states.pop(key, None) or ConversationState()
            self._states[key] = state
            while len(self._states) > self.size:
                self._states.popitem(last=False)
            return state


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
    threads: ThreadMemory = field(default_factory=ThreadMemory, compare=False)
    recent_events: RecentIds = field(default_factory=RecentIds, compare=False)
    # Skills read and then write (advice log, feedback); two such transactions on different connections
    # make SQLite refuse one ("database is locked") rather than wait. Answers are CPU-bound under the GIL
    # anyway, so taking them one at a time costs little; Slack calls stay outside the lock.
    store_lock: threading.RLock = field(default_factory=threading.RLock, compare=False, repr=False)
    _local: threading.local = field(default_factory=threading.local, compare=False, repr=False)

    def db(self) -> sqlite_utils.Database:
        """This thread's connection to the store (migrations already applied by `build_app`).

        Raises StoreUnavailable when the file was deleted or replaced since start: the connection would
        still read and write the old, unlinked file, and every click recorded there would be lost."""
        if self.store_file is not None:
            self.store_file.check_present()
        database = getattr(self._local, "db", None)
        if database is None:
            try:
                database = open_db(self.db_path, migrate=False)
            except sqlite3.Error as error:  # a read-only disk refuses WAL's shared-memory file, say
                raise StoreUnavailable(UNAVAILABLE, f"{self.db_path} cannot be opened: {error}") from None
            self._local.db = database
        return database

    def first_delivery(self, body: dict) -> bool:
        """Claim an event in the store (survives restarts, shared by several processes): False for a retry.

        Called from listener threads, so the ack itself never waits on a database write.
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
        # Every recompute replaces rows, so new rowids appear: a cheap (indexed) change check.
        version = db.execute("SELECT max(rowid) FROM metric_values").fetchone()
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
        """Answer a metric question and a similar-case search, so the intent model is trained and the
        case index is loaded (or built) before the first real question arrives (in every worker)."""
        if self.answers is not None:
            self.answers.start()
            return
        self.ask("how is ticket volume?", "warm-up")
        self.ask("show similar cases for password reset email never arrives", "warm-up")

    def ask(self, text: str, thread_key: str, user: str | None = None) -> Answer:
        """One question through the shared conversation engine, remembering the thread for "why?"."""
        if self.answers is not None:
            return self.answers.ask(text, thread_key, user)
        with self.store_lock:
            return answer(text, self.threads.get(thread_key), self.context(user))

    def similar_cases(self, text: str, k: int = 5) -> list[dict[str, Any]]:
        """Solved cases like `text`, in the INTERFACE.md JSON shape."""
        if self.answers is not None:
            return self.answers.similar(text, k)
        from smartstep.knowledge import find_similar

        return [case.to_json() for case in find_similar(self.db(), text, k=k)]
