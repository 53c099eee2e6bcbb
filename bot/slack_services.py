"""What the Slack listeners depend on, passed in as one object: the store, the settings, thread memory.

Listeners run on a thread pool, and a SQLite connection belongs to the thread that opened it,
so each worker thread opens its own connection to the same file on first use.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import sqlite_utils
from smartstep.context import load_context
from smartstep.conversation import Answer, Context, ConversationState, Skill, answer
from smartstep.db import open_db
from smartstep.settings import Settings
from smartstep.slack_store import claim_event

MAX_THREADS_REMEMBERED = 2000
# Builds the engine's skills (advisor, similar cases, ...) over one thread's connection to the store.
SkillFactory = Callable[[sqlite_utils.Database], dict[str, Skill]]


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
    threads: ThreadMemory = field(default_factory=ThreadMemory, compare=False)
    recent_events: RecentIds = field(default_factory=RecentIds, compare=False)
    _local: threading.local = field(default_factory=threading.local, compare=False, repr=False)

    def db(self) -> sqlite_utils.Database:
        """This thread's connection to the store (migrations already applied by `build_app`)."""
        database = getattr(self._local, "db", None)
        if database is None:
            database = open_db(self.db_path, migrate=False)
            self._local.db = database
        return database

    def first_delivery(self, body: dict) -> bool:
        """Claim an event in the store (survives restarts, shared by several processes): False for a retry.

        Called from listener threads, so the ack itself never waits on a database write.
        """
        event_id = body.get("event_id")
        return not event_id or claim_event(self.db(), str(event_id))

    def is_admin(self, user: str | None) -> bool:
        return bool(user) and user in self.settings.admins

    def context(self) -> Context:
        """The conversation facts, reloaded only when the metric store changed since the last question."""
        db = self.db()
        # Every recompute replaces rows, so new rowids appear: a cheap (indexed) change check.
        version = db.execute("SELECT max(rowid) FROM metric_values").fetchone()
        cached = getattr(self._local, "context", None)
        if cached and cached[0] == version:
            return cached[1]
        fresh = load_context(db, self.as_of)
        if self.skills is not None:
            fresh = replace(fresh, skills={**fresh.skills, **self.skills(db)})
        self._local.context = (version, fresh)  # per thread: injected skills may hold this thread's connection
        return fresh

    def warm_up(self) -> None:
        """Answer one question so models the engine trains on first use are ready before Slack asks."""
        self.ask("how is ticket volume?", "warm-up")

    def ask(self, text: str, thread_key: str) -> Answer:
        """One question through the shared conversation engine, remembering the thread for "why?"."""
        return answer(text, self.threads.get(thread_key), self.context())
