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


@dataclass(frozen=True)
class SlackServices:
    settings: Settings
    db_path: Path
    as_of: datetime | None = None
    skills: SkillFactory | None = None
    threads: ThreadMemory = field(default_factory=ThreadMemory, compare=False)
    _local: threading.local = field(default_factory=threading.local, compare=False, repr=False)

    def db(self) -> sqlite_utils.Database:
        """This thread's connection to the store (migrations already applied by `build_app`)."""
        database = getattr(self._local, "db", None)
        if database is None:
            database = open_db(self.db_path, migrate=False)
            self._local.db = database
        return database

    def is_admin(self, user: str | None) -> bool:
        return bool(user) and user in self.settings.admins

    def context(self) -> Context:
        """The conversation facts, reloaded only when the metric store changed since the last question."""
        db = self.db()
        version = db.execute(
            "SELECT (SELECT max(rowid) FROM metric_values), (SELECT count(*) FROM metric_values),"
            " (SELECT max(created_at) FROM tickets)"
        ).fetchone()
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
