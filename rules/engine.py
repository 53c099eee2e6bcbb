"""The engine: rules × every team's metric history → ranked candidate advice with evidence.

Pure: plain data in (history, current week, facts), frozen dataclasses out. Conditions are
evaluated for all teams at once; evidence objects are built only where a rule fired.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from smartstep.metrics.values import History
from smartstep.rules.conditions import Result, evaluate_condition, lookback
from smartstep.rules.model import STAGES, Rule
from smartstep.rules.render import Evidence, build_evidence, render_why
from smartstep.rules.snapshot import NOISE_WEEKS, Snapshot, add_signals, build_snapshot
from smartstep.weeks import week_start

WORSE_MARGIN = 0.02  # a repeat inside the cooldown needs evidence at least this much stronger


@dataclass(frozen=True)
class Candidate:
    """A rule that fired for a team. `evidence` and `why` are built on first use, so ranking
    thousands of candidates stays cheap and only the ones shown pay for their text."""

    rule_id: str
    team: str
    title: str
    category: str
    steps: tuple[str, ...]
    score: float
    strength: float
    period: str
    audience: tuple[str, ...] = ("lead",)
    target: str | None = None
    _source: tuple[str, Result, int, Snapshot] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def evidence(self) -> tuple[Evidence, ...]:
        if self._source is None:
            return ()
        _, result, row, snap = self._source
        return tuple(build_evidence(result, row, snap))

    @cached_property
    def why(self) -> str:
        template = self._source[0] if self._source is not None else ""
        return render_why(template, self.team, self.period, self.evidence)


@dataclass(frozen=True)
class LastFired:
    """When a rule last fired for a team and how strong its evidence was then."""

    period: str
    strength: float


@dataclass(frozen=True)
class Facts:
    """Plain facts beyond metrics: maturity stage per dimension, and recent firings."""

    stages: Mapping[str, str] = field(default_factory=dict)
    last_fired: Mapping[tuple[str, str], LastFired] = field(default_factory=dict)
    signals: Mapping[tuple[str, str], tuple[float, str]] = field(default_factory=dict)  # (team, name) -> (value, label)
    segments: History = field(default_factory=dict)
    """Series over cuts of the tickets for `where:` conditions: (team, 'csat@priority=urgent') -> values."""


@dataclass(frozen=True)
class Fired:
    """Every fired (rule, team) as parallel arrays, best first: cheap to rank and filter."""

    rule: np.ndarray  # index into the rules
    row: np.ndarray  # index into the snapshot's teams
    strength: np.ndarray
    score: np.ndarray

    def take(self, keep: np.ndarray) -> Fired:
        return Fired(self.rule[keep], self.row[keep], self.strength[keep], self.score[keep])


@dataclass(frozen=True)
class Evaluation:
    """Candidates best first, plus those held back by their cooldown; objects are made on demand."""

    rules: tuple[Rule, ...]
    snap: Snapshot
    results: tuple[Result | None, ...]
    shown: Fired
    held: Fired

    @cached_property
    def candidates(self) -> tuple[Candidate, ...]:
        return self._make(self.shown, np.arange(len(self.shown.rule)))

    @cached_property
    def held_back(self) -> tuple[Candidate, ...]:
        return self._make(self.held, np.arange(len(self.held.rule)))

    def top(self, k: int | None = None, team: str | None = None) -> tuple[Candidate, ...]:
        """The best `k` candidates (for one team), without building the rest."""
        picks = np.arange(len(self.shown.rule))
        if team is not None:
            if team not in self.snap.teams:
                return ()
            picks = picks[self.shown.row == self.snap.teams.index(team)]
        return self._make(self.shown, picks[:k])

    def _make(self, fired: Fired, picks: np.ndarray) -> tuple[Candidate, ...]:
        return tuple(
            make_candidate(
                self.rules[fired.rule[i]], self.results[fired.rule[i]], int(fired.row[i]), self.snap, fired, i
            )
            for i in picks
        )


def weeks_needed(rules: Iterable[Rule]) -> int:
    return max([NOISE_WEEKS, *(lookback(r.when) for r in rules)])


def evaluate(
    rules: Sequence[Rule],
    history: History,
    current: str,
    facts: Facts | None = None,
    teams: Iterable[str] | None = None,
) -> Evaluation:
    """Every rule against every team (or `teams`) as of ISO week `current`."""
    facts = facts or Facts()
    snap = build_snapshot(
        {**history, **facts.segments} if facts.segments else history, current, weeks_needed(rules), teams
    )
    add_signals(snap, facts.signals)
    return evaluate_snapshot(rules, snap, facts)


def evaluate_snapshot(rules: Sequence[Rule], snap: Snapshot, facts: Facts) -> Evaluation:
    rules = tuple(rules)
    results: list[Result | None] = []
    found: list[tuple[int, np.ndarray, np.ndarray]] = []
    for i, rule in enumerate(rules):
        result = evaluate_condition(snap, rule.when) if stage_allows(rule, facts.stages) else None
        results.append(result)
        if result is None:
            continue
        rows = np.flatnonzero(result.fired)
        if rows.size:
            severity = np.ones(rows.size) if result.severity is None else np.maximum(result.severity[rows], 0.0)
            found.append((i, rows, np.round(0.25 + 0.75 * (1.0 - np.exp(-severity)), 4)))
    fired = _ranked(rules, found)
    held = cooldown_mask(rules, snap, fired, facts.last_fired)
    return Evaluation(rules, snap, tuple(results), fired.take(~held), fired.take(held))


def _ranked(rules: tuple[Rule, ...], found: list[tuple[int, np.ndarray, np.ndarray]]) -> Fired:
    """Best score first; ties by team name, then rule id (the snapshot's teams are sorted)."""
    if not found:
        empty = np.zeros(0, dtype=int)
        return Fired(empty, empty, np.zeros(0), np.zeros(0))
    rule = np.concatenate([np.full(rows.size, i) for i, rows, _ in found])
    row = np.concatenate([rows for _, rows, _ in found])
    strength = np.concatenate([s for _, _, s in found])
    weights = np.array([r.weight for r in rules])
    score = np.round(weights[rule] * strength, 4)
    id_rank = np.argsort(np.argsort([r.id for r in rules]))
    order = np.lexsort((id_rank[rule], row, -score))
    return Fired(rule[order], row[order], strength[order], score[order])


def make_candidate(rule: Rule, result: Result | None, row: int, snap: Snapshot, fired: Fired, i: int) -> Candidate:
    period = snap.periods[-1]
    source = (rule.why, result, row, snap) if result is not None else None
    return Candidate(
        rule.id,
        snap.teams[row],
        rule.title,
        rule.category,
        tuple(rule.steps),
        float(fired.score[i]),
        float(fired.strength[i]),
        period,
        tuple(rule.audience),
        rule.target,
        source,
    )


def stage_allows(rule: Rule, stages: Mapping[str, str]) -> bool:
    """A stage requirement holds only when the stage is known and inside the range."""
    need = rule.requires.stage
    if need is None:
        return True
    stage = stages.get(need.dimension)
    if stage not in STAGES:
        return False
    return STAGES.index(need.min) <= STAGES.index(stage) <= STAGES.index(need.max)


def cooldown_mask(
    rules: tuple[Rule, ...], snap: Snapshot, fired: Fired, last_fired: Mapping[tuple[str, str], LastFired]
) -> np.ndarray:
    """Hold back a repeat within the rule's cooldown unless its evidence got stronger.

    A firing in the current week is not a repeat: showing the same advice twice in one week
    (digest and a question) is the same advice. Only the few pairs with a past firing are looked up.
    """
    held = np.zeros(len(fired.rule), dtype=bool)
    if not last_fired or not len(fired.rule):
        return held
    rule_index = {r.id: i for i, r in enumerate(rules)}
    team_index = {t: i for i, t in enumerate(snap.teams)}
    position = {(int(r), int(t)): i for i, (r, t) in enumerate(zip(fired.rule, fired.row, strict=True))}
    now = week_start(snap.periods[-1])
    for (rule_id, team), last in last_fired.items():
        i = position.get((rule_index.get(rule_id, -1), team_index.get(team, -1)))
        if i is None:
            continue
        days = (now - week_start(last.period)).days
        if 0 < days < rules[fired.rule[i]].cooldown and fired.strength[i] <= last.strength + WORSE_MARGIN:
            held[i] = True
    return held
