"""Repeated problems without a knowledge article: a per-team signal for the rule engine.

Practitioners estimate most support work repeats earlier work; a problem solved by hand
again and again, never citing an article, is the clearest case for writing one. This reads
the solved tickets of recent weeks, keeps those whose resolution cites no article, groups
alike tickets (TF-IDF over subject and resolution, linked above a cosine threshold) and
reports each team's largest group.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import sqlite_utils
from smartstep.knowledge.terms import content_terms
from smartstep.weeks import format_time, shift_week, week_end, week_start

ARTICLE = re.compile(r"\bKB-?\d+\b|/kb/|/articles?/|help ?cent(er|re)|knowledge ?base|\barticle\b", re.IGNORECASE)
SIGNAL = "repeated_problem"
WEEKS = 8
LINK = 0.45  # cosine similarity above which two tickets count as the same problem


@dataclass(frozen=True)
class RepeatedProblem:
    team: str
    tickets: int
    label: str  # the most common subject in the group


def find_repeated_problems(db: sqlite_utils.Database, current: str, weeks: int = WEEKS) -> dict[str, RepeatedProblem]:
    """Each team's largest group of alike tickets solved without an article in the last `weeks` weeks."""
    since = format_time(week_start(shift_week(current, -(weeks - 1))))
    until = format_time(week_end(current))
    rows = db.execute(
        "SELECT team, subject, resolution FROM tickets WHERE solved_at >= ? AND solved_at < ? ORDER BY team, id",
        [since, until],
    ).fetchall()
    by_team: dict[str, list[tuple[str, str]]] = {}
    for team, subject, resolution in rows:
        if resolution and not ARTICLE.search(resolution):
            by_team.setdefault(team, []).append((subject or "", resolution))
    out = {}
    for team, tickets in by_team.items():
        found = largest_group(tickets)
        if found is not None:
            out[team] = RepeatedProblem(team, found[0], found[1])
    return out


def _tfidf(docs: list[list[str]]) -> np.ndarray:
    """L2-normalised TF-IDF rows (numpy only: this runs on every next-step, so no heavy imports)."""
    vocab: dict[str, int] = {}
    for doc in docs:
        for term in doc:
            vocab.setdefault(term, len(vocab))
    matrix = np.zeros((len(docs), len(vocab)), dtype=np.float32)
    for row, doc in enumerate(docs):
        for term, count in Counter(doc).items():
            matrix[row, vocab[term]] = 1.0 + np.log(count)
    df = (matrix > 0).sum(axis=0)
    matrix *= np.log((1 + len(docs)) / (1 + df)) + 1.0
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def _components(linked: np.ndarray) -> np.ndarray:
    """Connected-component labels of a symmetric boolean adjacency matrix (min-label propagation)."""
    labels = np.arange(len(linked))
    while True:
        spread = np.where(linked, labels[None, :], len(linked)).min(axis=1)
        new = np.minimum(labels, spread)
        new = new[new]  # jump to the label's own label: converges in few rounds
        if np.array_equal(new, labels):
            return labels
        labels = new


def largest_group(tickets: list[tuple[str, str]]) -> tuple[int, str] | None:
    """(size, label) of the biggest connected group of alike (subject, resolution) pairs."""
    docs = [content_terms(f"{s} {s} {r}") for s, r in tickets]
    if len(docs) < 2 or not any(docs):
        return None
    matrix = _tfidf(docs)
    labels = _components((matrix @ matrix.T) >= LINK)
    biggest = int(np.bincount(labels).argmax())
    members = [tickets[i][0] for i in np.flatnonzero(labels == biggest)]
    return len(members), Counter(members).most_common(1)[0][0]


def repeated_problem_signals(db: sqlite_utils.Database, current: str) -> dict[tuple[str, str], tuple[float, str]]:
    """The engine's plain-data form: (team, 'repeated_problem') -> (tickets, label)."""
    return {(team, SIGNAL): (float(p.tickets), p.label) for team, p in find_repeated_problems(db, current).items()}
