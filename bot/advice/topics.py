"""Topics: what customers write about, per team and week, and which topics are new or growing.

Recent tickets (every status: a new problem is mostly open tickets) are grouped per team by the
case index's cleaning and word features (`knowledge.grouping`); each topic is named by the words
its tickets share, counted per week (tickets, distinct customers) and scored where enough
answers exist (CSAT, CES, Time to Smile of its tickets). `emerging.judge_growth` decides what is
new or growing. A topic's week is the ISO week (UTC) its tickets were created in; its scores are
the answers about those tickets. Nothing here reads `agent_id`: topics are about problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import sqlite_utils

from smartstep.advice.emerging import ACCOUNT, Growth, Thresholds, judge_growth, load_thresholds, min_samples
from smartstep.knowledge.grouping import (
    GroupingParams,
    group,
    merge_alike,
    shared_words,
    topic_label,
    topic_vectors,
)
from smartstep.knowledge.topic_text import ticket_texts
from smartstep.metrics.reader import current_period
from smartstep.weeks import format_time, shift_week, week_end, week_start

SIGNAL = "emerging_topic"
_DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class Score:
    value: float | None  # None: fewer answers than the minimum ("too few to tell")
    n: int


@dataclass(frozen=True)
class TopicWeek:
    week: str
    tickets: int
    customers: int
    csat: Score
    ces: Score
    time_to_smile_days: Score


@dataclass(frozen=True)
class Topic:
    label: str
    words: tuple[str, ...]
    team: str
    tickets: int
    customers: int
    weekly: tuple[TopicWeek, ...]
    growth: Growth
    csat: Score
    ces: Score
    time_to_smile_days: Score
    ticket_ids: tuple[str, ...]  # a sample, most recent first
    recent_ids: tuple[str, ...]  # every ticket of the recent weeks, most recent first
    all_ids: tuple[str, ...] = field(default=(), repr=False)  # every ticket of the topic, most recent first

    @property
    def emerging(self) -> bool:
        return self.growth.emerging

    @property
    def key(self) -> str:
        return f"{self.team}: {self.label}"

    def to_json(self) -> dict[str, Any]:
        g = self.growth
        account = None
        if g.status == ACCOUNT:
            account = {"customer": g.top_customer, "tickets": g.top_customer_tickets}
        return {
            "label": self.label,
            "words": list(self.words),
            "team": self.team,
            "tickets": self.tickets,
            "customers": self.customers,
            "weekly": [_week_json(w) for w in self.weekly],
            "emerging": self.emerging,
            "status": g.status,
            "growth": None if g.growth is None else round(g.growth, 2),
            "new": g.new,
            "recent_tickets": g.recent_tickets,
            "recent_customers": g.recent_customers,
            "usual_per_week": g.usual_per_week,
            "upper_bound": g.upper_bound,
            "account_problem": account,
            "csat": self.csat.value,
            "csat_n": self.csat.n,
            "ces": self.ces.value,
            "ces_n": self.ces.n,
            "time_to_smile_days": self.time_to_smile_days.value,
            "time_to_smile_n": self.time_to_smile_days.n,
            "ticket_ids": list(self.ticket_ids),
        }


def _week_json(w: TopicWeek) -> dict[str, Any]:
    return {
        "week": w.week,
        "tickets": w.tickets,
        "customers": w.customers,
        "csat": w.csat.value,
        "ces": w.ces.value,
        "time_to_smile_days": w.time_to_smile_days.value,
    }


@dataclass(frozen=True)
class TopicReport:
    period: str | None  # the last week of the window ("now")
    weeks: tuple[str, ...]
    topics: tuple[Topic, ...]  # emerging first, then account problems, then by tickets
    thresholds: Thresholds

    def emerging(self, team: str | None = None) -> list[Topic]:
        return [t for t in self.topics if t.emerging and (team is None or t.team == team)]

    def accounts(self, team: str | None = None) -> list[Topic]:
        return [t for t in self.topics if t.growth.status == ACCOUNT and (team is None or t.team == team)]


def load_topics(
    db: sqlite_utils.Database,
    *,
    team: str | None = None,
    weeks: int | None = None,
    as_of: datetime | None = None,
    thresholds: Thresholds | None = None,
) -> TopicReport:
    """The topics of the last `weeks` complete weeks (default: topics.yaml's window), every team or one."""
    t = thresholds or load_thresholds()
    period = current_period(db, as_of)
    n_weeks = weeks or t.window_weeks
    if period is None:
        return TopicReport(None, (), (), t)
    labels = tuple(shift_week(period, -i) for i in range(n_weeks - 1, -1, -1))
    since, until = format_time(week_start(labels[0])), format_time(week_end(period))
    sql = (
        "SELECT id, team, coalesce(customer_id, ''), created_at, solved_at, subject, description FROM tickets "
        "WHERE created_at >= ? AND created_at < ?"
        + (" AND team = ?" if team else "")
        + " ORDER BY team, created_at, id"
    )
    rows = db.execute(sql, [since, until, *([team] if team else [])]).fetchall()
    answers = _answers(db, since, until, team)
    params = GroupingParams(**t.grouping)
    first_day = np.datetime64(week_start(labels[0]).date())
    cleaned = ticket_texts([(r[5], r[6]) for r in rows])  # every team at once: one pool of workers
    topics: list[Topic] = []
    start = 0
    while start < len(rows):
        end = start
        while end < len(rows) and rows[end][1] == rows[start][1]:
            end += 1
        topics += _team_topics(rows[start:end], answers, labels, first_day, params, t, cleaned[start:end])
        start = end
    topics.sort(key=_order)
    return TopicReport(period, labels, tuple(topics), t)


def _order(topic: Topic) -> tuple:
    g = topic.growth
    rank = 0 if g.emerging else 1 if g.status == ACCOUNT else 2
    return (rank, -g.recent_tickets if rank < 2 else -topic.tickets, topic.team, topic.label)


# Per ticket, what a topic's scores add up: CSAT answers and those scoring 4-5, CES answers and their sum,
# solved tickets and their days to solved (Time to Smile).
_MEASURES = ("csat_n", "csat_top", "ces_n", "ces_sum", "smile_n", "smile_sum")


def _answers(db: sqlite_utils.Database, since: str, until: str, team: str | None) -> dict[str, list[float]]:
    """CSAT and CES answers about the window's tickets: ticket id -> [csat_n, csat_top, ces_n, ces_sum]."""
    sql = (
        "SELECT s.ticket_id, s.kind, s.score FROM tickets t JOIN surveys s ON s.ticket_id = t.id "
        "WHERE t.created_at >= ? AND t.created_at < ? AND s.kind IN ('csat', 'ces') AND s.score IS NOT NULL"
        + (" AND t.team = ?" if team else "")
    )
    out: dict[str, list[float]] = {}
    for ticket_id, kind, score in db.execute(sql, [since, until, *([team] if team else [])]).fetchall():
        row = out.setdefault(str(ticket_id), [0.0, 0.0, 0.0, 0.0])
        if kind == "csat":
            row[0] += 1
            row[1] += float(score) >= 4
        else:
            row[2] += 1
            row[3] += float(score)
    return out


def _measures(rows: list[tuple], ids: list[str], answers: dict[str, list[float]]) -> np.ndarray:
    """tickets x _MEASURES, so any group's scores are column sums (per week: a weighted bincount)."""
    out = np.zeros((len(rows), len(_MEASURES)))
    for i, ticket_id in enumerate(ids):
        found = answers.get(ticket_id)
        if found is not None:
            out[i, :4] = found
    created = np.array([str(r[3])[:19] for r in rows], dtype="datetime64[s]")
    solved = np.array([str(r[4])[:19] if r[4] else "NaT" for r in rows], dtype="datetime64[s]")
    days = (solved - created) / np.timedelta64(1, "D")
    ok = ~np.isnan(days) & (days >= 0)
    out[ok, 4], out[ok, 5] = 1.0, days[ok]
    return out


def _team_topics(
    rows: list[tuple],
    answers: dict[str, list[float]],
    labels: tuple[str, ...],
    first_day: np.datetime64,
    params: GroupingParams,
    t: Thresholds,
    cleaned: list[tuple[str, str]],
) -> list[Topic]:
    texts, titles = [c[0] for c in cleaned], [c[1] for c in cleaned]
    team, weeks = rows[0][1], len(labels)
    ids = [str(r[0]) for r in rows]
    customers = [str(r[2]) for r in rows]
    customer_code = np.unique(np.array(customers, dtype=object), return_inverse=True)[1] + 1
    customer_code[np.array([not c for c in customers], dtype=bool)] = 0  # unknown: never a customer
    created = np.array([str(r[3])[:10] for r in rows], dtype="datetime64[D]")
    week = np.clip(((created - first_day) // _DAY // 7).astype(np.int64), 0, weeks - 1)
    measures = _measures(rows, ids, answers)
    groups = group(topic_vectors(texts, params), params)
    recent_from = weeks - min(t.recent_weeks, weeks)
    out = []
    for members, words in _merged_groups(groups, titles, t.min_topic_tickets):
        members = members[np.argsort(-created[members].astype(np.int64), kind="stable")]  # most recent first
        in_week = week[members]
        recent = members[in_week >= recent_from]
        growth = judge_growth(np.bincount(in_week, minlength=weeks).tolist(), [customers[i] for i in recent], t)
        known = customer_code[members] > 0
        pairs = np.unique(in_week[known] * (customer_code.max() + 1) + customer_code[members][known])
        weekly_customers = np.bincount(pairs // (customer_code.max() + 1), minlength=weeks)
        sums = np.stack([np.bincount(in_week, weights=measures[members, j], minlength=weeks) for j in range(6)], 1)
        subjects = [titles[i] for i in members[:300]]
        out.append(
            Topic(
                label=topic_label(subjects),
                words=tuple(words if words is not None else shared_words(subjects)),
                team=team,
                tickets=len(members),
                customers=len(np.unique(customer_code[members][known])),
                weekly=tuple(
                    TopicWeek(labels[w], int((in_week == w).sum()), int(weekly_customers[w]), **_scores(sums[w]))
                    for w in range(weeks)
                ),
                growth=growth,
                ticket_ids=tuple(ids[i] for i in members[: t.sample_tickets]),
                recent_ids=tuple(ids[i] for i in recent),
                all_ids=tuple(ids[i] for i in members),
                **_scores(sums.sum(axis=0)),
            )
        )
    return out


def _merged_groups(groups: np.ndarray, titles: list[str], smallest: int) -> list[tuple[np.ndarray, list[str] | None]]:
    """The grouping's topics of at least `smallest` tickets, with those named by mostly the same words merged;
    each with its shared words when it was not merged (a merged topic's are read again from all its tickets)."""
    order = np.argsort(groups, kind="stable")
    big = [m for m in np.split(order, np.flatnonzero(np.diff(groups[order])) + 1) if len(m) >= smallest]
    words = [shared_words([titles[i] for i in m[:300]]) for m in big]
    merged: dict[int, list[int]] = {}
    for index, root in enumerate(merge_alike(words)):
        merged.setdefault(root, []).append(index)
    return [
        (np.concatenate([big[i] for i in parts]), words[parts[0]] if len(parts) == 1 else None)
        for parts in merged.values()
    ]


def _scores(sums: np.ndarray) -> dict[str, Score]:
    csat_n, csat_top, ces_n, ces_sum, smile_n, smile_sum = (float(v) for v in sums)
    return {
        "csat": _score(100.0 * csat_top / csat_n if csat_n else None, int(csat_n), "csat"),
        "ces": _score(ces_sum / ces_n if ces_n else None, int(ces_n), "ces"),
        "time_to_smile_days": _score(smile_sum / smile_n if smile_n else None, int(smile_n), "time_to_smile_days"),
    }


def _score(value: float | None, n: int, metric: str) -> Score:
    if value is None or n < min_samples(metric):
        return Score(None, n)
    return Score(round(value, 2), n)


def emerging_topic_signals(db: sqlite_utils.Database, as_of: datetime | None = None) -> dict[tuple[str, str], tuple]:
    """The rule engine's plain-data form: (team, 'emerging_topic') -> (recent tickets, label) of each team's
    biggest emerging topic."""
    out: dict[tuple[str, str], tuple[float, str]] = {}
    for topic in load_topics(db, as_of=as_of).topics:
        key = (topic.team, SIGNAL)
        if topic.emerging and key not in out:
            g = topic.growth
            out[key] = (float(g.recent_tickets), topic.label)
    return out
