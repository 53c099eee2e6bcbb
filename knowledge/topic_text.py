"""The text a ticket's topic is read from, cleaned like the case index's, in parallel for large batches.

Cleaning (replies, signatures, greetings, logs, personal data) is most of the cost of topics: about
45 µs a ticket, 4.5 s of 100,000. Batches that large are cleaned by forked worker processes when the
process has a single thread (the CLI, the clock's job runs in its own thread and so stays serial, as
does the threaded Slack app: forking a threaded process can deadlock, and spawning re-imports the
caller's main module).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from smartstep.knowledge.normalise import clean_text

BODY_CHARS = 600  # the start of a description names the problem; the rest is logs and history
PARALLEL_FROM = 20_000  # below this, starting workers costs more than it saves
_CHUNK = 2_000


def ticket_text(subject: str | None, description: str | None) -> tuple[str, str]:
    """(what a topic is read from, the cleaned subject): the subject, then the body's start, cleaned in one
    pass (half the cost of two; a greeting line left in the body is stop words). The subject counts once:
    counted twice, its phrasing split one problem into several topics on planted paraphrases."""
    subject = " ".join((subject or "").split())
    body = (description or "")[:BODY_CHARS]
    text = clean_text(f"{subject}\n{body}" if subject else body)
    return text, (text.split("\n", 1)[0] if subject else "")


def _texts(pairs: Sequence[tuple[str | None, str | None]]) -> list[tuple[str, str]]:
    return [ticket_text(subject, description) for subject, description in pairs]


def ticket_texts(pairs: Sequence[tuple[str | None, str | None]], workers: int | None = None) -> list[tuple[str, str]]:
    """`ticket_text` of every (subject, description), in order; in worker processes for large batches."""
    workers = workers if workers is not None else min(4, os.cpu_count() or 1)
    alone = threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()
    if len(pairs) < PARALLEL_FROM or workers < 2 or not alone:
        return _texts(pairs)
    chunks = [pairs[i : i + _CHUNK] for i in range(0, len(pairs), _CHUNK)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return [text for part in pool.map(_texts, chunks) for text in part]
