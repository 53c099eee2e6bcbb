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
import pickle
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from smartstep.chat.engine import Answer
from smartstep.rules.loader import RuleSet
from smartstep.settings import Settings
from smartstep.slack.health import StoreFile
from smartstep.slack.services import SkillFactory, SlackServices

ANSWER_TIMEOUT = 60.0  # seconds; far beyond any answer, short of a request hanging for ever
log = logging.getLogger("smartstep.slack")


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


def _serve(setup: WorkerSetup, conn: Connection) -> None:
    """A worker process: build the answering services, then answer what arrives until the app's end of
    the pipe closes (the app stopped, or was killed: then `recv` fails and the worker exits)."""
    from smartstep.errors import UserError
    from smartstep.slack.advisor import advisor_skills, followed_rules

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s[worker]: %(message)s")
    parent = os.getppid()
    threading.Thread(target=_exit_with_parent, args=(parent,), name="smartstep-orphan-check", daemon=True).start()
    fixed = setup.rules
    rules: Callable[[], RuleSet] = (lambda: fixed) if fixed is not None else followed_rules(setup.settings)
    default_skills, top_steps = advisor_skills(setup.settings, rules, setup.as_of)
    services = SlackServices(
        settings=setup.settings,
        db_path=setup.db_path,
        as_of=setup.as_of,
        skills=setup.skills if setup.skills is not None else default_skills,
        top_steps=top_steps,
        store_file=setup.store,
    )
    if setup.warm_up:
        services.warm_up()
    calls: dict[str, Callable[..., Any]] = {
        "pid": os.getpid,
        "ask": services.ask,
        "top_steps": services.current_top_steps,
        "similar": lambda text, k: [case.to_json() for case in services.similar_cases(text, k)],
    }
    while True:
        try:
            name, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[bool, Any] = (True, calls[name](*args))
        except Exception as error:  # sent back and raised in the app's process, where it is reported
            if not isinstance(error, UserError):
                log.error("answering %s failed", name, exc_info=error)  # the traceback stays in this process
            reply = (False, error)
        try:
            conn.send(reply)
        except (pickle.PicklingError, TypeError, AttributeError):
            conn.send((False, RuntimeError(f"{type(reply[1]).__name__} in an answer worker")))


def _exit_with_parent(parent: int) -> None:
    """Stop within a second of the app's process dying, even in the middle of a warm-up."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


class WorkerGone(Exception):
    """The worker process died or hung while answering; a new one takes its place."""


class _Worker:
    """One worker process and the pipe to it; one question at a time (the process is single-threaded)."""

    def __init__(self, setup: WorkerSetup) -> None:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: never fork a process with threads
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(setup, child), name="smartstep-answers", daemon=True)
        self.process.start()
        child.close()
        self.lock = threading.Lock()

    def call(self, name: str, *args: Any) -> Any:
        with self.lock:
            try:
                self.conn.send((name, args))
                if not self.conn.poll(ANSWER_TIMEOUT):
                    raise WorkerGone(f"no answer within {ANSWER_TIMEOUT:.0f} s")
                ok, value = self.conn.recv()
            except (EOFError, OSError) as error:
                raise WorkerGone(f"{type(error).__name__}") from None
        if ok:
            return value
        raise value

    def stop(self) -> None:
        self.conn.close()  # the worker's recv fails and it returns
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)


class AnswerWorkers:
    """`count` worker processes; a thread's questions always go to the same one."""

    def __init__(self, setup: WorkerSetup, count: int) -> None:
        self.setup = setup
        self.count = max(1, count)
        self._lock = threading.Lock()
        self._workers = [_Worker(setup) for _ in range(self.count)]  # started now: warming up meanwhile

    def start(self) -> list[int]:
        """Wait until every worker is ready (warmed up); their process ids."""
        return [self._call(index, "pid") for index in range(self.count)]

    def ask(self, text: str, thread_key: str, user: str | None) -> Answer:
        return self._call(self._index(thread_key), "ask", text, thread_key, user)

    def top_steps(self) -> list[dict[str, Any]] | None:
        return self._call(self._index("home"), "top_steps")

    def similar(self, text: str, k: int) -> list[dict[str, Any]]:
        return self._call(self._index(text), "similar", text, k)

    def _index(self, key: str) -> int:
        return zlib.crc32(key.encode("utf-8", "replace")) % self.count

    def _call(self, index: int, name: str, *args: Any) -> Any:
        worker = self._workers[index]
        try:
            return worker.call(name, *args)
        except WorkerGone as gone:
            # This question fails with the friendly sentence; the next one gets a fresh worker.
            with self._lock:
                if self._workers[index] is worker:
                    log.error("answer worker %d stopped (%s); starting a new one", index, gone)
                    worker.process.kill()
                    self._workers[index] = _Worker(self.setup)
            raise

    def close(self) -> None:
        for worker in self._workers:
            worker.stop()
