"""Answering in worker processes: the questions' CPU work on every core, the HTTP process free to ack.

An answer is 4-15 ms of pure Python (intent model, rules, case search), and under one interpreter
lock a burst of mentions queues behind itself: the last of 20 waited over a second. Here each worker
is a process of its own (started fresh, not forked from a process with threads) with its own store
connection, models and conversation memory. A thread's questions always go to the same worker (the
CRC-32 of its channel and thread), so "why?" finds the answer it is about. Workers write to the store
(the advice log, feedback in words) through `write_transaction`, which waits for the write lock, so
two workers take turns instead of failing. Event ids are claimed in the store by the app's process,
before a question is handed over, so a retry is never answered twice however many workers there are.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from smartstep.chat.engine import Answer
from smartstep.rules.loader import RuleSet
from smartstep.settings import Settings
from smartstep.slack.health import StoreFile
from smartstep.slack.services import SkillFactory, SlackServices

ANSWER_TIMEOUT = 60.0  # seconds; far beyond any answer, short of a request hanging for ever
log = logging.getLogger("smartstep.slack")
T = TypeVar("T")


def default_count() -> int:
    """One worker per core the process may use (at most 4: past that, memory grows faster than speed)."""
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


@dataclass(frozen=True)
class WorkerSetup:
    """What a worker needs to answer like the app would; sent to each worker process (picklable)."""

    settings: Settings
    db_path: Path
    store: StoreFile  # the file the app opened: a worker started later still refuses a replaced one
    as_of: datetime | None = None
    skills: SkillFactory | None = None  # a module-level function (tests); None: the advisor's skills
    rules: RuleSet | None = None  # a fixed rule base (tests); None: the one in force, followed on disk
    warm_up: bool = True


_services: SlackServices | None = None  # inside a worker process: its answering services


def _start_worker(setup: WorkerSetup, parent: int) -> None:
    global _services
    from smartstep.slack.advisor import advisor_skills, followed_rules

    threading.Thread(target=_exit_with_parent, args=(parent,), name="smartstep-orphan-check", daemon=True).start()
    fixed = setup.rules
    rules: Callable[[], RuleSet] = (lambda: fixed) if fixed is not None else followed_rules(setup.settings)  # type: ignore[assignment,return-value]
    default_skills, top_steps = advisor_skills(setup.settings, rules, setup.as_of)
    _services = SlackServices(
        settings=setup.settings,
        db_path=setup.db_path,
        as_of=setup.as_of,
        skills=setup.skills if setup.skills is not None else default_skills,
        top_steps=top_steps,
        store_file=setup.store,
    )
    if setup.warm_up:
        _services.warm_up()


def _exit_with_parent(parent: int) -> None:
    """A worker whose app process died (kill -9 leaves no time to stop it) stops too, within a second."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _worker() -> SlackServices:
    assert _services is not None, "called outside a started worker"
    return _services


def _ping() -> int:
    return os.getpid()


def _ask(text: str, thread_key: str, user: str | None) -> Answer:
    return _worker().ask(text, thread_key, user)


def _top_steps() -> list[dict[str, Any]] | None:
    return _worker().current_top_steps()


def _similar(text: str, k: int) -> list[dict[str, Any]]:
    return _worker().similar_cases(text, k)


class AnswerWorkers:
    """`count` worker processes, each a one-process pool so a thread can be sent to the same one."""

    def __init__(self, setup: WorkerSetup, count: int) -> None:
        self.setup = setup
        self.count = max(1, count)
        self._lock = threading.Lock()
        self._pools = [self._new_pool() for _ in range(self.count)]

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self.setup, os.getpid()),
        )

    def start(self) -> list[int]:
        """Start every worker now (and warm it up) instead of on its first question; their process ids."""
        return [self._call(index, _ping) for index in range(self.count)]

    def ask(self, text: str, thread_key: str, user: str | None) -> Answer:
        return self._call(self._index(thread_key), _ask, text, thread_key, user)

    def top_steps(self) -> list[dict[str, Any]] | None:
        return self._call(self._index("home"), _top_steps)

    def similar(self, text: str, k: int) -> list[dict[str, Any]]:
        return self._call(self._index(text), _similar, text, k)

    def _index(self, key: str) -> int:
        return zlib.crc32(key.encode("utf-8", "replace")) % self.count

    def _call(self, index: int, function: Callable[..., T], *args: Any) -> T:
        pool = self._pools[index]
        try:
            return pool.submit(function, *args).result(timeout=ANSWER_TIMEOUT)
        except BrokenProcessPool:
            # The worker died (killed, out of memory): this question fails with the friendly sentence,
            # the next one gets a fresh worker.
            with self._lock:
                if self._pools[index] is pool:
                    log.error("answer worker %d stopped; starting a new one", index)
                    self._pools[index] = self._new_pool()
            raise

    def close(self) -> None:
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)
