"""Repeated problems without a knowledge article: a per-team signal for the rule engine.

Practitioners estimate most support work repeats earlier work; a problem solved by hand
again and again, never citing an article, is the clearest case for writing one. This groups
the solved tickets of recent weeks by likeness (TF-IDF over subject and resolution, linked
above a cosine threshold) and reports, per team, the largest group whose resolutions almost
never cite an article.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import sqlite_utils
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer

from smartstep.weeks import format_time, shift_week, week_end, week_start

ARTICLE = re.compile(r"\bKB-?\d+\b|/kb/|/articles?/|help ?cent(er|re)|knowledge ?base|\barticle\b", re.IGNORECASE)
SIGNAL = "repeated_problem"
WEEKS = 8
LINK = 0.45  # cosine similarity above which two tickets count as the same problem
_WORD = r"(?u)\b[^\W\d_][^\W\d_]+\b"  # words of letters: amounts and ids would only split groups
UNWRITTEN_SHARE = 0.8  # a group counts when at least this share of its resolutions cite no article


@dataclass(frozen=True)
class RepeatedProblem:
    team: str
    tickets: int
    label: str  # the most common subject in the group


def find_repeated_problems(db: sqlite_utils.Database, current: str, weeks: int = WEEKS) -> dict[str, RepeatedProblem]:
    """Each team's largest group of alike tickets solved (almost) never with an article, last `weeks` weeks."""
    since = format_time(week_start(shift_week(current, -(weeks - 1))))
    until = format_time(week_end(current))
    rows = db.execute(
        "SELECT team, subject, resolution FROM tickets WHERE solved_at >= ? AND solved_at < ? AND resolution != ''"
        " ORDER BY team, id",
        [since, until],
    ).fetchall()
    by_team: dict[str, list[tuple[str, str]]] = {}
    for team, subject, resolution in rows:
        by_team.setdefault(team, []).append((subject or "", resolution))
    out = {}
    for team, tickets in by_team.items():
        found = largest_unwritten_group(tickets)
        if found is not None:
            out[team] = RepeatedProblem(team, found[0], found[1])
    return out


def largest_unwritten_group(tickets: list[tuple[str, str]]) -> tuple[int, str] | None:
    """(tickets, label) of the biggest group of alike problems whose resolutions (almost) never cite an article.

    Grouping every solved ticket, not only those without an article, keeps a well-documented
    problem with a few hand-written answers from counting as undocumented.
    """
    if len(tickets) < 2:
        return None
    texts = [f"{subject} {subject} {resolution}" for subject, resolution in tickets]
    try:
        matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True, token_pattern=_WORD).fit_transform(texts)
    except ValueError:  # no words at all
        return None
    _, labels = connected_components((matrix @ matrix.T) >= LINK, directed=False)
    cites = np.array([bool(ARTICLE.search(resolution)) for _, resolution in tickets])
    best: tuple[int, str] | None = None
    for group, size in enumerate(np.bincount(labels)):
        if size < 2:
            continue
        members = np.flatnonzero(labels == group)
        unwritten = int((~cites[members]).sum())
        if unwritten >= UNWRITTEN_SHARE * size and (best is None or unwritten > best[0]):
            best = (unwritten, Counter(tickets[i][0] for i in members).most_common(1)[0][0])
    return best


def repeated_problem_signals(db: sqlite_utils.Database, current: str) -> dict[tuple[str, str], tuple[float, str]]:
    """The engine's plain-data form: (team, 'repeated_problem') -> (tickets, label)."""
    return {(team, SIGNAL): (float(p.tickets), p.label) for team, p in find_repeated_problems(db, current).items()}
