"""Repeated problems without a knowledge article: a per-team signal for the rule engine.

Practitioners estimate most support work repeats earlier work; a problem solved by hand
again and again, never citing an article, is the clearest case for writing one. This groups
the solved tickets of recent weeks into problems (`problem_groups`: codes kept, linear in the
number of tickets) and reports, per team, the largest group whose resolutions almost never cite
an article, with the number of its tickets that cite none.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import sqlite_utils

from smartstep.advice.problem_groups import group_problems
from smartstep.weeks import format_time, shift_week, week_end, week_start

ARTICLE = re.compile(r"\bKB-?\d+\b|/kb/|/articles?/|help ?cent(er|re)|knowledge ?base|\barticle\b", re.IGNORECASE)
SIGNAL = "repeated_problem"
WEEKS = 8
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
    labels = group_problems([s for s, _ in tickets], [r for _, r in tickets])
    cites = np.array([bool(ARTICLE.search(resolution)) for _, resolution in tickets])
    sizes = np.bincount(labels)
    unwritten_by_group = np.bincount(labels, weights=(~cites).astype(float))
    best: tuple[int, str] | None = None
    for group in np.argsort(-unwritten_by_group, kind="stable"):
        size = int(sizes[group])
        unwritten = int(unwritten_by_group[group])
        if best is not None and unwritten <= best[0]:
            break
        if size < 2 or unwritten < UNWRITTEN_SHARE * size:
            continue
        members = np.flatnonzero(labels == group)
        best = (unwritten, Counter(tickets[i][0] for i in members).most_common(1)[0][0])
    return best


def repeated_problem_signals(db: sqlite_utils.Database, current: str) -> dict[tuple[str, str], tuple[float, str]]:
    """The engine's plain-data form: (team, 'repeated_problem') -> (tickets, label)."""
    return {(team, SIGNAL): (float(p.tickets), p.label) for team, p in find_repeated_problems(db, current).items()}
